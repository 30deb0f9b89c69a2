"""Issue 13 on the gunicorn-served app: hostile uploads answered in bounded time with /health
green, forged envelopes answered 400 JSON with one log line and no traceback, /metrics."""
from __future__ import annotations

import base64
import json
import re
import threading
import time

import pytest
from dash_http import DISPATCH, Http

pytestmark = pytest.mark.serving


def _upload_spec(app):
    specs = [c for c in app.callbacks if "upload-store.data" in c.output and c.inputs
             and c.inputs[0]["id"] == "upload-pending"]
    assert len(specs) == 1, [c.output for c in app.callbacks]
    return specs[0]


def _upload_payload(app, text: str, name: str) -> dict:
    contents = "data:text/csv;base64," + base64.b64encode(text.encode()).decode()
    return _upload_spec(app).payload(app.props, {("upload-pending", "data"): {"contents": contents, "filename": name}})


@pytest.mark.parametrize("line", ["1," * 80_000, "7" * 160_000, "775.1;" * 27_000])
def test_two_parallel_hostile_single_line_uploads_answer_within_2s(real_server, real_dash, line):
    """160 KB on one line (the quadratic csv.Sniffer case): both answered in < 2 s with a message,
    and /health answers OK throughout."""
    answers: dict[int, tuple[float, int, str]] = {}
    health: list[tuple[float, int, bytes]] = []
    done = threading.Event()

    def upload(i: int) -> None:
        h = real_server.http(timeout=30)
        t0 = time.monotonic()
        try:
            r = h.post_json(DISPATCH, _upload_payload(real_dash, line, f"hostile{i}.csv"))
            msg = r.json()["response"]["upload-message"]["children"] if r.status == 200 else r.body.decode()[:200]
            answers[i] = (time.monotonic() - t0, r.status, msg)
        finally:
            h.close()

    def probe() -> None:
        h = real_server.http(timeout=5)
        try:
            while not done.is_set():
                t0 = time.monotonic()
                r = h.get("health")
                health.append((time.monotonic() - t0, r.status, r.body))
                time.sleep(0.1)
        finally:
            h.close()

    prober = threading.Thread(target=probe)
    prober.start()
    uploads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for t in uploads:
        t.start()
    for t in uploads:
        t.join(30)
    done.set()
    prober.join(10)
    print(f"\nuploads of {len(line) // 1000} KB on one line: "
          + ", ".join(f"{s:.2f} s" for s, _, _ in answers.values())
          + f"; /health {len(health)} probes, slowest {max(s for s, _, _ in health) * 1000:.0f} ms")
    assert len(answers) == 2
    for seconds, status, msg in answers.values():
        assert status == 200 and seconds < 2.0, (seconds, status, msg)
        text = msg if isinstance(msg, str) else json.dumps(msg, ensure_ascii=False)  # a notice component
        assert "was not used" in text and "characters long" in text, text
    assert health and all(s == 200 and b == b"OK" for _, s, b in health)
    assert max(s for s, _, _ in health) < 2.0


def _post(server, body: bytes):
    h = server.http()
    try:
        return h.request("POST", DISPATCH, body, {"Content-Type": "application/json"})
    finally:
        h.close()


def test_forged_envelopes_get_400_json_one_log_line_no_traceback(real_server, real_dash):
    spec = next(c for c in real_dash.server_callbacks() if c.output == "mb-key.data")
    good = spec.payload(real_dash.props)
    forged_outputs = dict(good, outputs={"id": "mb-gain-store", "property": "data"})  # passes the shape check
    wrong_prop = dict(good, outputs={"id": "mb-key", "property": "children"})
    deep = b'{"output": "mb-key.data", "inputs": ' + b"[" * 995 + b"]" * 995 + b"}"  # RecursionError depth
    deeper = b"[" * 100_000 + b"]" * 100_000
    nested_ok_json = json.dumps(dict(good, state=[{"id": "mb-key", "property": "data", "value": [[[[1]]]]}])).encode()
    cases = {"deep": deep, "deeper": deeper, "forged outputs": json.dumps(forged_outputs).encode(),
             "wrong output property": json.dumps(wrong_prop).encode()}
    marker = f"probe-{time.monotonic_ns()}"
    before = len(real_server.proc.log())
    for name, body in cases.items():
        r = _post(real_server, body)
        assert r.status == 400, (name, r.status, r.body[:200])
        assert r.headers["content-type"].startswith("application/json") and "error" in r.json(), name
    assert _post(real_server, nested_ok_json).status == 200  # a value nested a little is the callback's business
    assert _post(real_server, json.dumps(good).encode()).status == 200
    h = real_server.http()
    try:
        for path in (f"_dash-component-suites/dash/{marker}.js", "_dash-component-suites/nopkg/x.js",
                     "_dash-component-suites/dash/..%2f..%2fapp.py", "_dash-component-suites/os/path.py",
                     "_dash-component-suites/dash/dash-renderer/build/none.v1_0_0m1.js"):
            r = h.get(path)
            assert r.status == 400, (path, r.status, r.body[:200])
            assert "error" in r.json()
        assert h.get("health").body == b"OK"
    finally:
        h.close()
    log = real_server.proc.log()[before:]
    assert "Traceback" not in log and "Exception on" not in log, log[-3000:]
    app_lines = [ln for ln in log.splitlines() if "explorer.security: 400" in ln]
    assert len(app_lines) == len(cases) + 5, app_lines  # one line per rejected request
    assert sum(marker in ln for ln in app_lines) == 1


def test_metrics_in_prometheus_text_format(real_server):
    h = real_server.http()
    try:
        r = h.get("metrics")
        assert r.status == 200 and r.headers["content-type"].startswith("text/plain")
        text = r.body.decode()
        for name in ("explorer_jobs_queued", "explorer_jobs_running", "explorer_job_pool_size",
                     "explorer_cache_hits_total", "explorer_cache_misses_total"):
            assert re.search(rf"^# TYPE {name} (gauge|counter)$", text, re.M), name
            assert re.search(rf"^{name} \d+(\.\d+)?$", text, re.M), name
        assert re.search(r'^explorer_degraded\{reason="jobs"\} 0$', text, re.M)
        assert re.search(r'^explorer_degraded\{reason="cache"\} 0$', text, re.M)
        assert h.get("health").body == b"OK"  # /health stays a constant OK for container checks
    finally:
        h.close()
    assert Http(real_server.port).get("metrics").headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("handle", [
    {"client": "x", "key": {"a": 1}, "job": 5, "state": "running", "lost": "abc", "unavailable": [1]},
    {"client": "y" * 500, "lost": 10**30}, "handle", [1, 2], {"client": None}, 12,
])
def test_job_poll_with_a_forged_handle_or_key_answers(real_server, real_dash, handle):
    """The page's job handle and the MB key are client data: forged ones get an answer, never a 500."""
    from dash_http import job_callback

    spec = job_callback(real_dash, "gain")
    h = real_server.http()
    try:
        for key in (real_dash.props["mb-key"]["data"], {"duration_fs": "x"}, None, [1]):
            overrides = {}
            for d in spec.inputs + spec.state:
                if d["id"] == "mb-key":
                    overrides[(d["id"], "data")] = key
                elif d["property"] == "n_intervals":
                    overrides[(d["id"], "n_intervals")] = 3
                else:
                    overrides[(d["id"], "data")] = handle
            r = h.post_json(DISPATCH, spec.payload(real_dash.props, overrides))
            assert r.status in (200, 204), (key, handle, r.status, r.body[:300])
    finally:
        h.close()
