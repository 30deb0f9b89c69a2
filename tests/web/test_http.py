"""Callbacks through Dash's HTTP endpoint (Flask test client): forged, out-of-range and
malformed inputs are answered with a message or no update (204), never a 500."""
from __future__ import annotations

import json

import pytest

from components import controls, engine, ids, mb_jobs
from pages.spectra import SPEC
from physics import parameters
from tests.web.helpers import CONTROLS, assert_answered, payload, post

FORGED = [None, "abc", float("nan"), float("inf"), 10**400, 1e308, True, [], {}, [1, [2]], {"a": {"b": 1}},
          "<script>alert(1)</script>", -1e9]
DEFAULT_CONTROLS = {p.name: controls.to_control(p, p.default) for p in parameters.PARAMETERS}


def _json(resp):
    return json.loads(resp.get_data(as_text=True))


NOTICE = ids.controls_notice(ids.SPECTRA)
CHECK = ids.controls_check(ids.SPECTRA)  # the browser asks for a notice by writing this store


def test_default_update_of_params_and_figures(client, app_and_cache):
    app, _ = app_and_cache
    r = post(client, payload(app, NOTICE, {CONTROLS: DEFAULT_CONTROLS, CHECK: {"changed": "fluence_mj_cm2"}}))
    assert r.status_code == 200
    assert _json(r)["response"][NOTICE]["children"] == ""
    store = parameters.defaults()  # what the browser writes (assets/explorer.js live)
    r = post(client, payload(app, "spectra-graph", {ids.PARAMS: store, ids.UPLOAD_STORE: None, ids.LARGE: []}))
    assert r.status_code == 200
    fig = _json(r)["response"]["spectra-graph"]["figure"]
    assert len(fig["data"]) >= 7 and len(fig["data"][-1]["x"]) == 601
    r = post(client, payload(app, "kpi-nonlinear-peak", {ids.PARAMS: store, ids.UPLOAD_STORE: None}))
    assert _json(r)["response"]["kpi-nonlinear-peak"]["children"] == "0.615"


@pytest.mark.parametrize("bad", FORGED)
def test_forged_control_values_give_a_message(client, app_and_cache, bad):
    app, _ = app_and_cache
    for name in ("fluence_mj_cm2", "duration_fs", "seed", "spectrum_mode"):
        values = dict(DEFAULT_CONTROLS, **{name: bad})
        body = payload(app, NOTICE, {CONTROLS: values, CHECK: {"changed": name}})
        r = post(client, body)
        assert_answered(r, body)
        if r.status_code == 200:
            usable = True
            try:
                controls.from_control(SPEC, name, bad)
            except Exception:  # noqa: BLE001 - any refusal must come with a notice
                usable = False
            notice = _json(r)["response"][NOTICE]["children"]
            assert bool(notice) != usable, (name, bad, notice)


@pytest.mark.parametrize("bad", FORGED + [{"fluence_mj_cm2": 1e12}, {"fluence_mj_cm2": "7500"}, {"x": 1}])
@pytest.mark.parametrize("target", ["spectra-graph", "difference-graph", "model-graph", "kpi-nonlinear-peak",
                                    "gain-graph", "transmission-graph", "mb-key"])
def test_forged_params_store_never_500(client, app_and_cache, bad, target):
    app, _ = app_and_cache
    values = {ids.PARAMS: bad, ids.UPLOAD_STORE: bad, ids.LARGE: bad, ids.DIFFERENCE_UNITS: bad,
              ids.GAIN_AXIS: bad, ids.MB_GAIN_STORE: bad, ids.MB_TRANSMISSION_STORE: bad}
    body = payload(app, target, values, state={"mb-key": bad})
    r = post(client, body)
    assert_answered(r, body)


@pytest.mark.parametrize("target,values", [
    ("upload-store", {"upload-pending": {"contents": "data:text/csv;base64,!!", "filename": "x.csv"}}),
    ("upload-store", {"upload-pending": {"contents": 10**400, "filename": ["x"]}}),
    ("spectra-presets-description", {"spectra-presets-menu": {"evil": 1}}),
])
def test_other_forged_inputs(client, app_and_cache, target, values):
    app, _ = app_and_cache
    body = payload(app, target, values)
    r = post(client, body)
    assert_answered(r, body)
    if r.status_code == 400:
        return
    if target == "upload-store":
        assert "was not used" in json.dumps(_json(r)["response"]["upload-message"]["children"], ensure_ascii=False)


@pytest.mark.parametrize("click", [None, {"points": [{"x": float("nan")}]}, {"points": [{"x": 10**400}]}, "x",
                                   {"points": [{"x": 1e-300}]}])
def test_forged_click_data(client, app_and_cache, click):
    app, _ = app_and_cache
    for graph in ("gain-graph", "transmission-graph"):
        key = next(k for k in app.callback_map if '"name":"fluence_mj_cm2"' in k
                   and any(i["id"] == graph for i in app.callback_map[k]["inputs"]))
        cb = app.callback_map[key]
        body = {"output": key, "outputs": {"id": ids.FLUENCE_SLIDER, "property": key.rsplit(".", 1)[1]},
                "inputs": [{"id": graph, "property": "clickData", "value": click}],
                "state": [{"id": s["id"], "property": s["property"], "value": parameters.defaults()
                           if s["id"] == ids.PARAMS else "fluence"} for s in cb["state"]],
                "changedPropIds": [f"{graph}.clickData"]}
        r = post(client, body)
        assert_answered(r, body)


def test_mb_jobs_logic_with_forged_keys(app_and_cache):
    app, cache = app_and_cache
    eng = engine.make_engine(cache)
    with app.server.app_context():
        rec = mb_jobs.run_job(eng, "gain", {"duration_fs": "x"})
        assert rec["key"] is None and "malformed" in rec["error"]
        key = engine.mb_key(parameters.defaults())
        assert mb_jobs.update_key(parameters.defaults(), key) is mb_jobs.no_update
        assert mb_jobs.update_key(parameters.defaults(), None) == key
        assert mb_jobs.update_key("forged", None) is mb_jobs.no_update
        curve, why = mb_jobs.curve_for(eng, "gain", key, {"key": key, "error": "boom"})
        assert curve is None and why == "boom"
        curve, why = mb_jobs.curve_for(eng, "gain", key, None)
        assert curve is None and "being computed" in why


def test_mb_job_computes_and_caches(app_and_cache, monkeypatch):
    """The job fills the memoized cache; the status poll and the figures then read it without computing."""
    app, cache = app_and_cache
    calls = []

    def fake_gain(key, n_pulses=None):
        calls.append(dict(key))
        return {"fluence_mj_cm2": [1.0, 10.0], "intensity_mj_cm2_fs": [0.04, 0.4], "efficiency": [1e-6, 1e-5],
                "efficiency_std": [0.0, 0.0], "stimulated_fraction": [1e-6, 1e-5],
                "n_pulses": n_pulses or key["n_pulses"], "n_pulses_requested": key["n_pulses"]}

    monkeypatch.setattr(engine, "compute_mb_gain", fake_gain)
    eng = engine.make_engine(cache)
    key = engine.mb_key(parameters.defaults())
    progress = []
    with app.server.app_context():
        rec = mb_jobs.run_job(eng, "gain", key, progress.append)
        assert rec["key"] == key and rec["ok"] and rec["n_pulses"] == 20
        assert progress and "20 SASE pulses" in progress[0]
        curve, why = mb_jobs.curve_for(eng, "gain", key, None)
        assert curve["efficiency"] == [1e-6, 1e-5] and why == ""
        handle, text, _cls, stop, ready = mb_jobs.poll(eng, mb_jobs.InlineJobs(None), "gain", key, None)
        assert stop and ready["ok"] and "Done" in text and "20 SASE pulses" in text
    assert len(calls) == 1  # the poll found it in the cache
