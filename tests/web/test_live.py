"""Live interaction and lecture mode (issue 10): the zoom survives parameter changes, a drag renders
intermediate values and ends on the released one, the tour's steps have their own URLs and the
arrow keys advance, the fluence sweep plays and stops, and the page fits a phone's width.

Browser tests in headless Chromium (dash_duo), plus the server-side pieces they rely on."""
from __future__ import annotations

import json
import math
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from components import controls, engine, ids, tour
from components.common import round_sig
from pages.spectra import SPEC
from physics import model, parameters
from tests.web import helpers
from tests.web.test_browser import TIMEOUT, readout, row, start

# --- without a browser ----------------------------------------------------------------------

@pytest.mark.parametrize("view", [None, "x", [], {"spectra-graph": "x"}, {"spectra-graph": {"xaxis": [1]}},
                                  {"spectra-graph": {"xaxis": [float("nan"), 2]}},
                                  {"spectra-graph": {"xaxis": [770, 770]}},
                                  {"spectra-graph": {"xaxis": ["770", 780]}},
                                  {"spectra-graph": {"xaxis": [10**400, 780]}},
                                  {"spectra-graph": {"xaxis": [1e300, 780]}},
                                  {"spectra-graph": {"evil": [1, 2]}}])
def test_forged_view_is_ignored(view):
    fig = {"layout": {"xaxis": {"range": [765, 795]}}}
    assert engine.apply_view(fig, view, "spectra-graph")["layout"]["xaxis"] == {"range": [765, 795]}


def test_view_puts_the_users_ranges_into_the_figure():
    fig = {"layout": {"xaxis": {"range": [765, 795]}, "yaxis": {"rangemode": "tozero"}, "xaxis2": {"visible": False}}}
    view = {"spectra-graph": {"xaxis": [772, 782.5], "yaxis": [0, 10], "xaxis2": [1, 2]}, "other": {"xaxis": [0, 1]}}
    out = engine.apply_view(fig, view, "spectra-graph")["layout"]
    assert out["xaxis"] == {"range": [772.0, 782.5], "autorange": False}
    assert out["yaxis"]["range"] == [0.0, 10.0] and out["xaxis2"] == {"visible": False}


@pytest.mark.parametrize("check", [None, "x", 5, [], {"changed": 5}, {"changed": {"a": 1}}, {"changed": "evil"},
                                   {"changed": "fluence_mj_cm2", "n": 10**400}])
def test_forged_check_requests_are_answered(client, app_and_cache, check):
    """The browser's request for a notice (ids.controls_check) is client data like any other."""
    app, _ = app_and_cache
    values = {helpers.CONTROLS: {p.name: controls.to_control(p, p.default) for p in parameters.PARAMETERS},
              ids.controls_check(ids.SPECTRA): check}
    body = helpers.payload(app, ids.controls_notice(ids.SPECTRA), values)
    r = helpers.post(client, body)
    helpers.assert_answered(r, body)
    if r.status_code == 200:
        assert json.loads(r.get_data(as_text=True))["response"][ids.controls_notice(ids.SPECTRA)]["children"] == ""


def test_tour_steps_are_valid_states_with_their_own_links():
    assert 7 <= len(tour.STEPS) <= 9 and tour.CHOICES[0] == tour.OFF
    for k, step in enumerate(tour.STEPS, start=1):
        params = tour.step_params(SPEC, step)
        assert parameters.validate_all(params) == params
        assert step.focus in ids.LIVE and 2 <= step.text.count(". ") + 1 <= 4, step.title
        assert set(step.view) <= set(SPEC.view_options)
        assert tour.step_of(str(k)) is step
    for bad in (None, 3, "0", "9", "off", "<script>", ["1"]):
        assert tour.step_of(bad) is None


# --- in the browser -------------------------------------------------------------------------

ENERGY_GRAPHS = ("spectra-graph", "difference-graph", "model-graph")
ZOOM_JS = """
var rect = document.querySelector('#' + arguments[0] + ' .nsewdrag'), b = rect.getBoundingClientRect();
var y = b.top + b.height / 2, f0 = arguments[1], f1 = arguments[2];
function ev(type, x, target) {
  (target || document).dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, clientX: x, clientY: y,
                                                           buttons: 1, button: 0, view: window}));
}
ev('mousedown', b.left + f0 * b.width, rect);
for (var i = 1; i <= 8; i++) { ev('mousemove', b.left + (f0 + (f1 - f0) * i / 8) * b.width, document.querySelector('.dragcover')); }
ev('mouseup', b.left + f1 * b.width, document.querySelector('.dragcover'));
"""
RANGES_FN = """(function (ids) { return ids.map(function (id) {
  var gd = document.querySelector('#' + id + ' .js-plotly-plot'); return gd._fullLayout.xaxis.range; }); })"""
RANGES_JS = "return " + RANGES_FN + "(arguments[0]);"
SHOWS_PEAK_JS = """var want = arguments[0], gd = document.querySelector('#spectra-graph .js-plotly-plot');
return gd.data.some(function (t) { return t.name === 'nonlinear (this intensity)' && Math.max.apply(null, t.y) === want; });"""
COUNT_PAINTS_JS = """window.__count = {}; arguments[0].forEach(function (id) {
  window.__count[id] = 0;
  document.querySelector('#' + id + ' .js-plotly-plot').on('plotly_afterplot', function () { window.__count[id]++; });
});"""
# Every repaint of a graph, with its nonlinear peak (what the figure shows for the fluence in use).
RECORD_JS = """
window.__paints = [];
var gd = document.querySelector('#spectra-graph .js-plotly-plot');
gd.on('plotly_afterplot', function () {
  var t = gd.data.filter(function (t) { return t.name === 'nonlinear (this intensity)'; })[0];
  window.__paints.push({t: performance.now(), peak: t ? Math.max.apply(null, t.y) : null});
});
"""


def wait_for(dash_duo, script: str, *args, timeout: float = TIMEOUT):
    end = time.time() + timeout
    while time.time() < end:
        value = dash_duo.driver.execute_script(script, *args)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script[:120]}")


def ranges(dash_duo, graphs=ENERGY_GRAPHS):
    return dash_duo.driver.execute_script(RANGES_JS, list(graphs))


def zoomed(r, lo, hi):
    return abs(r[0] - lo) < 1e-6 and abs(r[1] - hi) < 1e-6


def scroll_to(dash_duo, panel: str):
    dash_duo.driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'center'});", panel)


def peak_for(fluence_mj_cm2: float) -> float:
    """The nonlinear peak the spectra figure must show at this fluence (as the figure rounds it)."""
    result = model.evaluate(dict(parameters.defaults(), fluence_mj_cm2=fluence_mj_cm2))
    return max(round_sig(result.transmitted_nonlinear))


@pytest.mark.browser
def test_zoom_survives_parameter_changes_until_reset(dash_duo, browser_app):
    start(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    dash_duo.driver.execute_script(ZOOM_JS, "spectra-graph", 0.25, 0.6)  # a mouse zoom, as a user drags
    lo, hi = wait_for(dash_duo, "var r = " + RANGES_FN + "(arguments[0]); return r[0][0] > 766 ? r[0] : null;",
                      ["spectra-graph"])
    wait_for(dash_duo, "var gd = document.querySelector('#model-graph .js-plotly-plot');"
             "return Math.abs(gd._fullLayout.xaxis.range[0] - arguments[0]) < 1e-6;", lo)
    dash_duo.driver.execute_script(COUNT_PAINTS_JS, list(ENERGY_GRAPHS))
    dash_duo.find_element(row("fluence_mj_cm2") + " [role=slider]").send_keys(Keys.HOME)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.345", timeout=TIMEOUT)
    wait_for(dash_duo, SHOWS_PEAK_JS, peak_for(0.1))
    assert zoomed(ranges(dash_duo, ["spectra-graph"])[0], lo, hi)
    # The figures below the fold were skipped and catch up when they come on screen, zoom kept.
    for graph in ("difference-graph", "model-graph"):
        scroll_to(dash_duo, graph)
        wait_for(dash_duo, "return window.__count[arguments[0]] > 0;", graph)
    dash_duo.wait_for_contains_text("#difference-note", "α (stimulated RIXS gain): absent", timeout=TIMEOUT)
    assert all(zoomed(r, lo, hi) for r in ranges(dash_duo)), ranges(dash_duo)
    # A double click (autorange) resets every energy axis; the next change keeps the full range.
    dash_duo.driver.execute_script("Plotly.relayout(document.querySelector('#model-graph .js-plotly-plot'),"
                                   " {'xaxis.autorange': true, 'xaxis2.autorange': true});")
    full = "var r = " + RANGES_FN + "(arguments[0]); return r.every(function (x) {" \
           " return Math.abs(x[0] - 765) < 1e-6 && Math.abs(x[1] - 795) < 1e-6; });"
    wait_for(dash_duo, full, list(ENERGY_GRAPHS))
    dash_duo.driver.execute_script("window.scrollTo(0, 0);")
    dash_duo.find_element(row("fluence_mj_cm2") + " [role=slider]").send_keys(Keys.END)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.687", timeout=TIMEOUT)
    wait_for(dash_duo, SHOWS_PEAK_JS, peak_for(10000.0))
    assert zoomed(ranges(dash_duo, ["spectra-graph"])[0], 765, 795)
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_drag_renders_intermediate_values_and_the_release_wins(dash_duo, browser_app):
    start(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    dash_duo.driver.execute_script(RECORD_JS)
    thumb = dash_duo.find_element(row("fluence_mj_cm2") + " [role=slider]")
    width = dash_duo.find_element(row("fluence_mj_cm2") + " .dash-slider-track").rect["width"]
    hold = ActionChains(dash_duo.driver, duration=0).click_and_hold(thumb)
    for _ in range(30):  # towards low fluence, a hand's pace
        hold = hold.move_by_offset(-int(width / 50), 0).pause(0.05)
    hold.perform()
    during = wait_for(dash_duo, "var p = window.__paints; var s = {};"
                      "p.forEach(function (x) { s[x.peak] = 1; }); return Object.keys(s).length >= 2 ? p : null;")
    label_during = dash_duo.find_element(readout("fluence_mj_cm2")).text
    assert len({p["peak"] for p in during}) >= 2  # figures followed the hand before the release
    ActionChains(dash_duo.driver, duration=0).release().perform()  # (a move in a new action chain would not be a drag)
    released = dash_duo.driver.execute_script(
        "return parseFloat(document.querySelector(arguments[0]).getAttribute('aria-valuenow'));",
        row("fluence_mj_cm2") + " [role=slider]")
    fluence = parameters.quantize("fluence_mj_cm2", 10 ** released)
    wait_for(dash_duo, "return window.location.search.indexOf('fluence_mj_cm2=' + arguments[0] + '&') >= 0;",
             f"{fluence:g}")
    final = peak_for(fluence)
    wait_for(dash_duo, "var p = window.__paints; return p.length && p[p.length - 1].peak === arguments[0];", final)
    time.sleep(0.5)  # nothing stale arrives after the final state
    paints = dash_duo.driver.execute_script("return window.__paints;")
    assert paints[-1]["peak"] == final and fluence < 7500 and label_during
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_tour_steps_have_urls_and_arrows_advance(dash_duo, browser_app):
    start(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    dash_duo.find_element("#" + tour.START).click()
    dash_duo.wait_for_text_to_equal("#" + tour.TITLE, tour.STEPS[0].title, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("fluence_mj_cm2"), "0.1 mJ/cm²", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.345", timeout=TIMEOUT)
    body = dash_duo.find_element("body")
    body.send_keys(Keys.ARROW_RIGHT)
    dash_duo.wait_for_text_to_equal("#" + tour.TITLE, tour.STEPS[1].title, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    for _ in range(4):
        body.send_keys(Keys.ARROW_RIGHT)
    dash_duo.wait_for_text_to_equal("#" + tour.TITLE, tour.STEPS[5].title, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("duration_fs"), "5 fs", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("fluence_mj_cm2"), "1335 mJ/cm²", timeout=TIMEOUT)
    link = wait_for(dash_duo, "var u = window.location.href; return u.indexOf('tour=6') > 0"
                    " && u.indexOf('duration_fs=5&') > 0 ? u : null;")
    body.send_keys(Keys.ARROW_LEFT)
    dash_duo.wait_for_text_to_equal("#" + tour.TITLE, tour.STEPS[4].title, timeout=TIMEOUT)
    # The step's link (for a slide) reopens that step with its state and highlighted figure.
    dash_duo.driver.get(link)
    dash_duo.wait_for_text_to_equal("#" + tour.TITLE, tour.STEPS[5].title, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("duration_fs"), "5 fs", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-intensity", "267", timeout=TIMEOUT)
    dash_duo.wait_for_element("#gain-panel.tour-focus", timeout=TIMEOUT)
    assert "Step 6 of 8" in dash_duo.find_element("#" + tour.COUNTER).text
    # A phone's width: everything fits, nothing scrolls sideways.
    dash_duo.driver.set_window_size(390, 844)
    wait_for(dash_duo, "return document.documentElement.clientWidth <= 400;")
    time.sleep(0.5)  # let the graphs resize
    overflow = dash_duo.driver.execute_script("var e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
    assert overflow[0] <= overflow[1], overflow
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_fluence_sweep_plays_and_stops_on_request(dash_duo, browser_app):
    start(dash_duo, browser_app, "?fluence_mj_cm2=7500")
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    dash_duo.driver.execute_script(RECORD_JS)
    dash_duo.find_element("#" + tour.PLAY).click()
    dash_duo.wait_for_text_to_equal("#" + tour.PLAY, tour.STOP_LABEL, timeout=TIMEOUT)
    frames = wait_for(dash_duo, "var p = window.__paints; var s = {};"
                      "p.forEach(function (x) { s[x.peak] = 1; }); return Object.keys(s).length >= 3 ? p : null;")
    assert len({p["peak"] for p in frames}) >= 3  # frames of the sweep arrive in the figure
    dash_duo.find_element("#" + tour.PLAY).click()  # stop
    dash_duo.wait_for_text_to_equal("#" + tour.PLAY, tour.PLAY_LABEL, timeout=TIMEOUT)
    stats = dash_duo.driver.execute_script("return window.dash_clientside.explorer.sweepStats();")
    assert not stats["running"] and stats["stoppedAt"] is not None and stats["stoppedAt"] < math.log10(10000.0)
    fluence = parameters.quantize("fluence_mj_cm2", 10 ** stats["stoppedAt"])
    wait_for(dash_duo, "return window.location.search.indexOf('fluence_mj_cm2=' + arguments[0] + '&') >= 0;",
             f"{fluence:g}")
    final = peak_for(fluence)
    wait_for(dash_duo, "var p = window.__paints; return p.length && p[p.length - 1].peak === arguments[0];", final)
    count = len(dash_duo.driver.execute_script("return window.__paints;"))
    time.sleep(1.0)  # stopped means stopped: no more frames
    assert len(dash_duo.driver.execute_script("return window.__paints;")) == count
    label = dash_duo.find_element(readout("fluence_mj_cm2")).text
    assert label == f"{float(f'{fluence:.4g}'):g} mJ/cm²", label
    assert dash_duo.get_logs() == []

