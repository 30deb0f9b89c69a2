"""What a lecturer, a screen-reader user and a phone user meet, in headless Chromium (dash_duo):
labels never on the data at 1920 px in projector mode and at 390 px, no horizontal scroll, an axe-core
scan without serious violations, named sliders speaking physical units, presets that say "modified",
dismissible notices, the Present view, and a burst of key presses that leaves every figure drawn."""
from __future__ import annotations

import json
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from components import controls, ids
from tests.web import layout_probe as lp
from tests.web.conftest import free_port

pytestmark = pytest.mark.browser

TIMEOUT = 30
MB_TIMEOUT = 120  # the first test to need the Maxwell-Bloch curves computes them (shared cache)
MENU_OPTIONS = ".dash-dropdown-content .dash-dropdown-option"  # the preset menu's entries


def start(dash_duo, app, query: str = "", *, width: int | None = None, height: int = 1080, emulate: int | None = None):
    if width:
        dash_duo.driver.set_window_size(width, height)
    if emulate:
        dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                        {"width": emulate, "height": height, "deviceScaleFactor": 1, "mobile": False})
    dash_duo.start_server(app, port=free_port())
    if query:
        dash_duo.driver.get(dash_duo.server_url + "/" + query)
    dash_duo.wait_for_element("#kpi-nonlinear-peak", timeout=TIMEOUT)


def names(driver, graph_id: str) -> list[str]:
    return driver.execute_script(
        "var gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return gd && gd.data ? gd.data.map(function (t) { return t.name || ''; }) : [];", graph_id)


def drawn(driver, *, large: bool = False, mb: bool = False):
    """Every figure drawn with data at the mode's font size (and the MB curves, if asked)."""
    report = lp.figures(driver)
    size = 19 if large else 13
    if not all(not r.get("error") and r["traces"] > 0 and r["font"] == size for r in report):
        return None
    if mb and not (any(n.startswith("Maxwell-Bloch (") for n in names(driver, "gain-graph"))
                   and any(n.startswith("Bloch, atomic dipole") for n in names(driver, "transmission-graph"))):
        return None
    return report


def settled_problems(driver, timeout: float = 8.0) -> list[str]:
    """Overlap problems once Plotly's redraws settle: passes as soon as a check is clean; a
    legend left on the data stays there and fails after ``timeout``."""
    last: list[str] = []

    def clean():
        nonlocal last
        last = lp.problems(lp.figures(driver))
        return not last
    try:
        lp.wait_until(clean, timeout, 0.2, "labels off the data")
    except AssertionError:
        pass
    return last


def no_horizontal_scroll(driver) -> dict:
    page = driver.execute_script(lp.PAGE_JS)
    assert page["scrollWidth"] <= page["innerWidth"], page
    return page


def thumb(dash_duo, name: str):
    return dash_duo.find_element("#" + ids.control_row(ids.SPECTRA, name) + " [role=slider]")


def readout_css(name: str) -> str:
    return "[id='" + controls.dom_id(ids.readout(ids.SPECTRA, name)) + "']"


def test_projector_1920_labels_never_cover_data(dash_duo, browser_app):
    start(dash_duo, browser_app, width=1920, height=1080)
    d = dash_duo.driver
    lp.wait_until(lambda: drawn(d, mb=True), MB_TIMEOUT, what="figures with Maxwell-Bloch curves")
    assert settled_problems(d) == []
    box = dash_duo.find_element("#" + ids.LARGE + " input")
    for _ in range(2):  # on, off, on: each switch re-lays out every figure (width and font at once)
        box.click()
        lp.wait_until(lambda: drawn(d, large=True, mb=True), TIMEOUT, what="projector mode")
        assert settled_problems(d) == [], "projector mode"
        no_horizontal_scroll(d)
        box.click()
        lp.wait_until(lambda: drawn(d, mb=True), TIMEOUT, what="normal mode")
    assert settled_problems(d) == []
    d.set_window_size(1280, 900)  # the laptop: two y titles of the model figure, the gain legend's rows
    assert settled_problems(d) == [], "1280 px"
    box.click()
    lp.wait_until(lambda: drawn(d, large=True, mb=True), TIMEOUT, what="projector mode at 1280 px")
    assert settled_problems(d) == [], "1280 px, projector mode"
    no_horizontal_scroll(d)
    assert dash_duo.get_logs() == []


def test_phone_390_labels_never_cover_data_and_no_horizontal_scroll(dash_duo, browser_app):
    start(dash_duo, browser_app, emulate=390, height=844)
    d = dash_duo.driver
    lp.wait_until(lambda: drawn(d), TIMEOUT, what="figures")
    assert d.execute_script("return window.innerWidth") == 390
    assert settled_problems(d) == []
    no_horizontal_scroll(d)
    widths = d.execute_script("return Array.prototype.map.call(document.querySelectorAll('.js-plotly-plot'),"
                              " function (g) { return g.getBoundingClientRect().right; })")
    assert max(widths) <= 390
    # The probe can fail: a legend moved onto the data, and a long y title, are reported.
    d.execute_script("var gd = document.querySelector('#spectra-graph .js-plotly-plot');"
                     "Plotly.relayout(gd, {'legend.yref': 'paper', 'legend.y': 0.6, 'legend.x': 0.05,"
                     " 'legend.xref': 'paper', 'yaxis.automargin': false,"  # no margin push: the title is cut
                     " 'yaxis.title.text': 'a very long y axis title that no figure this small can hold whole'});")
    found = lp.wait_until(lambda: lp.problems(lp.figures(d, ["spectra-graph"])), TIMEOUT, what="probe reports")
    assert any("legend" in p and "covers" in p for p in found) and any("legend box enters" in p for p in found)
    assert any("y-axis title is cut off" in p for p in found), found
    assert dash_duo.get_logs() == []


def test_axe_scan_has_no_serious_violations(dash_duo, browser_app):
    start(dash_duo, browser_app)
    d = dash_duo.driver
    lp.wait_until(lambda: drawn(d), TIMEOUT, what="figures")
    dash_duo.find_element("#spectra-controls-advanced summary").click()  # scan the advanced controls too
    d.execute_script(lp.AXE_PATH.read_text(encoding="utf-8"))
    d.set_script_timeout(60)
    result = d.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) {"
        " done(r.violations.map(function (v) { return {id: v.id, impact: v.impact, help: v.help,"
        "  nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); })}; })); },"
        " function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]); });")
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1, ensure_ascii=False)


def test_sliders_are_named_speak_units_and_move_usefully(dash_duo, browser_app):
    start(dash_duo, browser_app)
    d = dash_duo.driver
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    t = thumb(dash_duo, "fluence_mj_cm2")
    lp.wait_until(lambda: t.get_attribute("aria-valuetext") == "7500 mJ/cm²", TIMEOUT, what="value text")
    label = d.find_element(By.ID, t.get_attribute("aria-labelledby"))
    assert label.text == "Fluence (mJ/cm²)"
    assert thumb(dash_duo, "duration_fs").get_attribute("aria-valuetext") == "25 fs"
    t.send_keys(Keys.ARROW_RIGHT * 5)  # five presses: +0.1 decade on the 0.02 grid -> 10**3.98
    dash_duo.wait_for_text_to_equal(readout_css("fluence_mj_cm2"), "9550 mJ/cm²", timeout=TIMEOUT)
    lp.wait_until(lambda: t.get_attribute("aria-valuetext") == "9550 mJ/cm²", TIMEOUT, what="value text follows")
    box = dash_duo.find_element("[id='" + controls.dom_id(controls.box_id(ids.SPECTRA, "fluence_mj_cm2")) + "']")
    lp.wait_until(lambda: box.get_attribute("value") == "9550", TIMEOUT, what="box follows the slider")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("1335", Keys.ENTER)  # an exact value, typed
    dash_duo.wait_for_text_to_equal(readout_css("fluence_mj_cm2"), "1335 mJ/cm²", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-intensity", "53.4", timeout=TIMEOUT)
    assert "fluence_mj_cm2=1335" in d.current_url
    # Copy link is a keyboard stop right after the navigation (its last link: one per page), with a name.
    d.find_elements(By.CSS_SELECTOR, "#" + ids.NAV + " a")[-1].send_keys(Keys.TAB)
    active = d.switch_to.active_element
    assert active.get_attribute("id") == ids.COPY_LINK and active.get_attribute("role") == "button"
    assert active.get_attribute("aria-label") == "Copy a link to this view"
    assert d.execute_script("return document.documentElement.lang") == "en"
    # Each figure is described by its caption, note and key numbers.
    described = d.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('[role=figure]'), function (f) {"
        " return f.getAttribute('aria-describedby').split(' ').map(function (i) {"
        "  var e = document.getElementById(i); return e ? e.textContent : null; }).join(' '); });")
    assert len(described) == 5 and all(text and re.search(r"\d", text) for text in described), described
    assert dash_duo.get_logs() == []


def test_presets_say_modified_and_apply_again_with_all_entries_visible(dash_duo, browser_app):
    start(dash_duo, browser_app)
    menu = "#" + ids.presets_menu(ids.SPECTRA)
    description = "#" + ids.preset_description(ids.SPECTRA)
    dash_duo.wait_for_contains_text(menu, "Paper top point", timeout=TIMEOUT)  # the defaults are that preset
    dash_duo.find_element(menu).click()
    opts = lp.wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, MENU_OPTIONS), TIMEOUT, what="menu")
    assert len(opts) == 6
    hidden = dash_duo.driver.execute_script(
        "var list = document.querySelector('.dash-dropdown-content .dash-dropdown-options');"
        "var box = list.getBoundingClientRect();"
        "return Array.prototype.filter.call(list.querySelectorAll('.dash-dropdown-option'), function (o) {"
        " var r = o.getBoundingClientRect(); return r.top < box.top - 1 || r.bottom > box.bottom + 1; }).length"
        " + (list.scrollHeight > list.clientHeight + 1 ? 100 : 0);")
    assert hidden == 0, "some presets are scrolled out of the list"
    dash_duo.find_element(menu).send_keys(Keys.ESCAPE)
    thumb(dash_duo, "fluence_mj_cm2").send_keys(Keys.ARROW_LEFT)
    dash_duo.wait_for_contains_text(menu, "(modified", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(description, "Modified from the preset: Fluence 7500 mJ/cm² →", timeout=TIMEOUT)
    dash_duo.find_element(menu).click()
    top = lp.wait_until(lambda: [o for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, MENU_OPTIONS)
                                 if "Paper top point" in o.text], TIMEOUT, what="top option")
    top[0].click()  # the same preset again: it applies
    dash_duo.wait_for_text_to_equal(readout_css("fluence_mj_cm2"), "7500 mJ/cm²", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    lp.wait_until(lambda: "modified" not in dash_duo.find_element(menu).text, TIMEOUT, what="marker gone")
    assert dash_duo.get_logs() == []


def test_notices_have_kinds_and_close(dash_duo, browser_app, tmp_path):
    start(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    rows = "energy_ev,intensity\n" + "\n".join(f"{770 + 0.25 * k},{1 + k % 3}" for k in range(60)) + "\n"
    u16 = tmp_path / "excel-unicode.csv"
    u16.write_bytes(rows.encode("utf-16"))
    dash_duo.find_element("#upload-data input[type=file]").send_keys(str(u16))
    dash_duo.wait_for_contains_text("#upload-message .notice-body.success", "Using “excel-unicode.csv”",
                                    timeout=TIMEOUT)
    dash_duo.find_element("#upload-message .notice-dismiss").click()
    lp.wait_until(lambda: dash_duo.find_element("#upload-message").text == "", TIMEOUT, what="dismissed")
    dc = tmp_path / "comma.csv"
    dc.write_text("energy;intensity\n" + "\n".join(f"{770 + k},5;{1 + k % 3},25" for k in range(30)))
    dash_duo.find_element("#upload-data input[type=file]").send_keys(str(dc))
    dash_duo.wait_for_contains_text("#upload-message .notice-body.error", "decimal commas", timeout=TIMEOUT)
    dash_duo.find_element("#spectra-controls-advanced summary").click()
    seed = dash_duo.find_element("[id='" + controls.dom_id(ids.control(ids.SPECTRA, "seed", ids.NUMBER)) + "']")
    seed.send_keys(Keys.CONTROL, "a")
    seed.send_keys("-5", Keys.ENTER)
    notice = "#" + ids.controls_notice(ids.SPECTRA)
    dash_duo.wait_for_contains_text(notice + " .notice-body.error", "SASE seed: -5 is outside the allowed range",
                                    timeout=TIMEOUT)
    dash_duo.find_element(notice + " .notice-dismiss").click()
    lp.wait_until(lambda: dash_duo.find_element(notice).text == "", TIMEOUT, what="seed notice dismissed")
    assert dash_duo.get_logs() == []


def test_present_view_shows_one_figure_large(dash_duo, browser_app):
    start(dash_duo, browser_app, width=1600, height=900)
    d = dash_duo.driver
    lp.wait_until(lambda: drawn(d), TIMEOUT, what="figures")
    dash_duo.find_element("#gain-panel .present-button").click()
    lp.wait_until(lambda: drawn(d, large=True), TIMEOUT, what="projector text")
    shown = d.execute_script(
        "return Array.prototype.filter.call(document.querySelectorAll('.figure-panel'), function (p) {"
        " return p.offsetParent !== null; }).map(function (p) { return p.id; });")
    assert shown == ["gain-panel"]
    height = lp.wait_until(lambda: (lambda h: h if h > 0.6 * 900 else None)(d.execute_script(
        "return document.querySelector('#gain-graph .js-plotly-plot').getBoundingClientRect().height")),
        TIMEOUT, what="tall figure")
    assert height > 0.6 * 900
    assert dash_duo.find_element("#gain-panel .present-button").get_attribute("aria-pressed") == "true"
    assert settled_problems(d) == []
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)
    lp.wait_until(lambda: drawn(d), TIMEOUT, what="back to normal text")
    assert len(d.execute_script("return Array.prototype.filter.call(document.querySelectorAll('.figure-panel'),"
                                " function (p) { return p.offsetParent !== null; })")) == 5
    assert not dash_duo.find_element("#" + ids.LARGE + " input").is_selected()
    assert dash_duo.get_logs() == []


def test_burst_of_15_key_presses_leaves_every_figure_drawn(dash_duo, browser_app, capfd):
    """15 presses on the duration slider: 15 parameter states and 15 Maxwell-Bloch keys (background
    jobs) in about a second; afterwards every figure shows the last state, nothing is left on
    "Loading…", and neither the browser nor the server processes logged a traceback."""
    start(dash_duo, browser_app, "?n_pulses=2")  # cheap jobs: the burst, not the physics, is under test
    d = dash_duo.driver
    lp.wait_until(lambda: drawn(d, mb=True), MB_TIMEOUT, what="first state")
    thumb(dash_duo, "duration_fs").send_keys(Keys.ARROW_RIGHT * 15)
    dash_duo.wait_for_text_to_equal(readout_css("duration_fs"), "32.5 fs", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-intensity", "230.8", timeout=TIMEOUT)
    lp.wait_until(lambda: drawn(d, mb=True), MB_TIMEOUT, what="every figure after the burst")
    lp.wait_until(lambda: "Loading" not in json.dumps(d.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('.js-plotly-plot'), function (g) {"
        " return (g.layout.annotations || []).map(function (a) { return a.text; }); })")), TIMEOUT, what="no Loading…")
    status = d.execute_script("return [document.getElementById('mb-gain-status').className,"
                              " document.getElementById('mb-transmission-status').className]")
    lp.wait_until(lambda: all("busy" not in c for c in d.execute_script(
        "return [document.getElementById('mb-gain-status').className,"
        " document.getElementById('mb-transmission-status').className]")), MB_TIMEOUT, what="jobs finished")
    assert status is not None
    assert dash_duo.get_logs() == []
    err = capfd.readouterr().err
    assert "Traceback" not in err, err[-3000:]
