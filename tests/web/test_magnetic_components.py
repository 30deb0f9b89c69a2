"""The magnetic-scattering page without a browser: engine and caching, figure builders (real
numbers), controls and URL state, presets, exports, the generic play button and downloads."""
from __future__ import annotations

import io
import json
import math
import pickle

import numpy as np
import pytest
from dash import no_update
from flask import Flask
from flask_caching import Cache

from components import (
    controls,
    downloads,
    ids,
    magnetic_budget,
    magnetic_detector,
    magnetic_domains,
    magnetic_dynamics,
    magnetic_explanations,
    magnetic_export,
    magnetic_profile,
    magnetic_q1,
    magnetic_readouts,
    magnetic_selfdemag,
    magnetic_sources,
    magnetic_spectrum,
    presets,
    slider_animation,
    url_state,
)
from components import magnetic_engine as meng
from components.common import decode_typed_array
from pages import magnetic as page
from physics import magnetic_scattering, probe_sources
from physics import scattering_model as sm
from physics import scattering_parameters as sp

SPEC = page.SPEC
DEFAULTS = sp.TABLE.defaults()


def fresh_engine() -> meng.Engine:
    server = Flask("magnetic-test")
    return meng.make_engine(Cache(server, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 50}))


@pytest.fixture(scope="module")
def engine():
    return fresh_engine()


@pytest.fixture(scope="module")
def result(engine):
    return engine.evaluate(DEFAULTS)


@pytest.fixture(scope="module")
def fel(engine):
    return engine.evaluate(dict(DEFAULTS, source="fel"))


def names(fig: dict) -> list[str]:
    return [t.get("name", "") for t in fig["data"]]


def trace(fig: dict, prefix: str) -> dict:
    return next(t for t in fig["data"] if t.get("name", "").startswith(prefix))


# --- engine ------------------------------------------------------------------------------------

def test_cached_result_is_a_picklable_copy_of_the_physics(result):
    direct = sm.evaluate(DEFAULTS)
    restored = pickle.loads(pickle.dumps(result))
    assert restored.profiles.q1_nm_inv == direct.profiles.q1_nm_inv
    assert dict(restored.dynamics.steps) == dict(direct.dynamics.steps)
    assert restored.sources["plasma"].provenance["resolution_ps"].startswith("published")
    np.testing.assert_array_equal(restored.image.counts, direct.image.counts)
    assert sm.summary(restored) == sm.summary(direct)


def test_pattern_is_computed_once_per_pattern_key_and_results_are_shared(monkeypatch):
    calls = {"prepare": 0, "evaluate": 0}
    real_prepare, real_evaluate = sm.prepare_pattern, sm.evaluate

    def prepare(p):
        calls["prepare"] += 1
        return real_prepare(p)

    def evaluate(p, prepared=None):
        calls["evaluate"] += 1
        return real_evaluate(p, prepared)

    monkeypatch.setattr(sm, "prepare_pattern", prepare)
    monkeypatch.setattr(sm, "evaluate", evaluate)
    server = Flask("shared")
    cache = Cache(server, config={"CACHE_TYPE": "SimpleCache"})
    a, b = meng.make_engine(cache), meng.make_engine(cache)  # two panels' engines
    for delay in (-5.0, 0.5, 30.0):
        a.evaluate(dict(DEFAULTS, delay_ps=delay))
    b.evaluate(dict(DEFAULTS, delay_ps=0.5))  # another panel, same state: a cache hit
    a.evaluate(dict(DEFAULTS, source="fel"))
    assert calls == {"prepare": 1, "evaluate": 4}
    a.evaluate(dict(DEFAULTS, period_nm=120.0))
    assert calls["prepare"] == 2


def test_update_result_keeps_the_static_store_while_only_the_delay_moves(engine):
    record, static = meng.update_result(engine, DEFAULTS, None)
    assert record == {"params": DEFAULTS} and static == meng.static_params(DEFAULTS) and "delay_ps" not in static
    record2, static2 = meng.update_result(engine, dict(DEFAULTS, delay_ps=50.0), static)
    assert record2["params"]["delay_ps"] == 50.0 and static2 is no_update
    _, static3 = meng.update_result(engine, dict(DEFAULTS, source="fel"), static)
    assert static3["source"] == "fel"


@pytest.mark.parametrize("bad", [None, "x", 5, [], {"params": None}, {"params": {"delay_ps": 1e9}},
                                 {"params": {"source": "laser"}}, {"params": {"period_nm": float("nan")}},
                                 {"error": 7}, {"params": {"grid_n": 10**400}}])
def test_forged_records_give_a_message_never_an_exception(engine, bad):
    result, note = meng.resolve(engine, bad)
    assert result is None and note
    fig, text = meng.figure_update(engine, magnetic_domains.figure)(bad, ["large"])
    assert fig["data"] == [] and fig["layout"]["annotations"][0]["text"] == text
    record, static = meng.update_result(engine, bad, None)
    assert "error" in record and static is no_update


def test_error_record_is_shown_as_is(engine):
    assert meng.resolve(engine, {"error": "Rejected parameter: x"}) == (None, "Rejected parameter: x")


# --- figures: the numbers drawn are the model's ----------------------------------------------------

def test_domain_map_is_unpumped_m_z_faded_by_m_true(result):
    fig, note = magnetic_domains.figure(result)
    heat = fig["data"][0]
    z = np.asarray(heat["z"])
    m = result.dynamics.m_true_at_delay
    assert z.shape == (128, 128) and result.image.domain_map.shape == (256, 256)
    # the drawn colour is opacity x colour(z) over white = colour(m z): the physics' map at the delay,
    # averaged over 2x2 display blocks
    at_delay = result.image.domain_map.astype(float).reshape(128, 2, 128, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(z * heat["opacity"], at_delay * 100, atol=0.5 * m + 1e-3)
    assert heat["x"][0] == pytest.approx(result.image.domain_axis_nm[:2].mean(), rel=1e-3)
    assert heat["opacity"] == pytest.approx(m, abs=1e-4) and z.max() == 100
    assert (heat["zmin"], heat["zmax"]) == (-100, 100) and heat["colorscale"] == magnetic_domains.COLORSCALE
    assert "P = 150 nm" in note and "2400 nm" in note
    assert len(json.dumps(fig)) < 80_000  # 128² small integers: a light payload


def test_domain_map_negative_or_zero_magnetisation(engine):
    r = engine.evaluate(dict(DEFAULTS, amplitude_fast=1.0, amplitude_slow=1.0, delay_ps=1.0))
    m = r.dynamics.m_true_at_delay
    fig, _ = magnetic_domains.figure(r)
    assert m < 0 and fig["data"][0]["colorscale"] == magnetic_domains.REVERSED
    assert fig["data"][0]["opacity"] == pytest.approx(-m, abs=1e-4)


def test_detector_image_levels_colour_range_and_mm_axis(result):
    fig, note = magnetic_detector.figure(result)
    heat = fig["data"][0]
    lev = decode_typed_array(heat["z"])
    lo, hi = magnetic_detector.color_range(result)
    assert hi == pytest.approx(math.log10(result.image.counts_before.max()))
    assert int(lev.max()) == magnetic_detector.LEVELS  # levels of the unpumped image
    # at the delay every pixel is M² lower: the colour range moves up by that many levels
    m2 = result.dynamics.m_measured_at_delay ** 2
    shift = math.log10(m2) / (hi - lo) * magnetic_detector.LEVELS
    assert heat["zmin"] == pytest.approx(-shift, abs=1e-3) and heat["zmax"] == pytest.approx(250 - shift, abs=1e-3)
    assert math.log10(result.image.counts.max()) == pytest.approx(hi + math.log10(m2), abs=1e-5)
    # colour-bar ticks: the level whose colour means 10^k photons
    k = math.floor(hi)
    i = heat["colorbar"]["ticktext"].index(magnetic_detector.power_label(k))
    assert heat["colorbar"]["tickvals"][i] == pytest.approx((k - lo) / (hi - lo) * 250 - shift, abs=0.01)
    # mm ticks sit where the detector radius L tan 2θ equals the label
    ax = fig["layout"]["xaxis2"]
    for q, mm in zip(ax["tickvals"], ax["ticktext"]):
        assert magnetic_scattering.detector_radius_mm(q, 777.5, 0.5) == pytest.approx(float(mm), abs=1e-3)
    assert "5.29 mm" in note and "2θ = 0.606°" in note
    assert len(json.dumps(fig)) < 60_000


def apply_patch(fig: dict, patch) -> dict:
    """Apply a dash.Patch's Assign operations to a figure dict (what the browser does)."""
    out = json.loads(json.dumps(fig))
    for op in patch.to_plotly_json()["operations"]:
        assert op["operation"] == "Assign", op
        target = out
        for step in op["location"][:-1]:
            target = target.setdefault(step, {}) if isinstance(target, dict) else target[step]
        target[op["location"][-1]] = json.loads(json.dumps(op["params"]["value"]))
    return out


@pytest.mark.parametrize("panel", [magnetic_domains, magnetic_detector, magnetic_profile, magnetic_dynamics,
                                   magnetic_q1])
@pytest.mark.parametrize("extra", [{}, {"ring_shift_percent": -3.0}, {"dynamics_model": "m3tm"}])
def test_a_delay_patch_turns_one_delays_figure_into_the_others(engine, panel, extra):
    """Sending a patch instead of the figure is exact: patch(figure(t1), t2) == figure(t2)."""
    r1 = engine.evaluate(dict(DEFAULTS, delay_ps=1.0, **extra))
    r2 = engine.evaluate(dict(DEFAULTS, delay_ps=137.5, **extra))
    key_of = getattr(panel, "key", meng.figure_key)
    assert key_of(r1, False) == key_of(r2, False)
    full2, note2 = panel.figure(r2)
    patch, note = panel.patch(r2)
    assert note == note2
    assert apply_patch(panel.figure(r1)[0], patch) == json.loads(json.dumps(full2))
    size = len(json.dumps(patch.to_plotly_json()))
    assert size < 0.5 * len(json.dumps(full2)) and size < 10_000  # a few numbers (profile: one curve) instead of a figure


def test_patched_update_sends_the_figure_once_then_patches(engine):
    update = meng.patched_figure_update(engine, magnetic_dynamics.figure, magnetic_dynamics.patch, meng.figure_key)
    fig, note, drawn = update({"params": DEFAULTS}, [], None)
    assert isinstance(fig, dict) and drawn == meng.figure_key(engine.evaluate(DEFAULTS), False)
    drawn = json.loads(json.dumps(drawn))  # as the browser sends it back
    patch, note, same = update({"params": dict(DEFAULTS, delay_ps=20.0)}, [], drawn)
    assert not isinstance(patch, dict) and same is no_update and "At 20 ps" in note
    fig, _, drawn2 = update({"params": dict(DEFAULTS, delay_ps=20.0)}, ["large"], drawn)  # text size: redraw
    assert isinstance(fig, dict) and drawn2["large"] is True
    fig, note, drawn3 = update({"params": {"delay_ps": "x"}}, [], drawn)
    assert fig["data"] == [] and drawn3 is None


def test_profile_after_the_pump_is_m_squared_lower_with_harmonics_marked(result):
    fig, note = magnetic_profile.figure(result)
    pr = result.profiles
    before, after = fig["data"][0], fig["data"][1]
    i = int(np.argmin(np.abs(np.asarray(before["x"]) - pr.q1_nm_inv)))
    ratio = after["y"][i] / before["y"][i]
    assert ratio == pytest.approx(result.dynamics.m_measured_at_delay ** 2, rel=2e-3)
    lines = [s["x0"] for s in fig["layout"]["shapes"]]
    shown = [n * pr.q1_nm_inv for n in (1, 2, 3, 4, 5)]
    assert lines == pytest.approx(shown)
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["q₁", "2q₁", "3q₁", "4q₁", "5q₁"]
    assert "ξ = 2π/FWHM = 412 nm" in note and "I3/I1 = 0.0412" in note


def test_stripes_profile_and_note_show_the_harmonic_laws(engine):
    r = engine.evaluate(dict(DEFAULTS, pattern="stripes", wall_nm=0.0, duty=0.5))
    _, note = magnetic_profile.figure(r)
    assert r.profiles.harmonic_ratios["3"] == pytest.approx(1 / 9, rel=0.05)  # finite grid: 0.114
    assert "resolution-limited" in note and "I2/I1 = 0" in note


def test_dynamics_figure_every_source_chosen_bold_and_delay_marked(result, fel):
    fig, note = magnetic_dynamics.figure(result)
    n = names(fig)
    assert n[0] == "true m(t) (model)"
    for name, s in result.sources.items():
        tr = trace(fig, magnetic_dynamics.source_name(result, name))
        np.testing.assert_allclose(tr["y"], result.dynamics.m_measured[name], atol=1e-4)
        assert tr["line"]["width"] == (3.2 if name == "plasma" else 1.5)
    mark = fig["layout"]["annotations"][-1]
    assert mark["x"] == pytest.approx(math.asinh(1.0 / 0.5)) and mark["y"] == pytest.approx(0.8487, abs=1e-4)
    assert mark["text"] == "1 ps: M = 0.849" and fig["layout"]["shapes"][0]["x0"] == mark["x"]
    # the numbers "What to try" quotes: FEL follows the 0.35 drop, the lab source sees 0.22, synchrotron 0.19
    assert f"step {result.dynamics.steps['fel']:.2f}" == "step 0.35"
    assert "FEL (0.1 ps): step 0.35" in n and "lab plasma (9 ps): step 0.22" in n
    assert "Synchrotron (ordinary bunches): step 0.19" in note
    assert "from *FEL* to *plasma*: the FEL follows the full 0.35 drop" in magnetic_explanations.WHAT_TO_TRY
    assert "the 9 ps lab source records a 0.22 step, the 50 ps synchrotron 0.19" in magnetic_explanations.WHAT_TO_TRY
    assert any(x.startswith("simulated measurement, 60 s per delay") for x in n)
    fel_fig, _ = magnetic_dynamics.figure(fel)
    assert trace(fel_fig, "FEL (")["line"]["width"] == 3.2
    assert trace(fel_fig, "lab plasma")["line"]["width"] == 1.5


def test_delay_axis_is_the_sliders_asinh_scale():
    ax = magnetic_dynamics.delay_axis()
    p = sp.BY_NAME["delay_ps"]
    assert ax["tickvals"] == pytest.approx([p.to_slider(t) for t in magnetic_dynamics.DELAY_TICKS_PS], abs=1e-4)
    assert ax["range"] == pytest.approx([p.to_slider(-20.0), p.to_slider(2000.0)], abs=1e-4)


def test_m3tm_option_adds_temperatures(engine):
    r = engine.evaluate(dict(DEFAULTS, dynamics_model="m3tm", absorbed_fluence_mj_cm2=3.0))
    fig, _ = magnetic_dynamics.figure(r)
    te = trace(fig, "electron temperature")
    assert te["yaxis"] == "y2" and max(te["y"]) > 1000 and "yaxis2" in fig["layout"]


def test_ring_shift_figure_flat_without_knob_and_shifted_with_it(result, engine):
    fig, note = magnetic_q1.figure(result)
    assert "no ring shift set" in note and len(set(fig["data"][0]["y"])) == 1
    r = engine.evaluate(dict(DEFAULTS, ring_shift_percent=-2.0, delay_ps=500.0))
    fig, note = magnetic_q1.figure(r)
    assert min(fig["data"][0]["y"]) < r.profiles.q1_nm_inv * 0.99 and "s = -2 %" in note


def test_spectrum_marks_best_and_operating_energy_and_thick_film_moves_it(result, engine):
    fig, note = magnetic_spectrum.figure(result)
    xs = sorted(s["x0"] for s in fig["layout"]["shapes"])
    assert xs == pytest.approx(sorted([777.5, result.spectrum.best_energy_ev]))
    assert "777.19 eV" in note
    band = trace(fig, "η, 1 eV band")
    assert max(band["y"]) == pytest.approx(result.spectrum.efficiency_band.max() * 1e3, rel=1e-3)
    thick = engine.evaluate(dict(DEFAULTS, thickness_nm=100.0))
    assert round(thick.spectrum.best_energy_ev, 1) == 776.2  # what "What to try" says
    assert f"from {result.spectrum.best_energy_ev:.1f} to 776.2 eV" in magnetic_explanations.WHAT_TO_TRY


def test_budget_curve_is_the_hand_calculation(result):
    fig, note = magnetic_budget.figure(result)
    s = result.budget.per_source["plasma"]
    r = s["counts_per_second"]
    assert r == pytest.approx(s["counts_per_pulse"] * 1000.0)  # plasma: 1 kHz (an assumption)
    hand = 5.0 ** 2 / (4 * r * 0.05 ** 2)  # t = s²/(4 R ΔM²)
    assert s["acquisition_time_s"] == pytest.approx(hand)
    curve = trace(fig, "lab plasma:")
    t = np.interp(math.log(0.05), np.log(curve["x"]), np.log(curve["y"]))
    assert math.exp(t) == pytest.approx(hand, rel=0.02)
    assert f"needs {magnetic_budget.duration_text(hand)} per delay" in note


@pytest.mark.parametrize("seconds,text", [(7e-7, "0.7 µs"), (0.667, "667 ms"), (42.0, "42 s"), (600.0, "10 min"),
                                          (7200.0, "2 h"), (3 * 86400.0, "3 days"), (math.inf, "—")])
def test_duration_text(seconds, text):
    assert magnetic_budget.duration_text(seconds) == text


def test_self_demag_fel_point_on_axis_lab_sources_on_the_edge(result):
    fig, note = magnetic_selfdemag.figure(result)
    felp = trace(fig, "FEL: keeps 0.837")
    lab = trace(fig, "lab plasma: keeps 1.000")
    assert felp["x"] == [pytest.approx(result.self_demag.sources["fel"]["peak_fluence_mj_cm2"])]
    assert felp["y"][0] == pytest.approx(0.837, abs=1e-3) and felp["marker"]["symbol"] == "circle"
    assert lab["x"] == [magnetic_selfdemag.F_MIN] and lab["marker"]["symbol"] == "triangle-left"
    assert [n for n in names(fig) if n.endswith("fs pulse")] == ["5 fs pulse", "25 fs pulse", "100 fs pulse"]


def test_readouts_and_sources_table(result):
    v = magnetic_readouts.kpi_values(result)
    assert v == {"q1": "0.0417", "radius": "5.29", "xi": "412", "i3": "0.0412", "best-energy": "777.19",
                 "counts": "4.05", "time": "617 ms", "m-delay": "0.849", "step": "0.220", "kept": "1.000"}
    rows = {r["source"]: r for r in magnetic_sources.source_rows(result)}
    assert rows["plasma"]["provenance"]["resolution_ps"].startswith("published: 9 ps")
    assert rows["plasma"]["provenance"]["photons_per_pulse"].startswith("assumption")
    cell = magnetic_sources.provenance_cell(result.sources["plasma"], "resolution_ps")
    assert cell.className == "published" and cell.children[1].children == "✓"
    assert magnetic_sources.provenance_cell(result.sources["plasma"], "rep_rate_hz").className == "assumption"


def test_large_text_makes_every_figure_bigger(result):
    for panel in (magnetic_domains, magnetic_detector, magnetic_profile, magnetic_dynamics, magnetic_q1,
                  magnetic_spectrum, magnetic_budget, magnetic_selfdemag):
        small, _ = panel.figure(result)
        big, _ = panel.figure(result, large=True)
        assert big["layout"]["font"]["size"] > small["layout"]["font"]["size"], panel.__name__


# --- controls, URL, presets ---------------------------------------------------------------------------

def test_every_parameter_has_exactly_one_control_in_the_groups():
    listed = [n for g in SPEC.groups for n in g.names]
    assert sorted(listed) == sorted(p.name for p in sp.PARAMETERS)
    assert [p.name for p in SPEC.parameters()] == listed
    section = controls.layout(SPEC, DEFAULTS)
    tree = json.dumps(section.to_plotly_json(), default=lambda o: o.to_plotly_json())
    for p in sp.PARAMETERS:
        assert tree.count(f'"page": "magnetic", "name": "{p.name}", "kind"') == 1, p.name


def test_delay_slider_is_asinh_with_key_steps_and_readable_marks():
    p = sp.BY_NAME["delay_ps"]
    row = controls._control(SPEC, p, 1.0)
    slider = row.children[1]
    assert slider.step == pytest.approx(0.02, rel=2e-3) and slider.min == pytest.approx(p.to_slider(-20.0), abs=1e-6)
    n = (slider.max - slider.min) / slider.step
    assert n == pytest.approx(round(n), abs=1e-9)  # the End key reaches 2 ns exactly
    assert slider.value == pytest.approx(p.to_slider(1.0), abs=1e-5)
    marks = sorted(slider.marks.items())
    assert "0" in slider.marks.values() and min(b[0] - a[0] for a, b in zip(marks, marks[1:])) >= 1.2
    # a slider position back to a delay: on the 0.01 ps grid, exact for values a URL can hold
    assert controls.from_control(SPEC, "delay_ps", controls.to_control(p, 250.0)) == 250.0


def test_url_round_trip_and_bad_values():
    p = dict(DEFAULTS, source="fel", delay_ps=0.3, period_nm=120.0, pattern="stripes", photons_per_pulse=1e11)
    q = url_state.encode_query(SPEC, p)
    params, _, issues = url_state.decode_query(SPEC, q)
    assert params == p and not issues
    params, _, issues = url_state.decode_query(SPEC, "?delay_ps=5000&source=laser&period_nm=abc&energy_ev=778")
    assert params["delay_ps"] == 1.0 and params["source"] == "plasma" and params["energy_ev"] == 778.0
    assert set(issues) == {"delay_ps", "source", "period_nm"}
    assert "Pump-probe delay" in issues["delay_ps"] and "not usable" in controls.link_notice_text(issues)


def test_page_layout_starts_at_the_link_values():
    tree = json.dumps(page.layout(source="fel", delay_ps="0.3").to_plotly_json(), default=lambda o: o.to_plotly_json())
    assert '"source": "fel"' in tree and '"delay_ps": 0.3' in tree and "Some link values" not in tree
    bad = json.dumps(page.layout(delay_ps="1e9").to_plotly_json(), default=lambda o: o.to_plotly_json())
    assert "Some link values were not usable" in bad and '"delay_ps": 1.0' in bad


def test_presets_come_from_the_physics_and_fegd_is_labelled_illustrative():
    assert list(SPEC.presets) == list(sp.PRESETS)
    assert "illustrative" in SPEC.presets["fegd_illustrative"].label.lower()
    assert "ILLUSTRATIVE" in SPEC.presets["fegd_illustrative"].description
    outputs = [{"id": ids.control(ids.MAGNETIC, p.name, controls.kind_of(p)), "property": "value"}
               for p in SPEC.parameters()]
    values = controls.control_values(SPEC, presets.preset_params(SPEC, "fegd_illustrative"), outputs)
    by = {o["id"]["name"]: v for o, v in zip(outputs, values)}
    assert by["period_nm"] == pytest.approx(2.0) and by["curie_k"] == 500.0 and by["pattern"] == "labyrinth"
    for name in SPEC.presets:
        params = presets.preset_params(SPEC, name)
        assert sp.TABLE.validate_all(params) == params


def test_page_ids_are_unique_across_both_pages(app_and_cache):
    app, _ = app_and_cache
    from pages import spectra as spectra_page

    seen = []

    def walk(c):
        cid = getattr(c, "id", None)
        if cid is not None:
            seen.append(json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else cid)
        ch = getattr(c, "children", None)
        for x in (ch if isinstance(ch, (list, tuple)) else [ch] if hasattr(ch, "to_plotly_json") else []):
            walk(x)

    walk(app.layout)
    walk(spectra_page.layout())
    walk(page.layout())
    assert len(seen) == len(set(seen))
    for g in ids.MAG_GRAPHS.values():
        assert g.id in seen and g.note in seen


# --- play button -----------------------------------------------------------------------------------

def test_play_button_frames_span_the_slider_bounds():
    p = sp.BY_NAME["delay_ps"]
    step = slider_animation.frame_step(SPEC, "delay_ps", 60)
    assert step * 60 == pytest.approx(p.to_slider(2000.0) - p.to_slider(-20.0))
    with pytest.raises(ValueError):
        slider_animation.register(None, SPEC, "source")


# --- downloads ----------------------------------------------------------------------------------------

def test_csv_writer_one_table_comma_free_header_and_nan():
    text = downloads.write_table({"a_ps": [1.5, None, float("inf")], "b": [2, 3, 4], "name": ["x, y", "#1", "z"]},
                                 [("note", "x, y\nz"), ("value", 0.1)])
    lines = text.splitlines()
    assert lines == ["a_ps,b,name", "# note = x; y z", "# value = 0.1", "1.5,2,x; y", "nan,3,No.1", "nan,4,z"]
    arr = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, usecols=(0, 1))
    assert arr.shape == (3, 2) and np.isnan(arr[1, 0])
    with pytest.raises(ValueError):
        downloads.write_table({"a": [1], "b": [1, 2]}, [])
    with pytest.raises(ValueError):
        downloads.write_table({"a": [1]}, [("Not A Key", 1)])
    assert downloads.file_stem("magnetic", "fel", 0.3, "a/b c") == "magnetic_fel_0.3_a-b-c"
    assert json.loads(downloads.json_text({"x": float("nan"), "y": [math.inf, 1]})) == {"x": None, "y": [None, 1]}


def test_page_1_writes_its_files_with_the_same_writer():
    from components import export

    assert export.write_table is downloads.write_table and export.header_value is downloads.header_value


@pytest.mark.parametrize("table", list(magnetic_export.TABLES))
def test_every_table_loads_with_numpy_and_pandas_and_holds_the_drawn_numbers(result, table, tmp_path):
    text = magnetic_export.table_csv(result, table)
    header = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert all("," not in ln and " = " in ln for ln in header)
    assert "# source = plasma" in header and "# source_label = Laser-driven plasma source (lab)" in header
    assert "# q1_nm_inv = 0.0417" in header and "# delay_ps = 1" in header and "# time_per_delay = 617 ms" in header
    path = tmp_path / f"{table}.csv"
    path.write_text(text, encoding="utf-8")
    cols = magnetic_export.TABLES[table][1](result)
    if table != "sources":  # all-numeric tables: numpy reads them directly
        arr = np.genfromtxt(path, delimiter=",", names=True, comments="#", encoding="utf-8")
        first = next(iter(cols))
        assert arr.shape == (len(cols[first]),)
        np.testing.assert_allclose(arr[arr.dtype.names[0]], np.asarray(cols[first], dtype=float))
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(path, comment="#")
    assert list(df.columns) == list(cols)
    if table == "dynamics":
        fig, _ = magnetic_dynamics.figure(result)
        np.testing.assert_array_equal(df["m_measured_plasma"].to_numpy(), trace(fig, "lab plasma")["y"])
    if table == "sources":
        assert df.loc[df.source == "plasma", "resolution_ps"].item() == 9.0
        assert df.loc[df.source == "plasma", "provenance_resolution_ps"].item().startswith("published")


def test_download_callbacks_name_the_source_and_reject_forged_state(engine):
    csv_cb, json_cb = magnetic_export.make_callbacks(engine, SPEC)
    data, msg = csv_cb(1, "profile", {"params": dict(DEFAULTS, source="synchrotron")})
    assert msg == "" and data["filename"].startswith("magnetic_synchrotron_labyrinth_P150nm_E777.5eV_t1ps")
    assert data["filename"].endswith("_profile.csv") and data["type"] == "text/csv"
    data, _ = csv_cb(1, "evil", {"params": DEFAULTS})  # unknown table -> the default table
    assert data["filename"].endswith("_dynamics.csv")
    assert csv_cb(1, "profile", {"params": {"delay_ps": "x"}})[0] is no_update
    assert csv_cb(None, "profile", {"params": DEFAULTS}) == (no_update, "")
    data, msg = json_cb(1, dict(DEFAULTS, source="fel"))
    doc = json.loads(data["content"])
    assert doc["source"]["name"] == "fel" and doc["source"]["provenance"] == dict(probe_sources.PRESET_SOURCES["fel"].provenance)
    params, _, issues = url_state.decode_query(SPEC, doc["url_query"])
    assert params == dict(DEFAULTS, source="fel") and not issues
    assert json_cb(1, {"seed": 10**400})[0] is no_update


def test_image_format_switch():
    configs = magnetic_export.image_configs("svg")
    assert len(configs) == len(ids.MAG_GRAPHS)
    assert {c["toImageButtonOptions"]["format"] for c in configs} == {"svg"}
    assert configs[0]["toImageButtonOptions"]["filename"] == "domain_map"
    assert {c["toImageButtonOptions"]["format"] for c in magnetic_export.image_configs({"x": 1})} == {"png"}


def test_downloaded_profile_matches_the_figure(result):
    fig, _ = magnetic_profile.figure(result)
    text = magnetic_export.table_csv(result, "profile")
    arr = np.genfromtxt(io.StringIO(text), delimiter=",", names=True, comments="#")
    drawn = np.array([np.nan if v is None else v for v in fig["data"][0]["y"]], dtype=float)
    ok = np.isfinite(drawn)  # the log axis drops the q = 0 bin (zero)
    assert ok.sum() == len(drawn) - 1 and arr["before_photons_per_pulse_pixel"][0] == 0.0
    np.testing.assert_array_equal(arr["before_photons_per_pulse_pixel"][ok], drawn[ok])
    assert arr["q_nm_inv"][1] == pytest.approx(2 * math.pi / result.field_of_view_nm, rel=1e-4)


@pytest.mark.parametrize("page_name", ["spectra", "magnetic"])
def test_transformed_sliders_reach_both_bounds_and_round_trip(page_name):
    """Slider bounds are rounded inwards: End/Home give an accepted value, and every bound and
    default survives value -> slider position -> value (log10(20) rounded up used to be refused)."""
    from tests.web.helpers import spec_of

    spec = spec_of(page_name)
    for p in spec.params.parameters:
        if p.scale not in controls.TRANSFORMED:
            continue
        lo, hi = controls.slider_bounds(p)
        assert p.to_slider(p.minimum) <= lo < hi <= p.to_slider(p.maximum)
        assert controls.from_control(spec, p.name, lo) == p.minimum, p.name
        assert controls.from_control(spec, p.name, hi) == p.maximum, p.name
        for v in (p.minimum, p.maximum, p.default):
            assert controls.from_control(spec, p.name, controls.to_control(p, v)) == v, (p.name, v)


@pytest.mark.parametrize("click,expect", [
    ({"points": [{"x": math.asinh(100.0 / 0.5)}]}, 100.0),  # x is the slider's own (asinh) position
    ({"points": [{"x": 99.0}]}, 2000.0),  # clamped to the bounds
    ({"points": [{"x": -99.0}]}, -20.0),
])
def test_click_on_a_delay_figure_sets_the_delay(click, expect):
    value = magnetic_dynamics.delay_from_click(click)
    assert controls.from_control(SPEC, "delay_ps", value) == pytest.approx(expect, abs=0.01)


@pytest.mark.parametrize("click", [None, "x", {}, {"points": []}, {"points": ["a"]}, {"points": [{"x": "1"}]},
                                   {"points": [{"x": float("nan")}]}, {"points": [{"x": 10**400}]},
                                   {"points": [{"x": True}]}])
def test_forged_clicks_change_nothing(click):
    assert magnetic_dynamics.delay_from_click(click) is no_update
