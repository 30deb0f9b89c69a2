# syntax=docker/dockerfile:1
# Nonlinear X-ray Spectra Explorer: gunicorn serving the Dash app (see docs/serving.md).
#   docker build -t xray-explorer . && docker run -p 8050:8050 xray-explorer
# The base image pinned by digest (python:3.11-slim, linux/amd64 and arm64 index): a rebuild gets
# the same bytes.  Refresh deliberately: docker buildx imagetools inspect python:3.11-slim
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8050 \
    EXPLORER_DATA_DIR=/data

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lock changes.  requirements.lock is
# requirements.txt resolved with a sha256 for every file (make lock); pip refuses anything else.
COPY requirements.txt requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

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

# slim has no curl: check in Python (serving/healthcheck.py).  Dash answers 200 with the page for
# unknown paths, so the body must be exactly "OK".  With HEALTH_RESTART=1 (compose.yaml) three
# failures in a row stop gunicorn, and the restart policy starts a fresh container.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "-m", "serving.healthcheck"]

# Exec form: gunicorn is PID 1 and gets the container's signals.  Settings come from the
# environment (gunicorn.conf.py, serving/settings.py).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
