"""The scale-out path of compose.yaml on loopback: redis-server with a password (from
REDIS_PASSWORD), a Celery worker (concurrency 2 = the pool) and gunicorn with REDIS_URL,
CACHE_TYPE=RedisCache and BACKGROUND=celery.  Jobs run on the worker with a time limit; then
Redis is killed and restarted under load, and every page's poll must end (a result or a clear
failure), with the app serving throughout and the worker consuming again afterwards."""
from __future__ import annotations

import threading
import time

import pytest
from conftest import Server, base_env, redis_cmd, start_celery, start_redis, wait_until
from dash_http import DISPATCH, DashApp, Http, poll_job

pytestmark = pytest.mark.serving

PASSWORD = "lab-redis-secret"
TIME_LIMIT_S = 6
OUTAGE_S = 2


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """(procs, redis port, celery, gunicorn server, DashApp) - all torn down."""
    tmp = tmp_path_factory.mktemp("scaleout")
    redis_proc, redis_port = start_redis(tmp, password=PASSWORD)
    procs = [redis_proc]
    try:
        env = {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "REDIS_PASSWORD": PASSWORD,
               "CACHE_TYPE": "RedisCache", "BACKGROUND": "celery", "REDIS_RETRY_S": "2",
               "JOB_TIME_LIMIT_S": str(TIME_LIMIT_S), "JOB_ABANDON_S": "10"}
        celery = start_celery(tmp, "app", base_env(tmp, **env))
        procs.append(celery)
        server = Server(tmp, name="gunicorn-redis", **env)
        procs.append(server.proc)
        server.wait_ready()
        h = server.http()
        dash_app = DashApp(h).settle(h)
        h.close()
        yield procs, redis_port, celery, server, dash_app
    finally:
        for p in reversed(procs):
            p.stop()


def _key(app: DashApp, **change) -> dict:
    return dict(app.props["mb-key"]["data"], **change)


def test_job_runs_on_the_celery_worker(stack):
    procs, redis_port, celery, server, app = stack
    h = server.http()
    try:
        run = poll_job(h, app, "gain", _key(app, seed=11, n_pulses=4), timeout_s=90)
    finally:
        h.close()
    assert run.ended == "done", run.texts[-4:]
    assert run.last.startswith("Done: three-level gain curve for 4 SASE pulses, computed in"), run.last
    wait_until(lambda: "explorer.run_job" in celery.log() and "succeeded in" in celery.log(), 10,
               "the task in the Celery log", celery)
    assert b"xray:job:" in redis_cmd(redis_port, "KEYS", "xray:job:*", password=PASSWORD)


def test_analytic_callbacks_fill_the_password_protected_redis_cache(stack):
    procs, redis_port, celery, server, app = stack
    assert redis_cmd(redis_port, "KEYS", "*").startswith(b"-NOAUTH")  # the password is required
    h = server.http()
    try:
        for spec in app.server_callbacks():
            if not app.is_job_poll(spec):
                r = h.post_json(DISPATCH, spec.payload(app.props))
                assert r.status in (200, 204), r.body[:300]
    finally:
        h.close()
    assert b"xray:" in redis_cmd(redis_port, "KEYS", "xray:*", password=PASSWORD)
    assert not any((server.data_dir / "cache").glob("[0-9a-f]" * 32))  # nothing went to the fallback
    assert PASSWORD not in server.proc.log() and PASSWORD not in celery.log()


def test_celery_time_limit_is_seen_by_the_page(stack):
    procs, redis_port, celery, server, app = stack
    h = server.http()
    try:  # ~15 s of work (gain curve, 100 fs, 100 pulses; within the job budget): stopped by the soft time limit
        run = poll_job(h, app, "gain", _key(app, seed=12, duration_fs=100.0, n_pulses=100), timeout_s=60)
    finally:
        h.close()
    assert run.ended == "failed", run.texts[-4:]
    assert f"time limit of {TIME_LIMIT_S} s" in run.last, run.last


def test_redis_killed_and_restarted_under_load_every_poll_ends(stack):
    procs, redis_port, celery, server, app = stack
    redis_proc = procs[0]
    runs: dict[int, object] = {}

    def page(i: int) -> None:
        http = Http(server.port, timeout=30)
        try:
            runs[i] = poll_job(http, app, "gain", _key(app, seed=500 + i, n_pulses=12, duration_fs=40.0),
                               timeout_s=120, interval_s=1.0)
        finally:
            http.close()

    pages = [threading.Thread(target=page, args=(i,)) for i in range(6)]
    for t in pages:
        t.start()
    def in_flight() -> int:
        counts = [redis_cmd(redis_port, "ZCARD", f"xray:jobs:{s}", password=PASSWORD) for s in ("queued", "running")]
        return sum(int(c[1:].strip() or 0) for c in counts if c.startswith(b":"))

    wait_until(lambda: in_flight() >= 3, 30, "the pages' jobs to be queued or running")  # the kill hits jobs in flight
    redis_proc.popen.kill()  # SIGKILL: no goodbye to the clients
    redis_proc.popen.wait(10)
    # Meanwhile the app keeps serving: analytic figures from the local fallback cache, /health OK.
    h = server.http()
    try:
        t0 = time.monotonic()
        for spec in app.server_callbacks():
            if not app.is_job_poll(spec):
                assert h.post_json(DISPATCH, spec.payload(app.props)).status in (200, 204)
        assert time.monotonic() - t0 < 20
        assert h.get("health").body == b"OK"
        assert 'explorer_degraded{reason="jobs"} 1' in h.get("metrics").body.decode()
    finally:
        h.close()
    time.sleep(OUTAGE_S)  # the outage lasts a while (the fault's length, not a wait for readiness)
    restarted, _ = start_redis(server.tmp, password=PASSWORD, port=redis_port)  # same port, empty (no persistence)
    procs[0] = restarted
    for t in pages:
        t.join(150)
    assert len(runs) == 6
    for run in runs.values():
        # Every poll ended: the curve, or a clear failure; none is left "computing" for ever.
        assert run.ended in ("done", "failed"), run.texts[-4:]
        if run.ended == "done":
            assert run.last.startswith("Done: three-level gain curve for 12 SASE pulses"), run.last
        else:
            assert run.last.startswith("Failed:") and "lost" in run.last, run.last
    seen = [t for run in runs.values() for t in run.texts]
    assert any(t.startswith("Lost contact with the job service") for t in seen), seen[:20]
    # After the restart the worker consumes again, promptly.
    h = server.http()
    try:
        t0 = time.monotonic()
        run = poll_job(h, app, "gain", _key(app, seed=999, n_pulses=3), timeout_s=60)
        assert run.ended == "done", run.texts[-4:]
        print(f"\nafter the Redis restart a new job was done in {time.monotonic() - t0:.1f} s; "
              f"pages: {sorted(r.ended for r in runs.values())}")
    finally:
        h.close()
    log = server.proc.log()
    assert "Traceback" not in log and "Exception on /" not in log
    assert "cache unreachable" in log
