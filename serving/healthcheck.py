"""The container health check (Dockerfile HEALTHCHECK, compose.yaml), with a restart when unhealthy.

    python -m serving.healthcheck            # the app: GET /health must answer exactly "OK"
    python -m serving.healthcheck --celery   # the worker: it must answer a Celery ping

Exit 0 when healthy, 1 when not.  Docker only *marks* a container unhealthy; compose's
``restart: unless-stopped`` restarts it only when its main process exits.  So with
``HEALTH_RESTART=1`` (set in compose.yaml) the check itself ends the container's main process
(SIGTERM to PID 1, gunicorn or celery, which then stop gracefully) after ``HEALTH_RESTART_AFTER``
(3) failures in a row, and the restart policy brings it back - no autoheal container with the
Docker socket needed.  Outside a container (PID 1 is not gunicorn/celery) it never signals.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

COUNTER = Path(tempfile.gettempdir()) / "explorer-health-failures"


def app_healthy(timeout: float = 4.0) -> bool:
    prefix = os.environ.get("URL_PREFIX", "/").strip("/")
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8050')}/{prefix + '/' if prefix else ''}health"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 - loopback only
            return reply.read() == b"OK"
    except OSError:
        return False


def worker_healthy(timeout: float = 20.0) -> bool:
    host = os.environ.get("HOSTNAME", "")
    argv = ["celery", "-A", "app:celery_app", "inspect", "ping", "--timeout", "5"]
    if host:
        argv += ["-d", f"celery@{host}"]
    try:
        return subprocess.run(argv, capture_output=True, timeout=timeout).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _main_process_is_ours() -> bool:
    try:
        cmdline = Path("/proc/1/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"gunicorn" in cmdline or b"celery" in cmdline


def record(healthy: bool) -> int:
    """Count failures in a row; returns the count (0 when healthy)."""
    failures = 0
    if not healthy:
        try:
            failures = int(COUNTER.read_text() or 0)
        except (OSError, ValueError):
            failures = 0
        failures += 1
    try:
        COUNTER.write_text(str(failures))
    except OSError:
        pass
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--celery", action="store_true", help="check the Celery worker instead of the web app")
    args = ap.parse_args(argv)
    healthy = worker_healthy() if args.celery else app_healthy()
    failures = record(healthy)
    limit = int(os.environ.get("HEALTH_RESTART_AFTER", "3"))
    if (not healthy and failures >= limit and os.environ.get("HEALTH_RESTART", "") == "1"
            and _main_process_is_ours()):
        print(f"unhealthy {failures} times in a row: stopping the main process for a restart", file=sys.stderr)
        os.kill(1, signal.SIGTERM)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
