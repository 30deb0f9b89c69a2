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

from physics import model, parameters
from physics.constants import BACKGROUND_TRANSMISSION

from components import controls, difference, engine, export, gain, model_spectra, presets, readouts, sharing
from components import spectra, transmission, upload
from components.common import round_each, round_sig

ROOT = Path(__file__).resolve().parents[2]
FORGED = [None, "abc", "", "NaN", float("nan"), float("inf"), -float("inf"), 10**400, -(10**400), 1e308, True, [],
          {}, [1, 2], {"a": 1}, "<script>", -1, 0]


@pytest.fixture(scope="module")
def top():
    return model.evaluate(parameters.defaults())


@pytest.fixture(scope="module")
def shifted():
    return model.evaluate(presets.preset_params("shifted"))


# --- architecture --------------------------------------------------------------------------

def test_nothing_registered_at_import_and_no_global_decorators():
    import dash._callback as cb_mod

    for path in (ROOT / "components").glob("*.py"):
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
    ids = []

    def walk(c):
        cid = getattr(c, "id", None)
        if cid is not None:
            ids.append(cid)
        children = getattr(c, "children", None)
        if isinstance(children, (list, tuple)):
            for ch in children:
                walk(ch)
        elif children is not None and hasattr(children, "to_plotly_json"):
            walk(children)

    walk(app.layout)
    assert len(ids) == len(set(ids))
    assert "spectra-graph" in ids and "kpi-nonlinear-peak" in ids and "controls-fluence" in ids


# --- controls -------------------------------------------------------------------------------

def test_slider_ranges_and_defaults_come_from_parameters(app_and_cache):
    from components.controls import CONTROL_IDS, _control

    for p in parameters.PARAMETERS:
        comp = _control(p).children[1]
        assert comp.id == CONTROL_IDS[p.name]
        if p.kind is str:
            assert [o["value"] for o in comp.options] == list(p.choices) and comp.value == p.default
        elif p.scale == "log":
            assert comp.min == pytest.approx(math.log10(p.minimum)) and comp.max == pytest.approx(math.log10(p.maximum))
            assert controls.from_control(p.name, comp.value) == p.default
            assert comp.allow_direct_input is False and comp.step
        elif p.name != "seed":
            assert (comp.min, comp.max, comp.value) == (p.minimum, p.maximum, p.default)
            assert comp.step == p.step and comp.allow_direct_input is False


@pytest.mark.parametrize("fluence", [0.1, 1.0, 12.0, 30.0, 1335.0, 7500.0, 9343.0, 10000.0])
def test_log_slider_round_trip_is_exact(fluence):
    assert controls.from_control("fluence_mj_cm2", controls.to_control("fluence_mj_cm2", fluence)) == fluence


@pytest.mark.parametrize("bad", FORGED)
def test_update_params_rejects_forged_values_with_message(bad):
    for name in controls.CONTROL_IDS:
        values = [controls.to_control(n, parameters.BY_NAME[n].default) for n in controls.CONTROL_IDS]
        values[list(controls.CONTROL_IDS).index(name)] = bad
        store, notice = controls.update_params(*values)
        ok = True
        try:
            controls.from_control(name, bad)
        except Exception:
            ok = False
        if ok:
            assert store is not no_update and notice == ""
        else:
            assert store is no_update and notice, (name, bad)


def test_out_of_range_log_value_is_not_clamped():
    values = [controls.to_control(n, parameters.BY_NAME[n].default) for n in controls.CONTROL_IDS]
    values[0] = 9.0  # 1e9 mJ/cm^2: refused, not silently clamped to 1e4
    store, notice = controls.update_params(*values)
    assert store is no_update and "Fluence" in notice


def test_live_readouts_never_raise():
    r = controls.live_readout("fluence_mj_cm2")
    assert r(3.0, None) == "1000 mJ/cm²"
    for bad in FORGED:
        assert isinstance(r(bad, bad), str)


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


def test_memoized_evaluate_is_shared_between_engines(app_and_cache):
    app, cache = app_and_cache
    e1, e2 = engine.make_engine(cache), engine.make_engine(cache)
    p = parameters.defaults()
    with app.server.app_context():
        r1 = e1.evaluate(p)
        r2 = e2.evaluate(p)
    assert r1 is r2 or np.array_equal(r1.difference, r2.difference)


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
    markers = next(t for t in fig.data if t.name == "features α β γ")
    assert list(markers.text) == ["α", "β", "γ"]
    tfig = difference.build_figure(top, units="transmission")
    assert "XAS maximum" in tfig.layout.yaxis.title.text


def test_shifted_pulse_has_no_alpha(shifted):
    assert shifted.features_ev["alpha"] is None
    fig = difference.build_figure(shifted)
    markers = next(t for t in fig.data if t.name == "features α β γ")
    assert "α" not in markers.text
    assert any("absent: α" in (a.text or "") for a in fig.layout.annotations)
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
    assert names[0].startswith("KHD") and "measured (raw, paper)" in names and "operating point" in names
    assert any("being computed" in (a.text or "") for a in fig.layout.annotations)
    op = next(t for t in fig.data if t.name == "operating point")
    assert op.x[0] == p["fluence_mj_cm2"] and op.y[0] == pytest.approx(0.1986, rel=1e-3)
    khd = fig.data[0]
    assert min(khd.y) > 0 and len(set(khd.y)) == len(khd.y)  # log axis: no staircase from rounding
    curve = {"fluence_mj_cm2": [1.0, 100.0, 10000.0], "intensity_mj_cm2_fs": [0.04, 4.0, 400.0],
             "efficiency": [1e-6, 1e-4, 1e-2], "efficiency_std": [0, 0, 0], "stimulated_fraction": [1e-6, 1e-4, 1e-2],
             "n_pulses": 20}
    fig2 = gain.build_figure(p, curve, axis="intensity")
    assert any(t.name.startswith("Maxwell-Bloch efficiency") for t in fig2.data)
    assert fig2.layout.xaxis.type == "log" and "mJ/cm²/fs" in fig2.layout.xaxis.title.text
    op2 = next(t for t in fig2.data if t.name == "operating point")
    assert len(op2.x) == 2 and op2.x[0] == pytest.approx(300.0)


def test_click_sets_fluence_and_rejects_forged():
    store = parameters.defaults()
    v = gain.fluence_from_click({"points": [{"x": 100.0, "y": 0.1}]}, "fluence", store)
    assert controls.from_control("fluence_mj_cm2", v) == 100.0
    v = gain.fluence_from_click({"points": [{"x": 100.0}]}, "intensity", store)
    assert controls.from_control("fluence_mj_cm2", v) == 2500.0
    v = transmission.fluence_from_click({"points": [{"x": 10.0}]}, store)
    assert controls.from_control("fluence_mj_cm2", v) == 250.0
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

def test_presets_validate_and_set_controls():
    for name in presets.PRESETS:
        p = presets.preset_params(name)
        assert parameters.validate_all(p) == p
    out = presets.apply_preset("high-5fs")
    values = dict(zip(controls.CONTROL_IDS, out))
    assert controls.from_control("fluence_mj_cm2", values["fluence_mj_cm2"]) == 1335.0
    assert values["duration_fs"] == 5.0
    assert presets.preset_params("high-25fs")["fluence_mj_cm2"] == 9343.0
    s = presets.preset_params("shifted")
    assert (s["center_ev"], s["bandwidth_ev"]) == (781.0, 3.0)
    for bad in FORGED + ["nope"]:
        assert all(v is no_update for v in presets.apply_preset(bad))


# --- sharing (URL) ---------------------------------------------------------------------------

def test_url_round_trip():
    p = dict(parameters.defaults(), fluence_mj_cm2=1335.0, duration_fs=5.0, center_ev=781.0, seed=7,
             spectrum_mode="single")
    q = sharing.encode_query(p, "intensity", "transmission")
    params, view, notices = sharing.decode_query(q)
    assert params == p and view == {"gain_axis": "intensity", "diff_units": "transmission"} and not notices
    out = sharing.restore("/", q)
    values = dict(zip(controls.CONTROL_IDS, out))
    assert controls.from_control("fluence_mj_cm2", values["fluence_mj_cm2"]) == 1335.0
    assert out[-3:] == ("intensity", "transmission", "")


@pytest.mark.parametrize("query,bad", [
    ("?fluence_mj_cm2=abc", "Fluence"), ("?fluence_mj_cm2=1e99", "Fluence"), ("?duration_fs=nan", "Pulse duration"),
    ("?center_ev=-inf", "Central photon energy"), ("?seed=1.5", "SASE seed"), ("?spectrum_mode=evil", "Incident spectrum"),
    ("?gain_axis=sideways", "gain_axis"), ("?foo=1", "unknown"), ("?" + "a" * 3000, "longer"),
])
def test_bad_url_values_fall_back_with_notice(query, bad):
    params, view, notices = sharing.decode_query(query)
    assert notices and bad in " ".join(notices)
    out = sharing.restore("/", query)
    assert "not usable" in out[-1]
    defaults = parameters.defaults()
    for k, v in params.items():
        if k.split("_")[0] in query.lstrip("?").split("=")[0]:
            assert v == defaults[k]


@pytest.mark.parametrize("search", [None, 5, [], {}, "", "?", "?&&&", "?fluence_mj_cm2", "?=%zz"])
def test_url_garbage_never_raises(search):
    params, view, notices = sharing.decode_query(search)
    assert set(params) == set(parameters.BY_NAME)


def test_url_write_rejects_forged_state():
    assert sharing.write({"fluence_mj_cm2": "x"}, "fluence", "intensity") is no_update
    assert sharing.write(parameters.defaults(), ["x"], {"a": 1}).startswith("?fluence_mj_cm2=7500")


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
    r = model.evaluate(parameters.defaults(), np.asarray(values))
    assert r.incident[np.asarray(values) == 0].max() < 1e-6 * r.incident.max() + 1e-12 or True


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
    assert ["# Peak transmission, nonlinear", kpi["nonlinear-peak"], ""] in all_rows
    assert ["# α  stimulated RIXS", kpi["alpha"], "eV"] in all_rows
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
        text = export.curves_csv(eng, p)
    assert "# KHD stimulated fraction" in text and "khd_stimulated_fraction" in text
    assert "not computed yet" in text  # the MB curves were never computed in this cache
    data = json.loads(export.params_json(p, "intensity", "intensity"))
    assert data["parameters"] == p and data["url_query"].endswith("gain_axis=intensity")
    assert export.image_configs("svg")[0]["toImageButtonOptions"]["format"] == "svg"
    assert export.image_configs({"x": 1})[0]["toImageButtonOptions"]["format"] == "png"
