"""gunicorn settings, read from the environment (serving/settings.py holds the app's own).

    PORT (8050), HOST (0.0.0.0: the container's interface; `make run` passes 127.0.0.1),
    WEB_CONCURRENCY (2 workers), GUNICORN_THREADS (4), GUNICORN_TIMEOUT (60 s),
    GUNICORN_MAX_REQUESTS (2000, with 10 % jitter; 0 disables), LOG_LEVEL (info).
    Hooks: when_ready starts the job manager (BACKGROUND=pool), on_exit stops it.

Logs go to stdout, the worker heartbeat files to /dev/shm (tmpfs: a container's overlay
disk can stall the heartbeat) when it exists, and the control socket is off.
"""
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def _tmp_dir():
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        return shm
    return None  # gunicorn's default: the system temp dir


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8050)}"
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max(0, max_requests // 10)
worker_tmp_dir = _tmp_dir()
accesslog = "-"
# The combined format plus the request time and the worker's pid (which worker served it).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms pid=%(p)s'
errorlog = "-"
capture_output = False
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request-line and header limits (the body is bounded by MAX_UPLOAD_BYTES in the app).
limit_request_line = 8190
limit_request_fields = 100
proc_name = "xray-explorer"

# The host's job pool (serving/pool.py): one manager process, started by this master once it
# listens and stopped when it exits.  Workers own no job process, so a worker recycled by
# max_requests or killed leaks nothing; the manager dies with the master (PR_SET_PDEATHSIG) and
# kills its job processes when it stops.


def when_ready(server):
    from serving import pool

    server.explorer_pool = pool.start_manager_process(os.getpid())
    if server.explorer_pool is not None:
        server.log.info("job manager started (pid %s)", server.explorer_pool.pid)


def on_exit(server):
    from serving import pool

    pool.stop_manager_process(getattr(server, "explorer_pool", None))
