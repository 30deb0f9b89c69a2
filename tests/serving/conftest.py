"""Process fixtures for the serving tests: gunicorn (the Dockerfile's command line),
redis-server, a Celery worker and nginx, each on 127.0.0.1, each stopped in teardown with
bounded waits.  No free-port races: gunicorn binds port 0 and the port is read back from its log;
redis-server and nginx retry on "address in use".  Every test runs the real app (app:server).
Nothing here reads the shared reference folder or needs a Docker engine.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: gunicorn and celery live next to python
sys.path.insert(0, str(HERE))

from dash_http import DashApp, Http  # noqa: E402

# Variables of the developer's shell that would change what the servers do.
_SCRUB = ("REDIS_URL", "REDIS_PASSWORD", "CACHE_TYPE", "CACHE_DIR", "BACKGROUND", "CELERY", "DISKCACHE_DIR",
          "JOBS_DIR", "URL_PREFIX", "SECRET_KEY", "DEBUG", "LOG_LEVEL", "EXPLORER_DATA_DIR", "WEB_CONCURRENCY",
          "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_MAX_REQUESTS", "GUNICORN_GRACEFUL_TIMEOUT",
          "DASH_MCP_ENABLED", "MAX_UPLOAD_BYTES", "REDIS_RETRY_S", "HOST", "PORT", "PYTHONPATH",
          "JOB_POOL_SIZE", "JOB_QUEUE_MAX", "JOB_TIME_LIMIT_S", "JOB_ABANDON_S", "JOB_MAX_MB", "JOB_MAX_SECONDS")


# --------------------------------------------------------------------------- Dockerfile
def dockerfile_instructions(path: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    lines, buf = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        lines.append(buf)
        buf = ""
    out = []
    for line in lines:
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def dockerfile_cmd() -> list[str]:
    """The exec-form CMD of the Dockerfile, as an argv list."""
    cmds = [rest for word, rest in dockerfile_instructions() if word == "CMD"]
    assert len(cmds) == 1, "the Dockerfile must have exactly one CMD"
    argv = json.loads(cmds[0])  # exec form is a JSON array; shell form fails here
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
    return argv


def healthcheck_cmd() -> list[str]:
    hc = [rest for word, rest in dockerfile_instructions() if word == "HEALTHCHECK"]
    assert len(hc) == 1, "the Dockerfile must have exactly one HEALTHCHECK"
    m = re.search(r"\bCMD\s+(\[.*\])\s*$", hc[0])
    assert m, "HEALTHCHECK must use an exec-form CMD"
    return json.loads(m.group(1))


def server_argv(module: str | None = None) -> list[str]:
    """The Dockerfile's CMD, with the venv's gunicorn (``module`` swaps the WSGI target)."""
    argv = dockerfile_cmd()
    assert argv[0] == "gunicorn"
    argv = [str(BIN / "gunicorn")] + argv[1:]
    if module is not None:
        argv = [module if a == "app:server" else a for a in argv]
    return argv


# --------------------------------------------------------------------------- processes
def free_port() -> int:
    """A port that was free a moment ago: only for "nothing listens here" checks and for servers
    started with a retry on "address in use" (start_redis, start_nginx)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update({
        "HOST": "127.0.0.1",
        "EXPLORER_DATA_DIR": str(tmp / "data"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "INFO",
    })
    env.update(extra)
    return env


class Proc:
    """A process in its own session (so its children can be stopped with it), logging to a file."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT):
        self.argv = argv
        self.log_path = log
        self._log = open(log, "ab")
        self.popen = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, wait (bounded), then SIGKILL this process and its process group."""
        try:
            if self.alive():
                self.popen.send_signal(signal.SIGTERM)
                try:
                    self.popen.wait(timeout)
                except subprocess.TimeoutExpired:
                    pass
            # Our own session: whatever it spawned (gunicorn/celery workers, job processes).
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                pass
        finally:
            self._log.close()


def wait_until(predicate, timeout: float, what: str, proc: Proc | None = None, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise AssertionError(f"{what}: process exited ({proc.popen.returncode}):\n{proc.log()[-4000:]}")
        try:
            if predicate():
                return
        except Exception as exc:  # noqa: BLE001 - retried until the deadline
            last_exc = exc
        time.sleep(interval)
    tail = proc.log()[-4000:] if proc else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what} ({last_exc!r})\n{tail}")


def health_ok(port: int, prefix: str = "/") -> bool:
    h = Http(port, prefix, timeout=3)
    try:
        r = h.get("health")
        return r.status == 200 and r.body == b"OK"
    finally:
        h.close()


def worker_pids(master_pid: int) -> list[int]:
    """gunicorn worker pids: the master's children (from /proc)."""
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True,
                             text=True, timeout=5).stdout
    except FileNotFoundError:  # no procps: read /proc
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master_pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)
    return sorted(int(p) for p in out.split())


class Server:
    """gunicorn started with the Dockerfile's command line on port 0 (the port is read from its log)."""

    def __init__(self, tmp: Path, module: str | None = None, name: str = "gunicorn", **env: str):
        self.port = 0
        self.tmp = tmp
        self.env = base_env(tmp, PORT="0", **env)
        self.argv = server_argv(module)
        self.proc = Proc(self.argv, self.env, tmp / f"{name}.log")
        self.data_dir = Path(self.env["EXPLORER_DATA_DIR"])

    def _bound(self) -> bool:
        m = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.proc.log())
        if m:
            self.port = int(m.group(1))
        return bool(m)

    def wait_ready(self, timeout: float = 60.0) -> "Server":
        wait_until(self._bound, 30, "gunicorn to bind", self.proc)
        wait_until(lambda: health_ok(self.port), timeout, "gunicorn /health", self.proc)
        n = int(self.env["WEB_CONCURRENCY"])
        wait_until(lambda: len(worker_pids(self.proc.pid)) >= n + self.managers(), 20, "gunicorn workers", self.proc)
        if self.managers():
            wait_until(self.jobs_ready, 30, "the job manager's heartbeat", self.proc)
        return self

    def managers(self) -> int:
        """1 when the host job pool runs (BACKGROUND=pool, the default): the master's extra child."""
        return 1 if self.env.get("BACKGROUND", "pool") in ("pool", "diskcache") else 0

    def jobs_ready(self) -> bool:
        h = Http(self.port, timeout=5)
        try:
            return 'explorer_degraded{reason="jobs"} 0' in h.get("metrics").body.decode()
        finally:
            h.close()

    def manager_pid(self) -> int | None:
        m = re.findall(r"job manager started \(pid (\d+)\)", self.proc.log())
        return int(m[-1]) if m else None

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (the master's children except the job manager)."""
        return [p for p in worker_pids(self.proc.pid) if p != self.manager_pid()]

    def session_pids(self) -> list[int]:
        """Every live (non-zombie) process of the server's session (it was started in its own)."""
        return session_pids(self.proc.pid)

    def http(self, timeout: float = 60.0) -> Http:
        return Http(self.port, timeout=timeout)

    def stop(self) -> None:
        self.proc.stop()


def session_procs(sid: int) -> dict[int, int]:
    """{pid: parent pid} of every live (non-zombie) process of session ``sid``, one read of
    /proc/<pid>/stat each (a consistent picture of each process)."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields: state, ppid, pgrp, session
            out[int(stat.parent.name)] = int(fields[1])
    return out


def session_pids(sid: int) -> list[int]:
    return sorted(session_procs(sid))


def start_server(tmp: Path, module: str | None = None, **env: str) -> Server:
    server = Server(tmp, module, **env)
    try:
        return server.wait_ready()
    except BaseException:
        server.stop()
        raise


def start_redis(tmp: Path, password: str | None = None, port: int | None = None) -> tuple[Proc, int]:
    """redis-server on 127.0.0.1 (a fresh port, retried if taken; or ``port`` for a restart)."""
    rdir = tmp / "redis"
    rdir.mkdir(parents=True, exist_ok=True)
    for _attempt in range(5):
        p = port or free_port()
        argv = ["redis-server", "--port", str(p), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(rdir), "--daemonize", "no", "--protected-mode", "yes",
                "--loglevel", "warning"] + (["--requirepass", password] if password else [])
        proc = Proc(argv, dict(os.environ), tmp / "redis.log")

        def ping() -> bool:
            return redis_cmd(p, "PING", password=password).startswith((b"+PONG", b"-NOAUTH"))

        try:
            wait_until(ping, 15, "redis-server", proc)
            return proc, p
        except AssertionError:
            proc.stop()
            if "Address already in use" not in proc.log() or port:
                raise
    raise AssertionError("no free port for redis-server")


def redis_cmd(port: int, *args: str, password: str | None = None) -> bytes:
    """One Redis command over a raw socket (no client library state to clean up)."""
    def encode(*words: str) -> bytes:
        return b"".join([f"*{len(words)}\r\n".encode()] + [f"${len(w)}\r\n{w}\r\n".encode() for w in words])

    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        if password:
            s.sendall(encode("AUTH", password))
            s.recv(64)
        s.sendall(encode(*args))
        data = s.recv(65536)
        while data.startswith(b"*") and not data.endswith(b"\r\n"):
            data += s.recv(65536)
        return data


def start_celery(tmp: Path, module: str, env: dict[str, str]) -> Proc:
    argv = [str(BIN / "celery"), "-A", f"{module}:celery_app", "worker", "--loglevel=INFO",
            "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", f"test-{os.getpid()}@%h"]
    proc = Proc(argv, env, tmp / "celery.log")
    try:
        wait_until(lambda: " ready." in proc.log(), 60, "celery worker ready", proc, interval=0.2)
    except BaseException:
        proc.stop()
        raise
    return proc


# --------------------------------------------------------------------------- shared fixtures
@pytest.fixture(scope="session")
def real_server(tmp_path_factory) -> Iterator[Server]:
    """The real app (app:server) on gunicorn, 2 workers, embedded defaults (file cache, host job pool)."""
    server = start_server(tmp_path_factory.mktemp("real"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def real_dash(real_server) -> DashApp:
    h = real_server.http()
    try:
        return DashApp(h).settle(h)
    finally:
        h.close()


def shell_join(argv: list[str]) -> str:
    return shlex.join(argv)


# --------------------------------------------------------------------------- nginx (the compose proxy)
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "explorer.conf.template"


def render_template(text: str, values: dict[str, str]) -> str:
    """envsubst as the nginx image does it: ${NAME} for the given names only (nginx's $vars stay)."""
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    leftover = re.findall(r"\$\{[A-Z_]+\}", text)
    assert not leftover, leftover
    return text


class Nginx:
    """Debian's nginx with deploy/nginx/explorer.conf.template in front of ``upstream_port``: TLS with a
    self-signed certificate made here, basic auth (user ``lab``), ports retried if taken."""

    user, password = "lab", "intranet-secret"

    def __init__(self, tmp: Path, upstream_port: int):
        self.dir = tmp / "nginx"
        (self.dir / "logs").mkdir(parents=True, exist_ok=True)
        self.cert, self.key = self.dir / "cert.pem", self.dir / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(self.key), "-out", str(self.cert)], check=True, capture_output=True, timeout=60)
        hashed = subprocess.run(["openssl", "passwd", "-apr1", self.password], check=True, capture_output=True,
                                text=True, timeout=30).stdout.strip()
        (self.dir / "htpasswd").write_text(f"{self.user}:{hashed}\n")
        self.upstream_port = upstream_port
        self.proc: Proc | None = None
        for _attempt in range(5):
            self.http_port, self.https_port = free_port(), free_port()
            self._write_config()
            argv = [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"),
                    "-g", "daemon off;"]
            self.proc = Proc(argv,
                             dict(os.environ), self.dir / "nginx.log")
            try:
                wait_until(self._ready, 15, "nginx", self.proc)
                return
            except AssertionError:
                self.proc.stop()
                if "Address already in use" not in self.proc.log():
                    raise
        raise AssertionError("no free ports for nginx")

    def _write_config(self) -> None:
        site = render_template(NGINX_TEMPLATE.read_text(), {
            "EXPLORER_UPSTREAM": f"127.0.0.1:{self.upstream_port}", "NGINX_HTTP_PORT": f"127.0.0.1:{self.http_port}",
            "NGINX_HTTPS_PORT": f"127.0.0.1:{self.https_port}", "NGINX_PUBLIC_HTTPS_PORT": str(self.https_port),
            "TLS_CERT": str(self.cert), "TLS_KEY": str(self.key), "BASIC_AUTH": '"Explorer"',
            "BASIC_AUTH_FILE": str(self.dir / "htpasswd")})
        (self.dir / "explorer.conf").write_text(site)
        # The nginx image's main context, with every path in the test's own folder.
        (self.dir / "nginx.conf").write_text(f"""
worker_processes 1;
user root;
pid {self.dir}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {self.dir}/logs/access.log;
    client_body_temp_path {self.dir}/body; proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi; uwsgi_temp_path {self.dir}/uwsgi; scgi_temp_path {self.dir}/scgi;
    include {self.dir}/explorer.conf;
}}
""")

    def ssl_context(self):
        import ssl

        return ssl.create_default_context(cafile=str(self.cert))

    def http(self, auth: bool = True, timeout: float = 30.0) -> Http:
        import base64

        headers = {"Authorization": "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()}
        return Http(self.https_port, timeout=timeout, ssl_context=self.ssl_context(), headers=headers if auth else {})

    def _ready(self) -> bool:
        h = self.http()
        try:
            r = h.get("health")
            return r.status == 200 and r.body == b"OK"
        finally:
            h.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
