"""Settings and serving units (in-process, no servers): defaults, validation, the Redis
fallback cache, the callback-envelope check, strict JSON, MCP off."""
from __future__ import annotations

import logging
import os
import time

import pytest
import redis

from serving import cache as cache_module
from serving import security, settings


def test_defaults_are_the_embedded_single_host_setup(tmp_path):
    s = settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path)})
    assert s.debug is False
    assert s.cache_type == "FileSystemCache" and s.background == "pool" and s.redis_url is None
    assert s.url_base_pathname == "/" and s.log_level == "INFO"
    assert s.cache_dir.startswith(str(tmp_path)) and s.jobs_dir.startswith(str(tmp_path))
    assert s.job_pool_size == len(os.sched_getaffinity(0)) and s.job_queue_max == 8
    assert s.job_max_mb == 500 and s.job_time_limit_s > 0 and s.job_abandon_s > 0
    assert settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path), "BACKGROUND": "diskcache"}).background == "pool"


def test_redis_password_from_the_environment(tmp_path):
    env = {"EXPLORER_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://redis:6379/0", "REDIS_PASSWORD": "p@ss/w"}
    assert settings.from_env(env).redis_url == "redis://:p%40ss%2Fw@redis:6379/0"
    env["REDIS_URL"] = "redis://:given@redis:6379/0"  # a password in the URL wins
    assert settings.from_env(env).redis_url == "redis://:given@redis:6379/0"
    from serving.jobs import redacted
    assert "given" not in redacted(settings.from_env(env).redis_url)


def test_job_budget_degrades_then_rejects():
    from serving.budget import Budget, Estimate, OverBudget, plan

    def est(n):  # 100 MB + 20 MB per pulse, 1 s per pulse
        return Estimate((100 + 20 * n) * 2**20, 1.0 * n)

    budget = Budget(500 * 2**20, 60)
    assert plan(10, est, budget).n_pulses == 10 and not plan(10, est, budget).degraded
    p = plan(200, est, budget)
    assert p.n_pulses == 20 and p.degraded and p.estimate.peak_bytes <= budget.max_bytes
    assert plan(200, est, Budget(10**12, 7.5)).n_pulses == 7  # the time budget binds
    with pytest.raises(OverBudget):
        plan(5, est, Budget(50 * 2**20, 60))


def test_one_secret_for_every_worker(tmp_path):
    env = {"EXPLORER_DATA_DIR": str(tmp_path)}
    assert settings.from_env(env).secret_key == settings.from_env(env).secret_key
    assert settings.from_env({**env, "SECRET_KEY": "abc"}).secret_key == "abc"


def test_redis_url_switches_to_the_shared_cache(tmp_path):
    s = settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://h:6379/0",
                           "BACKGROUND": "celery", "URL_PREFIX": "lab/x"})
    assert s.cache_type == "RedisCache" and s.background == "celery"
    assert s.url_base_pathname == "/lab/x/"


@pytest.mark.parametrize("env", [
    {"CACHE_TYPE": "Memcached"}, {"BACKGROUND": "celery"}, {"CACHE_TYPE": "RedisCache"},
    {"LOG_LEVEL": "chatty"}, {"BACKGROUND": "threads"}, {"JOB_POOL_SIZE": "0"}, {"JOB_QUEUE_MAX": "-1"},
    {"JOB_TIME_LIMIT_S": "nan"}, {"JOB_MAX_MB": "lots"},
])
def test_wrong_settings_fail_at_start(tmp_path, env):
    with pytest.raises(ValueError):
        settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path), **env})


def test_debug_only_when_asked(tmp_path):
    assert settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path), "DEBUG": "1"}).debug is True
    assert settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path), "DEBUG": "no"}).debug is False


class FlakyRedis:
    def __init__(self):
        self.up = False
        self.store = {}

    def _check(self):
        if not self.up:
            raise redis.exceptions.ConnectionError("Connection refused")

    def get(self, key):
        self._check()
        return self.store.get(key)

    def set(self, key, value, timeout=None):
        self._check()
        self.store[key] = value
        return True


def test_resilient_cache_falls_back_logs_once_and_recovers(tmp_path, caplog):
    from flask_caching.backends.filesystemcache import FileSystemCache

    primary = FlakyRedis()
    cache = cache_module.ResilientCache(primary, FileSystemCache(str(tmp_path)), retry_s=0.2)
    with caplog.at_level(logging.WARNING, logger="explorer.cache"):
        for i in range(20):
            assert cache.set(f"k{i}", i)
            assert cache.get(f"k{i}") == i  # served by the local fallback
        assert cache.degraded
        assert sum("unreachable" in r.message for r in caplog.records) == 1
        primary.up = True
        time.sleep(0.25)
        assert cache.set("shared", 1) and primary.store["shared"] == 1
        assert not cache.degraded
        assert sum("reachable again" in r.message for r in caplog.records) == 1


def test_strict_json_rejects_what_no_browser_sends():
    assert security.strict_json_loads(b'{"a": [1, 2.5, 1e308, "NaN"]}') == {"a": [1, 2.5, 1e308, "NaN"]}
    for bad in (b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": 1e999}', b'{"a": ' + b"9" * 400 + b"}", b"\xff"):
        with pytest.raises(ValueError):
            security.strict_json_loads(bad)


def test_csp_has_no_inline_or_eval_scripts():
    csp = security.content_security_policy(["'sha256-x'"])
    script = next(p for p in csp.split("; ") if p.startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp


@pytest.fixture
def mini(tmp_path, monkeypatch):
    """A hardened app with one callback, built with the Explorer's security."""
    import dash
    from dash import Input, Output, dcc, html

    monkeypatch.setenv("DASH_MCP_ENABLED", "true")  # must not switch the MCP server on
    s = settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path)})
    app = dash.Dash(__name__, enable_mcp=False, health_endpoint="health")
    app.layout = html.Div([dcc.Input(id="a", value=1), html.Div(id="b")])

    @app.callback(Output("b", "children"), Input("a", "value"))
    def echo(a):
        return str(a)

    security.harden(app, s)
    return app


def payload(**changes):
    body = {"output": "b.children", "outputs": {"id": "b", "property": "children"},
            "inputs": [{"id": "a", "property": "value", "value": 3}], "state": [],
            "changedPropIds": ["a.value"]}
    body.update(changes)
    return body


def test_envelope_check(mini):
    assert security.check_callback_request(mini, payload()) is None
    assert security.check_callback_request(mini, payload(output="x.y"))
    assert security.check_callback_request(mini, payload(inputs=[]))
    assert security.check_callback_request(mini, payload(inputs=[{"id": "zzz", "property": "value"}]))
    assert security.check_callback_request(mini, payload(outputs=None))
    assert security.check_callback_request(mini, payload(changedPropIds="a.value"))
    assert security.check_callback_request(mini, [payload()])


def test_hardened_app_answers_and_mcp_stays_off(mini):
    c = mini.server.test_client()
    r = c.post("/_dash-update-component", json=payload())
    assert r.status_code == 200 and r.headers["X-Content-Type-Options"] == "nosniff"
    assert c.post("/_dash-update-component", data=b'{"output": NaN}',
                  content_type="application/json").status_code == 400
    assert not any("_mcp" in rule.rule for rule in mini.server.url_map.iter_rules())
    assert c.get("/health").data == b"OK"


def test_file_cache_prunes_in_batches(tmp_path):
    """Past its threshold the file cache must not rescan the directory on every set."""
    cache = cache_module.PrunedFileSystemCache(str(tmp_path), threshold=100, default_timeout=3600)
    scans = 0
    original = cache._list_dir

    def counting_list_dir():
        nonlocal scans
        scans += 1
        return original()

    cache._list_dir = counting_list_dir
    for i in range(400):
        cache.set(f"k{i}", i)
    assert cache.get("k399") == 399 and cache.get("k0") is None
    assert cache._file_count <= 100
    assert scans <= 2 * (300 // 20 + 1)  # one prune (two scans) per 20 new entries, not per set


def test_envelope_check_with_pattern_matching_outputs(tmp_path):
    """MATCH and ALL outputs as the renderer sends them pass; forged ids (other type, other
    property, fixed value changed) get a reason."""
    import dash
    from dash import ALL, MATCH, Input, Output, dcc, html

    s = settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path)})
    app = dash.Dash(__name__, enable_mcp=False)
    app.layout = html.Div([dcc.Input(id={"type": "ctl", "index": i}, value=i) for i in range(2)]
                          + [html.Div(id={"type": "out", "index": i}) for i in range(2)] + [html.Div(id="total")])

    @app.callback(Output({"type": "out", "index": MATCH}, "children"), Input({"type": "ctl", "index": MATCH}, "value"))
    def each(v):
        return str(v)

    @app.callback(Output({"type": "out", "index": ALL}, "title"), Output("total", "children"),
                  Input({"type": "ctl", "index": ALL}, "value"))
    def all_(vs):
        return [str(v) for v in vs], str(sum(vs))

    security.harden(app, s)
    match_key = next(k for k in app.callback_map if "MATCH" in k)
    all_key = next(k for k in app.callback_map if k.startswith(".."))
    ctl = [{"id": {"type": "ctl", "index": i}, "property": "value", "value": i} for i in range(2)]
    ok_match = {"output": match_key, "outputs": {"id": {"type": "out", "index": 1}, "property": "children"},
                "inputs": [ctl[1]], "changedPropIds": []}
    titles = [{"id": {"type": "out", "index": i}, "property": "title"} for i in range(2)]
    ok_all = {"output": all_key, "outputs": [titles, {"id": "total", "property": "children"}],
              "inputs": [ctl], "changedPropIds": []}
    assert security.check_callback_request(app, ok_match) is None
    assert security.check_callback_request(app, ok_all) is None
    forged = [
        dict(ok_match, outputs={"id": {"type": "ctl", "index": 1}, "property": "children"}),
        dict(ok_match, outputs={"id": {"type": "out", "index": 1}, "property": "style"}),
        dict(ok_match, outputs={"id": {"type": "out", "index": 1, "x": 2}, "property": "children"}),
        dict(ok_all, outputs=[ok_all["outputs"][0], {"id": "other", "property": "children"}]),
        dict(ok_all, outputs=[[{"id": {"type": "zzz", "index": 0}, "property": "title"}], ok_all["outputs"][1]]),
    ]
    for body in forged:
        assert security.check_callback_request(app, body), body["outputs"]
    c = app.server.test_client()
    assert c.post("/_dash-update-component", json=ok_all).status_code == 200
    assert c.post("/_dash-update-component", json=forged[3]).status_code == 400


def test_single_output_callback_rejects_a_list_of_outputs(mini):
    """``outputs: []`` for a plain single-output callback once reached Dash and ended in a 500."""
    assert security.check_callback_request(mini, payload(outputs=[]))
    assert security.check_callback_request(mini, payload(outputs=[{"id": "b", "property": "children"}]))
    r = mini.server.test_client().post("/_dash-update-component", json=payload(outputs=[]))
    assert r.status_code == 400 and "outputs" in r.get_json()["error"]


def test_request_limit_carries_the_largest_allowed_upload(tmp_path):
    """One upload limit (components/upload.MAX_BYTES, also handed to the browser's check); the HTTP
    request limit of the settings must carry such a file as base64 inside a callback request."""
    from components import upload

    s = settings.from_env({"EXPLORER_DATA_DIR": str(tmp_path)})
    assert s.max_upload_bytes >= upload.request_bytes_for(upload.MAX_BYTES) > upload.MAX_BYTES
