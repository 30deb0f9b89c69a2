"""The real app on gunicorn, started with exactly the Dockerfile's command line."""
from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import free_port, healthcheck_cmd
from dash_http import DISPATCH, Http, poll_job

pytestmark = pytest.mark.serving


def test_health_answers_ok_and_unknown_paths_do_not(real_server):
    h = real_server.http()
    try:
        r = h.get("health")
        assert (r.status, r.body) == (200, b"OK")
        other = h.get("no-such-page")
        assert other.status == 200 and other.body != b"OK"  # why health checks compare the body
    finally:
        h.close()


def test_dockerfile_healthcheck_command_passes_and_fails(real_server, tmp_path):
    argv = healthcheck_cmd()
    assert argv[0] == "python"
    argv = [sys.executable] + argv[1:]
    ok = subprocess.run(argv, env={**real_server.env, "PORT": str(real_server.port)},
                        capture_output=True, timeout=20)
    assert ok.returncode == 0, ok.stderr.decode()
    dead = subprocess.run(argv, env={**real_server.env, "PORT": str(free_port())},
                          capture_output=True, timeout=20)
    assert dead.returncode != 0


def test_security_headers_and_csp_cover_inline_scripts(real_server):
    h = real_server.http()
    try:
        page = h.get("")
        assert page.status == 200
        hdr = page.headers
        assert hdr["x-content-type-options"] == "nosniff"
        assert hdr["x-frame-options"] == "SAMEORIGIN"
        assert hdr["referrer-policy"]
        csp = hdr["content-security-policy"]
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "'unsafe-inline'" not in script_src
        # Every executable inline script in the page is allowed by its hash.
        html = page.body.decode()
        html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
            if "src=" in attrs or "application/json" in attrs:
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_src, body[:80]
        assert h.get("_dash-dependencies").headers["x-content-type-options"] == "nosniff"
    finally:
        h.close()


def test_mcp_server_is_off(real_server):
    h = real_server.http()
    try:
        post = h.post_json("_mcp", {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
        assert post.status in (404, 405)
        assert b"jsonrpc" not in post.body
    finally:
        h.close()


def test_debug_is_off(real_server):
    h = real_server.http()
    try:
        config = re.search(rb'<script id="_dash-config" type="application/json">(.*?)</script>',
                           h.get("").body, re.S)
        assert json.loads(config.group(1))["ui"] is False  # no dev tools
        assert h.get("_reload-hash").json()["reloadHash"] is None  # no hot reload
    finally:
        h.close()


def test_real_callbacks_answer(real_server, real_dash):
    """Every callback of the app answers its initial-layout payload (no 500)."""
    server, dash_app = real_server, real_dash
    callbacks = dash_app.server_callbacks(background=False)
    assert callbacks, "no server-side callbacks with inputs in the layout"
    h = server.http()
    try:
        for spec in callbacks:
            r = h.post_json(DISPATCH, spec.payload(dash_app.props))
            assert r.status in (200, 204), (spec.output, r.status, r.body[:300])
            if r.status == 200:
                assert "response" in r.json() or "sideUpdate" in r.json()
        assert h.get("health").body == b"OK"
    finally:
        h.close()


def _cache_entries(cache_dir: Path) -> set[str]:
    if not cache_dir.is_dir():
        return set()
    return {p.name for p in cache_dir.iterdir() if p.is_file() and not p.name.startswith("__wz_cache")
            and p.name != "secret_key"}


def _pid_for(log: str, marker: str) -> int | None:
    lines = [ln for ln in log.splitlines() if marker in ln]
    if not lines:
        return None
    m = re.search(r"pid=<(\d+)>", lines[-1])
    return int(m.group(1)) if m else None


def test_two_workers_share_the_file_cache(real_server, real_dash):
    """A result computed by one worker is read from the shared FileSystemCache by the other:
    the cache directory gains entries on the first call only, while both workers answer."""
    cache_dir = real_server.data_dir / "cache"
    workers = set(real_server.worker_pids())
    assert len(workers) == 2
    for spec in real_dash.server_callbacks():
        if "mb-" in spec.output:
            continue  # the job status callbacks are tested in test_jobs.py
        for name in _cache_entries(cache_dir):  # start cold (files only; workers keep running)
            (cache_dir / name).unlink(missing_ok=True)
        payload = spec.payload(real_dash.props)
        h = Http(real_server.port)
        first = h.post_json(DISPATCH + "?probe=first", payload)
        h.close()
        assert first.status in (200, 204)
        after_first = _cache_entries(cache_dir)
        if not after_first:
            continue  # this callback caches nothing; try the next one
        served_by: set[int] = set()
        for i in range(200):  # new connections until both workers have answered
            h = Http(real_server.port)
            r = h.post_json(f"{DISPATCH}?probe={i}", payload)
            h.close()
            assert r.status == first.status
            assert r.body == first.body  # same answer, whichever worker computed it
            time.sleep(0.01)
            pid = _pid_for(real_server.proc.log(), f"probe={i} ")
            if pid:
                served_by.add(pid)
            if served_by >= workers:
                break
        assert served_by >= workers, f"requests were not spread over both workers: {served_by}"
        assert _cache_entries(cache_dir) == after_first, "a worker recomputed instead of reading the cache"
        return
    pytest.fail("no callback of the app writes to the cache")


def test_mb_job_polls_land_on_both_workers(real_server, real_dash):
    """Each poll on a new connection (so they spread over both workers): the job submitted by one
    worker is reported by the other, and the status line ends "Done" naming the pulses used."""
    class FreshHttp(Http):
        def request(self, *a, **k):
            self.close()
            return super().request(*a, **k)

    key = dict(real_dash.props["mb-key"]["data"], seed=4242, n_pulses=3)
    run = poll_job(FreshHttp(real_server.port), real_dash, "gain", key, timeout_s=60, interval_s=0.3)
    assert run.ended == "done", run.texts[-5:]
    assert run.last.startswith("Done: three-level gain curve for 3 SASE pulses, computed in"), run.last
    assert any(t.startswith(("Queued", "Running")) for t in run.texts), run.texts[:5]
    assert set(run.statuses) == {200}


def test_oversized_request_gets_413_and_server_stays_healthy(real_server):
    h = real_server.http()
    try:
        limit = int(real_server.env.get("MAX_UPLOAD_BYTES", 2 * 1024 * 1024))
        big = b'{"output": "' + b"x" * (limit + 10) + b'"}'
        r = h.request("POST", DISPATCH, big, {"Content-Type": "application/json"})
        assert r.status == 413
        assert "error" in json.loads(r.body)
    finally:
        h.close()
    assert Http(real_server.port).get("health").body == b"OK"


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b"null", b'{"output": 5}', b'{"output": "nope.children"}', b"{}",
    b'{"output": "x.y", "inputs": "abc"}',
])
def test_malformed_callback_envelopes_get_400(real_server, body):
    h = real_server.http()
    try:
        r = h.request("POST", DISPATCH, body, {"Content-Type": "application/json"})
        assert r.status == 400, r.body[:200]
    finally:
        h.close()


def test_killed_worker_is_replaced(real_server):
    """SIGKILL one worker: the master boots a new one and /health keeps answering."""
    import os
    import signal

    before = real_server.worker_pids()
    victim = random.choice(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = real_server.worker_pids()
        if len(now) == len(before) and victim not in now:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"worker {victim} was not replaced: {real_server.worker_pids()}")
    h = real_server.http()
    try:
        for _ in range(10):
            assert h.get("health").body == b"OK"
    finally:
        h.close()


def test_fresh_workers_serve_parallel_script_requests(tmp_path):
    """The browser fetches the page's scripts in parallel, possibly from a worker that has
    never answered a request: none of them may fail (Dash's lazy setup is done at start)."""
    import re as _re
    import threading

    from conftest import start_server

    server = start_server(tmp_path, name="fresh")
    try:
        page = Http(server.port).get("")
        srcs = _re.findall(r'<script src="([^"]+)"', page.body.decode())
        assert srcs
        statuses: list[int] = []

        def fetch(src: str) -> None:
            h = Http(server.port, prefix="/")
            try:
                statuses.append(h.get(src.lstrip("/")).status)
            finally:
                h.close()

        threads = [threading.Thread(target=fetch, args=(s,)) for s in srcs * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert statuses and all(s == 200 for s in statuses), statuses
        assert "Exception on /" not in server.proc.log()
    finally:
        server.stop()
