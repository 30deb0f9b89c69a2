# Two commands on a fresh Debian machine (Python 3.11, root):
#   make run   - set up and serve the Explorer on http://127.0.0.1:8050 (embedded file cache)
#   make test  - set up (incl. Debian's chromium + chromium-driver + redis-server + nginx) and run all tests
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050
APT_PACKAGES := chromium chromium-driver redis-server nginx openssl

.PHONY: run test test-fast lint bench venv venv-dev sysdeps clean lock

$(VENV)/.stamp-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-runtime requirements-dev.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.stamp-runtime
venv-dev: $(VENV)/.stamp-dev

# Browser, Redis and proxy tests need Debian's packages; install them once when missing.
sysdeps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

run: venv
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py app:server

test: venv-dev sysdeps lint
	$(PY) -m pytest

lint: venv-dev
	$(VENV)/bin/ruff check .

test-fast: venv-dev
	$(PY) -m pytest -m "not browser and not serving"

bench: venv-dev
	@for f in bench/bench_*.py; do echo "== $$f"; PYTHONPATH=. $(PY) $$f || exit 1; done

# The image installs requirements.lock (every file pinned by sha256); regenerate after editing
# requirements.txt, which stays the source.
lock: venv-dev
	$(PY) -m pip install --disable-pip-version-check -q pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --output-file requirements.lock requirements.txt

clean:
	rm -rf $(VENV) .pytest_cache .cache
