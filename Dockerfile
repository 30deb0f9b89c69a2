# syntax=docker/dockerfile:1
# Nonlinear X-ray Spectra Explorer: gunicorn serving the Dash app (see docs/serving.md).
#   docker build -t xray-explorer . && docker run -p 8050:8050 xray-explorer
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8050 \
    EXPLORER_DATA_DIR=/data

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# An unprivileged user; it may write only to /data (caches, job store, shared secret).
RUN groupadd --system --gid 10001 explorer \
 && useradd --system --uid 10001 --gid explorer --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin explorer \
 && mkdir -p /data \
 && chown explorer:explorer /data

# The source (read-only for the app user); .dockerignore keeps tests, venvs and caches out.
COPY . .

USER explorer
EXPOSE 8050
VOLUME ["/data"]

# slim has no curl: check in Python.  Dash answers 200 with the page for unknown paths,
# so the body must be exactly "OK".
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; p = os.environ.get('URL_PREFIX', '/').strip('/'); u = 'http://127.0.0.1:%s/%shealth' % (os.environ.get('PORT', '8050'), p + '/' if p else ''); sys.exit(0 if urllib.request.urlopen(u, timeout=4).read() == b'OK' else 1)"]

# Exec form: gunicorn is PID 1 and gets the container's signals.  Settings come from the
# environment (gunicorn.conf.py, serving/settings.py).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
