"""Dashboard logic without a browser: figure builders, validation, URL, upload, export, presets."""
from __future__ import annotations

import ast
import base64
import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from dash import no_update

from components import (
    controls,
    difference,
    engine,
    export,
    gain,
    ids,
    model_spectra,
    presets,
    readouts,
    spectra,
    transmission,
    upload,
    url_state,
)
from components.common import round_each, round_sig
from pages.spectra import SPEC
from physics import model, parameters
from physics.constants import BACKGROUND_TRANSMISSION

ROOT = Path(__file__).resolve().parents[2]
FORGED = [None, "abc", "", "NaN", float("nan"), float("inf"), -float("inf"), 10**400, -(10**400), 1e308, True, [],
          {}, [1, 2], {"a": 1}, "<script>", -1, 0]


# --- architecture --------------------------------------------------------------------------

def test_nothing_registered_at_import_and_no_global_decorators():
    import dash._callback as cb_mod

    for path in [*(ROOT / "components").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        src = path.read_text()
        assert "@callback" not in src and "dash.callback(" not in src and "@dash.callback" not in src, path.name
        tree = ast.parse(src)
        for node in tree.body:  # no module-level mutable containers (several gunicorn workers)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.List, ast.Dict, ast.Set)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                assert all(getattr(t, "id", "") == "__all__" for t in targets), f"{path.name}: mutable module state"
    assert not cb_mod.GLOBAL_CALLBACK_LIST


def test_layout_ids_unique_and_namespaced(app_and_cache):
    app, _ = app_and_cache
    ids_ = []

    def walk(c):
        cid = getattr(c, "id", None)
        if cid is not None:
            ids_.append(cid)
        children = getattr(c, "children", None)
        if isinstance(children, (list, tuple)):
            for ch in children:
                walk(ch)
        elif children is not None and hasattr(children, "to_plotly_json"):
            walk(children)

    from pages import spectra as spectra_page

    walk(app.layout)
    walk(spectra_page.layout())
    keys = [json.dumps(i, sort_keys=True) if isinstance(i, dict) else i for i in ids_]
    assert len(keys) == len(set(keys))
    assert "spectra-graph" in ids_ and "kpi-nonlinear-peak" in ids_ and ids.FLUENCE_SLIDER in ids_


def test_explanations_render_without_formatting_debris():
    from components import explanations

    text = explanations.EQUATIONS + explanations.WHAT_TO_TRY
    for debris in ("@YF@", "%(", "{'", "'}", "%s", "{}"):
        assert debris not in text, debris
    assert "34.5 % at the L3 maximum" in text and "the paper quotes 32 %" in text and "$Y_f = 0.008$" in text


# --- controls -------------------------------------------------------------------------------

DEFAULT_VALUES = {p.name: controls.to_control(p, p.default) for p in parameters.PARAMETERS}


def test_slider_ranges_and_defaults_come_from_parameters():
    section = controls.layout(SPEC, parameters.defaults())
    found = {}

    def walk(c):
        cid = getattr(c, "id", None)
        if isinstance(cid, dict) and cid.get("type") == ids.CONTROL:
            found[cid["name"]] = c
        for ch in (c.children if isinstance(getattr(c, "children", None), (list, tuple)) else
                   [c.children] if hasattr(getattr(c, "children", None), "to_plotly_json") else []):
            walk(ch)

    walk(section)
    assert set(found) == set(parameters.BY_NAME)
    for p in parameters.PARAMETERS:
        comp = found[p.name]
        assert comp.id == ids.control(ids.SPECTRA, p.name, controls.kind_of(p))
        if p.kind is str:
            assert [o["value"] for o in comp.options] == list(p.choices) and comp.value == p.default
        elif p.scale == "log":
            assert comp.min == pytest.approx(math.log10(p.minimum)) and comp.max == pytest.approx(math.log10(p.maximum))
            assert controls.from_control(SPEC, p.name, comp.value) == p.default
            assert comp.allow_direct_input is False and comp.step
        elif p.name != "seed":
            assert (comp.min, comp.max, comp.value) == (p.minimum, p.maximum, p.default)
            assert comp.step == p.step and comp.allow_direct_input is False
    assert controls.kind_of(parameters.BY_NAME["seed"]) == ids.NUMBER


@pytest.mark.parametrize("fluence", [0.1, 1.0, 12.0, 30.0, 1335.0, 7500.0, 9343.0, 10000.0])
def test_log_slider_round_trip_is_exact(fluence):
    p = parameters.BY_NAME["fluence_mj_cm2"]
    assert controls.from_control(SPEC, p.name, controls.to_control(p, fluence)) == fluence


@pytest.mark.parametrize("bad", FORGED)
def test_update_params_rejects_forged_values_with_message(bad):
    for name in parameters.BY_NAME:
        values = dict(DEFAULT_VALUES, **{name: bad})
        store, notice, _, _ = controls.update_state(SPEC, values, name, {})
        ok = True
        try:
            controls.from_control(SPEC, name, bad)
        except Exception:
            ok = False
        if ok:
            assert store is not no_update and notice == ""
        else:
            assert store is no_update and notice, (name, bad)


def test_out_of_range_log_value_is_not_clamped():
    values = dict(DEFAULT_VALUES, fluence_mj_cm2=9.0)  # 1e9 mJ/cm^2: refused, not silently clamped to 1e4
    store, notice, _, _ = controls.update_state(SPEC, values, "fluence_mj_cm2", {})
    assert store is no_update and "Fluence" in notice


def test_link_notice_goes_once_the_user_sets_that_value():
    issues = {"fluence_mj_cm2": "Fluence: 'abc' is not a number", "duration_fs": "Pulse duration: bad"}
    store, _, left, text = controls.update_state(SPEC, DEFAULT_VALUES, "fluence_mj_cm2", issues)
    assert store == parameters.defaults()
    assert left == {"duration_fs": "Pulse duration: bad"} and "Pulse duration" in text and "Fluence" not in text
    _, _, left, text = controls.update_state(SPEC, DEFAULT_VALUES, "duration_fs", left)
    assert left == {} and text == ""
    _, _, left, text = controls.update_state(SPEC, DEFAULT_VALUES, "center_ev", {"duration_fs": "x"})
    assert left is no_update and text is no_update  # another value: the notice stays as it is


def test_values_by_name_ignores_forged_entries():
    id_list = [{"id": ids.control(ids.SPECTRA, "duration_fs", ids.SLIDER)}, {"id": "x"}, "junk", {"id": {"name": 3}}]
    assert controls.values_by_name(id_list, [5.0, 1, 2, 3]) == {"duration_fs": 5.0}
    assert controls.values_by_name("forged", [1]) == {} and controls.values_by_name([], None) == {}


def test_readout_text_matches_units():
    assert controls.readout_text(SPEC, "fluence_mj_cm2", 1000.0) == "1000 mJ/cm²"
    assert controls.readout_text(SPEC, "duration_fs", 25.0) == "25 fs"
    assert controls.readout_text(SPEC, "spectrum_mode", "single") == "single SASE shot"


# --- engine ---------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", FORGED + [{"fluence_mj_cm2": "7500"}, {"fluence_mj_cm2": 1e9}, {"evil": 1},
                                          {"seed": 1.5}, {"spectrum_mode": "x"}, {"duration_fs": 10**400}])
def test_params_from_store_rejects_forged(bad):
    params, error = engine.params_from_store(bad)
    if isinstance(bad, dict) and not bad:
        assert params == parameters.defaults() and error is None
    else:
        assert params is None and error


@pytest.mark.parametrize("bad", [5, "x", {"intensity": [1.0] * 10}, {"intensity": [float("nan")] * 601},
                                 {"intensity": [-1.0] * 601}, {"intensity": [0.0] * 601}, {"intensity": ["a"] * 601},
                                 {"intensity": [10**400] * 601}])
def test_incident_from_store_rejects_forged(bad):
    values, error = engine.incident_from_store(bad)
    assert values is None and error


def test_memoized_evaluate_is_shared_between_engines(app_and_cache, monkeypatch):
    """Two panels' engines share one cache entry: the second never runs the physics."""
    app, cache = app_and_cache
    calls = []
    real = model.evaluate
    monkeypatch.setattr(model, "evaluate", lambda *a, **k: calls.append(a) or real(*a, **k))
    e1, e2 = engine.make_engine(cache), engine.make_engine(cache)
    p = dict(parameters.defaults(), fluence_mj_cm2=4321.0)  # a key no other test has filled
    with app.server.app_context():
        r1 = e1.evaluate(p)
        r2 = e2.evaluate(p)
        assert e2.evaluate(dict(p, fluence_mj_cm2=1234.0)) is not None
    assert len(calls) == 2  # 4321 once (shared by both engines), 1234 once
    assert np.array_equal(r1.difference, r2.difference)


# --- figures ---------------------------------------------------------------------------------

def test_spectra_figure_shows_the_model_numbers(top):
    fig = spectra.build_figure(top)
    names = [t.name for t in fig.data]
    assert "nonlinear (this intensity)" in names and "reference pulse × 0.55" in names
    nl = next(t for t in fig.data if t.name == "nonlinear (this intensity)")
    assert np.allclose(nl.y, top.transmitted_nonlinear, rtol=2e-3, atol=1e-3 * top.transmitted_nonlinear.max())
    ref = next(t for t in fig.data if t.name == "reference pulse × 0.55")
    assert np.allclose(ref.y, top.incident * BACKGROUND_TRANSMISSION, atol=1e-3 * top.incident.max())
    assert any(t.fill == "tonexty" for t in fig.data)  # gain/loss shading
    assert fig.layout.xaxis.title.text == "Photon energy (eV)" and "mJ/cm²/eV" in fig.layout.yaxis.title.text


def test_difference_channels_add_up_and_markers(top):
    cols = difference.difference_columns(top, "intensity")
    total = np.asarray(cols["difference_mj_cm2_ev"])
    parts = sum(np.asarray(cols[k + "_mj_cm2_ev"]) for k, _ in difference.CHANNELS)
    assert np.allclose(total, parts, atol=2e-3 * np.abs(total).max())
    fig = difference.build_figure(top)
    ticks = fig.layout[difference.FEATURES_AXIS]
    assert [t.split("<br>")[0] for t in ticks.ticktext] == ["α", "β", "γ"]
    assert list(ticks.tickvals) == [top.features_ev[n] for n in ("alpha", "beta", "gamma")]
    tfig = difference.build_figure(top, units="transmission")
    assert "XAS maximum" in tfig.layout.yaxis.title.text


def test_shifted_pulse_has_no_alpha(shifted):
    assert shifted.features_ev["alpha"] is None
    fig = difference.build_figure(shifted)
    ticks = fig.layout[difference.FEATURES_AXIS]
    assert not any(t.startswith("α") for t in ticks.ticktext)
    assert "absent: α" in ticks.title.text
    assert readouts.kpi_values(shifted)["alpha"] == "absent"
    assert "α (stimulated RIXS gain): absent" in difference.feature_text(shifted)


def test_model_figure_has_fig3_curves(top):
    fig = model_spectra.build_figure(top)
    names = {t.name for t in fig.data}
    assert {"XAS absorbance", "RIXS emission", "T spontaneous", "T nonlinear", "ΔT stimulated RIXS"} <= names


def test_gain_figure_analytic_part_and_operating_point():
    p = parameters.defaults()
    fig = gain.build_figure(p, None, mb_note="Maxwell-Bloch curve is being computed…")
    names = [t.name for t in fig.data]
    assert names[0].startswith("KHD") and "measured 5 fs (paper)" in names and "measured 25 fs (paper)" in names
    assert "Maxwell-Bloch curve: being computed…" in names  # said in the legend, not on the data
    assert not fig.layout.annotations
    op = next(t for t in fig.data if t.name.startswith("at the sliders"))
    assert op.x[0] == p["fluence_mj_cm2"] and op.y[0] == pytest.approx(0.1986, rel=1e-3)
    khd = fig.data[0]
    assert min(khd.y) > 0 and len(set(khd.y)) == len(khd.y)  # log axis: no staircase from rounding
    curve = {"fluence_mj_cm2": [1.0, 100.0, 10000.0], "intensity_mj_cm2_fs": [0.04, 4.0, 400.0],
             "efficiency": [1e-6, 1e-4, 1e-2], "efficiency_std": [0, 0, 0], "stimulated_fraction": [1e-6, 1e-4, 1e-2],
             "n_pulses": 20}
    fig2 = gain.build_figure(p, curve, axis="intensity")
    assert any(t.name.startswith("Maxwell-Bloch (20 SASE pulses") for t in fig2.data)
    assert not any("ρ33" in t.name for t in fig2.data)  # equal to the efficiency: not drawn twice
    assert fig2.layout.xaxis.type == "log" and "mJ/cm²/fs" in fig2.layout.xaxis.title.text
    op2 = next(t for t in fig2.data if t.name.startswith("at the sliders"))
    assert len(op2.x) == 2 and op2.x[0] == pytest.approx(300.0)


def test_click_sets_fluence_and_rejects_forged():
    store = parameters.defaults()
    v = gain.fluence_from_click({"points": [{"x": 100.0, "y": 0.1}]}, "fluence", store)
    assert controls.from_control(SPEC, "fluence_mj_cm2", v) == 100.0
    v = gain.fluence_from_click({"points": [{"x": 100.0}]}, "intensity", store)
    assert controls.from_control(SPEC, "fluence_mj_cm2", v) == 2500.0
    v = transmission.fluence_from_click({"points": [{"x": 10.0}]}, store)
    assert controls.from_control(SPEC, "fluence_mj_cm2", v) == 250.0
    for bad in FORGED + [{"points": "x"}, {"points": [{"x": "1"}]}, {"points": [{"x": -5}]}, {"points": [3]}]:
        assert gain.fluence_from_click(bad, "fluence", store) is no_update
        assert transmission.fluence_from_click(bad, store) is no_update
    assert gain.fluence_from_click({"points": [{"x": 1.0}]}, "fluence", {"fluence_mj_cm2": "x"}) is no_update


def test_rounding_helpers():
    assert round_sig([0.123456, 1.0]) == [0.123, 1.0]  # 4 digits of the array's peak
    assert round_sig([0.123456]) == [0.1235]
    assert round_each([1.23456e-7, 2.0]) == [1.235e-07, 2.0]
    assert round_sig([float("nan"), 1.0]) == [None, 1.0]


# --- presets ----------------------------------------------------------------------------------

CONTROL_OUTPUTS = [{"id": ids.control(ids.SPECTRA, p.name, controls.kind_of(p)), "property": "value"}
                   for p in SPEC.parameters()]


def test_presets_validate_and_set_controls():
    for name in SPEC.presets:
        p = presets.preset_params(SPEC, name)
        assert parameters.validate_all(p) == p
    values = controls.control_values(SPEC, presets.preset_params(SPEC, "high-5fs"), CONTROL_OUTPUTS)
    by_name = dict(zip((o["id"]["name"] for o in CONTROL_OUTPUTS), values))
    assert controls.from_control(SPEC, "fluence_mj_cm2", by_name["fluence_mj_cm2"]) == 1335.0
    assert by_name["duration_fs"] == 5.0
    assert presets.preset_params(SPEC, "high-25fs")["fluence_mj_cm2"] == 9343.0
    s = presets.preset_params(SPEC, "shifted")
    assert (s["center_ev"], s["bandwidth_ev"]) == (781.0, 3.0)


# --- URL state ---------------------------------------------------------------------------------

def test_url_round_trip():
    p = dict(parameters.defaults(), fluence_mj_cm2=1335.0, duration_fs=5.0, center_ev=781.0, seed=7,
             spectrum_mode="single")
    q = url_state.encode_query(SPEC, p, {"gain_axis": "intensity", "diff_units": "transmission"})
    params, view, issues = url_state.decode_query(SPEC, q)
    assert params == p and view == {"gain_axis": "intensity", "diff_units": "transmission", "tour": "off"}
    assert not issues
    assert "fluence_mj_cm2=1335&" in q and "center_ev=781&" in q


def test_page_layout_starts_at_the_link_values():
    from pages import spectra as page

    tree = json.dumps(page.layout(fluence_mj_cm2="1335", duration_fs="5", gain_axis="intensity").to_plotly_json(),
                      default=lambda o: o.to_plotly_json())
    assert '"data": {"fluence_mj_cm2": 1335.0' in tree and '"duration_fs": 5.0' in tree
    assert '"value": "intensity"' in tree
    bad = json.dumps(page.layout(fluence_mj_cm2="abc").to_plotly_json(), default=lambda o: o.to_plotly_json())
    assert "Some link values were not usable" in bad and '"data": {"fluence_mj_cm2": 7500.0' in bad


@pytest.mark.parametrize("query,bad", [
    ("?fluence_mj_cm2=abc", "Fluence"), ("?fluence_mj_cm2=1e99", "Fluence"), ("?duration_fs=nan", "Pulse duration"),
    ("?center_ev=-inf", "Central photon energy"), ("?seed=1.5", "SASE seed"), ("?spectrum_mode=evil", "Incident spectrum"),
    ("?gain_axis=sideways", "gain_axis"), ("?foo=1", "unknown"), ("?" + "a" * 3000, "longer"),
])
def test_bad_url_values_fall_back_with_notice(query, bad):
    params, view, issues = url_state.decode_query(SPEC, query)
    assert issues and bad in " ".join(issues.values())
    assert "not usable" in controls.link_notice_text(issues)
    defaults = parameters.defaults()
    key = query.lstrip("?").split("=")[0]
    if key in defaults:
        assert params[key] == defaults[key] and key in issues


@pytest.mark.parametrize("search", [None, 5, [], {}, "", "?", "?&&&", "?fluence_mj_cm2", "?=%zz"])
def test_url_garbage_never_raises(search):
    params, view, issues = url_state.decode_query(SPEC, search)
    assert set(params) == set(parameters.BY_NAME)


def test_query_from_page_kwargs():
    assert url_state.search_from_kwargs({}) == ""
    assert url_state.search_from_kwargs({"a": "1", "b": ["2", "3"]}) == "?a=1&b=2&b=3"


# --- upload -----------------------------------------------------------------------------------

def _data_url(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


def _csv(rows, header="energy_ev,intensity"):
    return header + "\n" + "\n".join(f"{e},{i}" for e, i in rows) + "\n"


GOOD = [(770 + 0.5 * k, math.exp(-((0.5 * k - 7) ** 2) / 8)) for k in range(30)]


def test_good_upload_is_resampled_to_the_grid():
    store, msg = upload.handle_upload({"contents": _data_url(_csv(GOOD)), "filename": "ref.csv"})
    assert msg.startswith("Using “ref.csv”") and len(store["intensity"]) == 601 and max(store["intensity"]) == 1.0
    values, error = engine.incident_from_store(store)
    assert values is not None and error is None
    v = np.asarray(values)
    # The model pulse is replaced by the upload's shape, scaled so that it holds the fluence
    # (resolution 0: the incident spectrum as the sample sees it, before the spectrometer).
    r = model.evaluate(dict(parameters.defaults(), resolution_ev=0.0), v)
    assert np.max(np.abs(r.incident / r.incident.max() - v / v.max())) < 1e-9
    assert np.trapezoid(r.incident, r.energy_ev) == pytest.approx(7500.0, rel=1e-6)


@pytest.mark.parametrize("contents,expect", [
    ("garbage", "malformed"),
    ("data:text/csv;base64,@@@", "not valid base64"),
    (_data_url(b"\x00\x01\x02" * 10), "binary"),
    (_data_url(""), "empty"),
    (_data_url(_csv(GOOD[:5])), "at least 10"),
    (_data_url(_csv(GOOD[:12]) + "771,abc\n"), "not numeric"),
    (_data_url(_csv(GOOD[:12] + [(790, float("nan"))])), "non-finite"),
    (_data_url(_csv(GOOD[:12] + [(790, -1)])), "negative"),
    (_data_url(_csv([(0.7 + 0.001 * k, 1) for k in range(20)])), "overlaps"),
    (_data_url(_csv(GOOD[:12] + [(770, 1)])), "twice"),
    (_data_url("energy_ev\n" + "\n".join(str(770 + k) for k in range(12))), "column"),
    ("data:text/csv;base64," + "A" * 1_400_000, "larger than 1 MB"),
])
def test_bad_uploads_give_a_message(contents, expect):
    store, msg = upload.handle_upload({"contents": contents, "filename": "bad.csv"})
    assert store is no_update and expect in msg and "was not used" in msg


def test_upload_variants_and_forged_pending():
    semi = "# comment\nEnergy (eV);Intensity\n" + "\n".join(f"{e};{i}" for e, i in GOOD)
    store, msg = upload.handle_upload({"contents": _data_url(semi), "filename": 5})
    assert store is not no_update, msg
    nohdr = "\n".join(f"{e}\t{i}" for e, i in GOOD)
    store, msg = upload.handle_upload({"contents": _data_url(nohdr), "filename": "t.txt"})
    assert store is not no_update, msg
    for bad in FORGED:
        store, msg = upload.handle_upload(bad)
        assert store is no_update
    assert upload.clear(1) == (None, "Back to the model SASE pulse.")


# --- export -----------------------------------------------------------------------------------

def test_spectra_csv_holds_the_shown_numbers(top):
    text = export.spectra_csv(top)
    kpi = readouts.kpi_values(top)
    all_rows = list(csv.reader(io.StringIO(text)))
    assert ["# peak_transmission_nonlinear = " + kpi["nonlinear-peak"]] in all_rows
    assert ["# alpha_energy_ev = " + kpi["alpha"]] in all_rows
    rows = [r for r in all_rows if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    assert len(body) == 601
    col = {name: [float(r[i]) for r in body] for i, name in enumerate(header)}
    fig = spectra.build_figure(top)
    nl = next(t for t in fig.data if t.name == "nonlinear (this intensity)")
    assert col["transmitted_nonlinear_mj_cm2_ev"] == list(nl.y)
    dfig = difference.build_figure(top)
    total = next(t for t in dfig.data if t.name.startswith("total"))
    assert col["difference_mj_cm2_ev"] == list(total.y)
    assert col["energy_ev"][0] == 765.0 and col["energy_ev"][-1] == 795.0


def test_curves_csv_and_json(app_and_cache):
    app, cache = app_and_cache
    eng = engine.make_engine(cache)
    p = parameters.defaults()
    with app.server.app_context():
        text = export.gain_csv(eng, p)
        trans = export.transmission_csv(eng, p)
    assert text.startswith("fluence_mj_cm2,intensity_mj_cm2_fs,khd_eq4_stimulated_fraction,khd_stimulated_fraction,mb_efficiency")
    assert "# maxwell_bloch = not computed yet" in text  # the MB curves were never computed in this cache
    assert trans.startswith("intensity_mj_cm2_fs,analytic_peak_transmission,bloch_peak_transmission")
    data = json.loads(export.params_json(SPEC, p, "intensity", "intensity"))
    assert data["parameters"] == p and data["url_query"].endswith("gain_axis=intensity")
    assert export.image_configs("svg")[0]["toImageButtonOptions"]["format"] == "svg"
    assert export.image_configs({"x": 1})[0]["toImageButtonOptions"]["format"] == "png"


@pytest.mark.parametrize("preset", list(SPEC.presets))
def test_kpi_summary_and_gain_figure_agree_on_n_pk_and_stimulated_fraction(preset):
    """One rule (physics.khd.operating_point) behind the KPI card, `summary --json` and the gain
    figure's star: on the shifted preset (781 eV, 3 eV) they once showed 31.6/0.199 against 84.4/0.370."""
    params = presets.preset_params(SPEC, preset)
    result = model.evaluate(params)
    summary = model.summary(result)
    kpi = readouts.kpi_values(result)
    assert kpi["npk"] == f"{summary['n_pk']:.3g}" and kpi["khd"] == f"{summary['khd_stimulated_fraction']:.3g}"
    fig = gain.build_figure(params, None)
    star = next(t for t in fig.data if t.name == "at the sliders")
    assert star.y[0] == pytest.approx(summary["khd_stimulated_fraction"], rel=1e-9)
    op = model.gain_operating_point(params)
    assert op["n_pk"] == pytest.approx(summary["n_pk"], rel=1e-9)
    if preset == "shifted":  # the spike is no broader than the 3 eV spectrum: n_pk = 0.1053 x 300 x 8/3
        assert summary["n_pk"] == pytest.approx(84.2, rel=0.01)
