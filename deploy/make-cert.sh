#!/usr/bin/env sh
# A self-signed TLS certificate for the intranet proxy (deploy/tls/cert.pem, key.pem), valid for
# the host names and addresses given (default: this host's name).  Browsers warn once; import
# cert.pem into the lab machines' trust store, or use a certificate from the lab's own CA instead.
#   deploy/make-cert.sh explorer.lab.example 10.1.2.3
set -eu
cd "$(dirname "$0")/tls"
names="${*:-$(hostname -f 2>/dev/null || hostname)}"
san=""
for n in $names; do
  case "$n" in
    *[!0-9.]*) san="$san,DNS:$n" ;;
    *) san="$san,IP:$n" ;;
  esac
done
openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=$(echo "$names" | cut -d' ' -f1)" \
  -addext "subjectAltName=${san#,}" -keyout key.pem -out cert.pem
chmod 600 key.pem
echo "wrote $(pwd)/cert.pem and key.pem for: $names"
