"""The scale-out path of compose.yaml on loopback: redis-server, a Celery worker and gunicorn
with REDIS_URL, CACHE_TYPE=RedisCache and BACKGROUND=celery.  Then Redis is stopped and the
app must keep serving (computing without the shared cache), logging the outage once."""
from __future__ import annotations

import os
import socket
import time

import pytest
from conftest import Proc, Server, base_env, start_celery, start_redis, wait_until
from dash_http import DISPATCH, DashApp, run_background

pytestmark = pytest.mark.serving


def _redis_cmd(port: int, *args: str) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()] + [f"${len(a)}\r\n{a}\r\n".encode() for a in args]
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(b"".join(parts))
        time.sleep(0.05)
        return s.recv(65536)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, background_target, analytic_target):
    """(redis proc, redis port, celery proc, gunicorn server, DashApp, module) - all torn down."""
    tmp = tmp_path_factory.mktemp("scaleout")
    # The module whose callbacks are tested: the real app once it has its MB background
    # callback, else the test app (the same serving wiring).
    real = background_target[0].argv[-1] == "app:server" and analytic_target[0].argv[-1] == "app:server"
    module = "app" if real else "mini_app"
    redis_proc, redis_port = start_redis(tmp)
    procs = [redis_proc]
    try:
        env = {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "CACHE_TYPE": "RedisCache",
               "BACKGROUND": "celery", "REDIS_RETRY_S": "5"}
        celery = start_celery(tmp, module, base_env(tmp, **env))
        procs.append(celery)
        server = Server(tmp, f"{module}:server", name="gunicorn-redis", **env)
        procs.append(server.proc)
        server.wait_ready()
        h = server.http()
        dash_app = DashApp(h).settle(h)
        h.close()
        yield procs, redis_port, celery, server, dash_app
    finally:
        for p in reversed(procs):
            p.stop()


def test_background_callback_runs_on_the_celery_worker(stack):
    procs, redis_port, celery, server, dash_app = stack
    spec = dash_app.server_callbacks(background=True)[0]
    h = server.http()
    try:
        r = run_background(h, spec.payload(dash_app.props), timeout_s=90)
    finally:
        h.close()
    assert r.status == 200, r.body[:300]
    assert "response" in r.json()
    wait_until(lambda: "succeeded in" in celery.log(), 10, "the task in the Celery log", celery)


def test_analytic_callback_fills_the_redis_cache(stack):
    procs, redis_port, celery, server, dash_app = stack
    h = server.http()
    try:
        for spec in dash_app.server_callbacks(background=False):
            r = h.post_json(DISPATCH, spec.payload(dash_app.props))
            assert r.status in (200, 204), r.body[:300]
    finally:
        h.close()
    keys = _redis_cmd(redis_port, "KEYS", "xray:*")
    assert b"xray:" in keys, keys  # the shared cache, not a per-host file cache
    assert not any((server.data_dir / "cache").glob("[0-9a-f]" * 32))  # nothing went to the fallback


def test_redis_stopped_mid_run_app_keeps_serving(stack):
    procs, redis_port, celery, server, dash_app = stack
    redis_proc = procs[0]
    redis_proc.stop()
    assert not redis_proc.alive()
    h = server.http()
    try:
        t0 = time.monotonic()
        for _ in range(3):  # several requests: both workers see the outage
            for spec in dash_app.server_callbacks(background=False):
                payload = spec.payload(dash_app.props)
                r = h.post_json(DISPATCH, payload)
                assert r.status in (200, 204), r.body[:300]
                h.close()  # new connection: spread over the workers
        assert time.monotonic() - t0 < 30
        assert h.get("health").body == b"OK"
        assert h.get("").status == 200
        # A background callback cannot be queued without the broker: a clean, quick 503.
        t0 = time.monotonic()
        bg = h.post_json(DISPATCH, dash_app.server_callbacks(background=True)[0].payload(dash_app.props))
        assert bg.status in (200, 503), bg.body[:300]
        assert time.monotonic() - t0 < 20
        assert h.get("health").body == b"OK"
    finally:
        h.close()
    log = server.proc.log()
    outages = log.count("cache unreachable")
    assert 1 <= outages <= 2, log[-3000:]  # logged once per worker process, not per request
    assert "Exception on /" not in log  # no 500 was logged


def test_redis_back_shared_cache_and_celery_resume(stack):
    """Redis restarted on the same port: background callbacks and the shared cache work again."""
    procs, redis_port, celery, server, dash_app = stack
    argv = procs[0].argv
    redis_proc = Proc(argv, dict(os.environ), procs[0].log_path)
    procs.insert(0, redis_proc)  # stopped by the fixture, after gunicorn and Celery
    wait_until(lambda: _redis_cmd(redis_port, "PING").startswith(b"+PONG"), 15, "redis restart", redis_proc)
    spec = dash_app.server_callbacks(background=True)[0]
    deadline = time.monotonic() + 60
    h = server.http()
    try:
        while True:  # the worker and the web app reconnect with back-off
            r = run_background(h, spec.payload(dash_app.props), timeout_s=30)
            if r.status == 200 and "response" in r.json():
                break
            assert r.status == 503, r.body[:300]
            assert time.monotonic() < deadline, "background callbacks did not resume after Redis came back"
            time.sleep(1)
        time.sleep(5.5)  # REDIS_RETRY_S: the cache probes Redis again
        for _ in range(4):
            for s in dash_app.server_callbacks(background=False):
                assert h.post_json(DISPATCH, s.payload(dash_app.props)).status in (200, 204)
            h.close()
    finally:
        h.close()
    assert b"xray:" in _redis_cmd(redis_port, "KEYS", "xray:*")
    assert "cache reachable again" in server.proc.log()
