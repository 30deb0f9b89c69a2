"""The magnetic-scattering page's callbacks through Dash's HTTP endpoint (Flask test client):
the whole update chain with real numbers, and forged inputs answered with a message or no
update, never a 500."""
from __future__ import annotations

import json

import pytest

from components import controls, ids, magnetic_export, magnetic_sources
from pages.magnetic import SPEC
from physics import scattering_parameters as sp
from tests.serving.dash_http import router_payload
from tests.web.helpers import CONTROLS, assert_answered, payload, post

FORGED = [None, "abc", float("nan"), float("inf"), 10**400, 1e308, True, [], {}, [1, [2]], {"a": {"b": 1}},
          "<script>alert(1)</script>", -1e9]
DEFAULT_CONTROLS = {p.name: controls.to_control(p, p.default) for p in sp.PARAMETERS}
STATIC_FIGURES = ("spectrum", "budget", "selfdemag")


def _json(resp):
    return json.loads(resp.get_data(as_text=True))


def update(client, app, params: dict) -> tuple[dict, dict]:
    """params store -> (result record, static params) as the page's first step answers."""
    r = post(client, payload(app, ids.MAG_RESULT, {ids.MAG_PARAMS: params}, state={ids.MAG_STATIC: None}))
    assert r.status_code == 200
    resp = _json(r)["response"]
    return resp[ids.MAG_RESULT]["data"], resp[ids.MAG_STATIC]["data"]


def figure(client, app, key: str, record, static=None, large=None) -> tuple[dict, str]:
    g = ids.MAG_GRAPHS[key]
    if key in STATIC_FIGURES:
        body = payload(app, g.id, {ids.MAG_STATIC: static, ids.LARGE: large}, state={ids.MAG_RESULT: record})
    else:
        body = payload(app, g.id, {ids.MAG_RESULT: record, ids.LARGE: large})
    r = post(client, body)
    assert_answered(r, body)
    resp = _json(r)["response"]
    return resp[g.id]["figure"], resp[g.note]["children"]


NOTICE = ids.controls_notice(ids.MAGNETIC)
CHECK = ids.controls_check(ids.MAGNETIC)  # the browser asks the server for a notice by writing this store


def check(client, app, values: dict, changed: str):
    """The server's check of the controls (the browser maps them to the params store itself)."""
    body = payload(app, NOTICE, {CONTROLS: values, CHECK: {"changed": changed}})
    r = post(client, body)
    assert_answered(r, body)
    return _json(r)["response"] if r.status_code == 200 else None


def test_controls_to_params_to_every_figure(client, app_and_cache):
    app, _ = app_and_cache
    values = dict(DEFAULT_CONTROLS, source="fel")
    assert check(client, app, values, "source")[NOTICE]["children"] == ""  # usable: no notice
    store, error = controls.params_from_controls(SPEC, values)  # what explorer.js writes (mirrors it)
    assert error is None and store == dict(sp.TABLE.defaults(), source="fel")
    record, static = update(client, app, store)
    assert record == {"params": store} and static["source"] == "fel" and "delay_ps" not in static
    for key in ids.MAG_GRAPHS:
        fig, note = figure(client, app, key, record, static, [])
        assert fig["data"] and note, key
    fig, note = figure(client, app, "dynamics", record)
    assert "X-ray FEL records M = 0.6" in note  # the FEL follows the 0.35 drop: M(1 ps) = 0.66
    r = post(client, payload(app, "mag-kpi-q1", {ids.MAG_RESULT: record}))
    kpis = {k: v["children"] for k, v in _json(r)["response"].items()}
    assert kpis["mag-kpi-q1"] == "0.0417" and kpis["mag-kpi-step"] == "0.347" and kpis["mag-kpi-kept"] == "0.837"


def test_forged_control_values_give_a_message(client, app_and_cache):
    app, _ = app_and_cache
    for bad in FORGED:
        for name in ("delay_ps", "period_nm", "source", "seed", "grid_n"):
            resp = check(client, app, dict(DEFAULT_CONTROLS, **{name: bad}), name)
            if resp is not None:
                assert "notice-body error" in json.dumps(resp[NOTICE]["children"]), (name, bad)


def test_out_of_range_delay_position_is_refused_not_clamped(client, app_and_cache):
    app, _ = app_and_cache
    resp = check(client, app, dict(DEFAULT_CONTROLS, delay_ps=50.0), "delay_ps")  # asinh(4000) is 8.99
    assert "Pump-probe delay" in json.dumps(resp[NOTICE]["children"])
    assert controls.params_from_controls(SPEC, dict(DEFAULT_CONTROLS, delay_ps=50.0))[0] is None


@pytest.mark.parametrize("bad", FORGED + [{"params": {"delay_ps": 1e9}}, {"params": {"source": "x"}}, {"error": 5},
                                          {"params": None}, {"params": {"grid_n": 100000}}])
def test_forged_stores_never_500(client, app_and_cache, bad):
    app, _ = app_and_cache
    targets = [ids.MAG_RESULT, "mag-kpi-q1", magnetic_sources.TABLE_ID, *(g.id for g in ids.MAG_GRAPHS.values())]
    for target in targets:
        values = {ids.MAG_PARAMS: bad, ids.MAG_RESULT: bad, ids.MAG_STATIC: bad, ids.LARGE: bad}
        body = payload(app, target, values, state={ids.MAG_RESULT: bad, ids.MAG_STATIC: bad})
        r = post(client, body)
        assert_answered(r, body)
        if r.status_code == 200 and target in (g.id for g in ids.MAG_GRAPHS.values()):
            fig = _json(r)["response"][target]["figure"]
            assert fig["data"] == [] and fig["layout"]["annotations"][0]["text"]  # a message, not a blank box


@pytest.mark.parametrize("target,values,state", [
    (magnetic_export.CSV_DOWNLOAD, {magnetic_export.CSV_BUTTON: 1},
     {magnetic_export.TABLE_MENU: {"x": 1}, ids.MAG_RESULT: {"params": {"delay_ps": "x"}}}),
    (magnetic_export.JSON_DOWNLOAD, {magnetic_export.JSON_BUTTON: 10**400}, {ids.MAG_PARAMS: [1]}),
    (magnetic_export.JSON_DOWNLOAD, {magnetic_export.JSON_BUTTON: 1}, {ids.MAG_PARAMS: {"seed": -1}}),
    (ids.preset_description(ids.MAGNETIC), {ids.presets_menu(ids.MAGNETIC): {"evil": 1}}, {}),
    (ids.MAG_GRAPHS["domains"].id + "-config", {magnetic_export.IMAGE_FORMAT: "<svg>"}, {}),
    (ids.MAG_DELAY_SLIDER, {ids.MAG_GRAPHS["dynamics"].id: {"points": [{"x": 10**400}]}}, {}),
    (ids.MAG_DELAY_SLIDER, {ids.MAG_GRAPHS["dynamics"].id: {"points": [{"x": [1]}]}}, {}),
])
def test_other_forged_inputs(client, app_and_cache, target, values, state):
    app, _ = app_and_cache
    if isinstance(target, dict):  # the delay slider: the click-to-delay callback writes it
        graphs = [ids.MAG_GRAPHS["dynamics"].id, ids.MAG_GRAPHS["q1"].id]
        key = next(k for k, cb in app.callback_map.items()
                   if [(i["id"], i["property"]) for i in cb["inputs"]] == [(g, "clickData") for g in graphs])
        body = {"output": key, "outputs": {"id": target, "property": "value"},
                "inputs": [{"id": g, "property": "clickData", "value": values.get(g)} for g in graphs],
                "state": [], "changedPropIds": [f"{graphs[0]}.clickData"]}
    else:
        target = ids.MAG_GRAPHS["domains"].id if target.endswith("-config") else target
        prop = "config" if target == ids.MAG_GRAPHS["domains"].id else None
        body = payload(app, target, values, prop=prop, state=state)
    r = post(client, body)
    assert_answered(r, body)
    if r.status_code == 200 and target in (magnetic_export.CSV_DOWNLOAD, magnetic_export.JSON_DOWNLOAD):
        resp = _json(r)["response"]
        assert target not in resp and "notice-body error" in json.dumps(resp[magnetic_export.MESSAGE]["children"])


def test_export_through_http_names_the_source(client, app_and_cache):
    app, _ = app_and_cache
    record, _ = update(client, app, dict(sp.TABLE.defaults(), source="slicing", delay_ps=0.3))
    body = payload(app, magnetic_export.CSV_DOWNLOAD, {magnetic_export.CSV_BUTTON: 1},
                   state={magnetic_export.TABLE_MENU: "budget", ids.MAG_RESULT: record})
    data = _json(post(client, body))["response"][magnetic_export.CSV_DOWNLOAD]["data"]
    assert data["filename"] == "magnetic_slicing_labyrinth_P150nm_E777.5eV_t0.3ps_budget.csv"
    assert data["content"].splitlines()[0].startswith("delta_m,time_per_delay_s_fel")


@pytest.mark.parametrize("search,expect", [("?delay_ps=abc&source=fel", "Pump-probe delay"),
                                           ("?source=laser", "Probe source"), ("?nope=1", "unknown")])
def test_router_renders_the_page_with_link_notices(client, search, expect):
    r = post(client, router_payload("/magnetic-scattering", search))
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Some link values were not usable" in text and expect in text
    assert ids.MAG_GRAPHS["detector"].id in text
