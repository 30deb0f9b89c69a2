"""Real-browser tests in headless Chromium (dash_duo).  Each test starts its own server on its
own port; the physics cache is shared so the Maxwell-Bloch curves are computed once."""
from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from components import ids, url_state
from tests.web.conftest import free_port

pytestmark = pytest.mark.browser

TIMEOUT = 20


def css_id(cid) -> str:
    """CSS selector of a component id (a pattern-matching id is the DOM id Dash writes for it)."""
    if isinstance(cid, dict):
        return "[id='" + json.dumps(cid, sort_keys=True, separators=(",", ":")) + "']"
    return "#" + cid


def readout(name: str) -> str:
    return css_id(ids.readout(ids.SPECTRA, name))


def row(name: str) -> str:
    return "#" + ids.control_row(ids.SPECTRA, name)


def start(dash_duo, app, query: str = ""):
    dash_duo.start_server(app, port=free_port())
    if query:
        dash_duo.driver.get(dash_duo.server_url + "/" + query)
    dash_duo.wait_for_element("#kpi-nonlinear-peak", timeout=TIMEOUT)


def text_of(dash_duo, css: str) -> str:
    return dash_duo.find_element(css).text.strip()


def wait_text_not(dash_duo, css: str, old: str, timeout: float = TIMEOUT) -> str:
    end = time.time() + timeout
    while time.time() < end:
        t = text_of(dash_duo, css)
        if t and t != old and t != "—":
            return t
        time.sleep(0.05)
    raise AssertionError(f"{css} stayed {old!r}")


def graph_trace_names(dash_duo, graph_id: str) -> list[str]:
    return dash_duo.driver.execute_script(
        "var gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return gd && gd.data ? gd.data.map(function (t) { return t.name || ''; }) : [];", graph_id)


def test_page_loads_without_console_errors(dash_duo, browser_app):
    start(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-alpha", "774.95", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("fluence_mj_cm2"), "7500 mJ/cm²", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#controls-intensity", "Intensity I = F/τ = 300 mJ/cm²/fs", timeout=TIMEOUT)
    for g in ("spectra-graph", "difference-graph", "model-graph", "gain-graph", "transmission-graph"):
        dash_duo.wait_for_element(f"#{g} .main-svg", timeout=TIMEOUT)
    assert "nonlinear (this intensity)" in graph_trace_names(dash_duo, "spectra-graph")
    # The gain figure shows KHD at once; the Maxwell-Bloch curve arrives from the background job.
    assert any(n.startswith("KHD") for n in graph_trace_names(dash_duo, "gain-graph"))
    end = time.time() + 60
    while time.time() < end and not any(n.startswith("Maxwell-Bloch (")
                                        for n in graph_trace_names(dash_duo, "gain-graph")):
        time.sleep(0.2)
    assert any(n.startswith("Maxwell-Bloch (") for n in graph_trace_names(dash_duo, "gain-graph"))
    assert "?fluence_mj_cm2=7500" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_fluence_slider_changes_peak_transmission(dash_duo, browser_app):
    start(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    thumb = dash_duo.find_element(row("fluence_mj_cm2") + " [role=slider]")
    thumb.send_keys(Keys.HOME)  # keyboard: to the minimum fluence, 0.1 mJ/cm^2
    new = wait_text_not(dash_duo, "#kpi-nonlinear-peak", "0.615")
    assert new == "0.345"
    dash_duo.wait_for_text_to_equal(readout("fluence_mj_cm2"), "0.1 mJ/cm²", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-alpha", "absent", timeout=TIMEOUT)
    assert "fluence_mj_cm2=0.1" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_shifted_preset_removes_alpha(dash_duo, browser_app):
    start(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#kpi-alpha", "774.95", timeout=TIMEOUT)
    dash_duo.find_element("#spectra-presets-menu").click()
    end = time.time() + TIMEOUT
    while True:
        opts = [o for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option") if "Shifted pulse" in o.text]
        if opts or time.time() > end:
            break
        time.sleep(0.05)
    assert opts, "preset option not shown"
    opts[0].click()
    dash_duo.wait_for_text_to_equal("#kpi-alpha", "absent", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("center_ev"), "781 eV", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("bandwidth_ev"), "3 eV", timeout=TIMEOUT)
    # Panels below the fold update when they come on screen (assets/explorer.js live).
    dash_duo.driver.execute_script("document.getElementById('difference-panel').scrollIntoView();")
    dash_duo.wait_for_contains_text("#difference-note", "α (stimulated RIXS gain): absent", timeout=TIMEOUT)
    assert "center_ev=781" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_shared_url_restores_state_and_bad_values_fall_back(dash_duo, browser_app):
    start(dash_duo, browser_app, "?fluence_mj_cm2=1335&duration_fs=5&gain_axis=intensity&diff_units=transmission")
    dash_duo.wait_for_text_to_equal(readout("fluence_mj_cm2"), "1335 mJ/cm²", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("duration_fs"), "5 fs", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#controls-intensity", "Intensity I = F/τ = 267 mJ/cm²/fs", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-intensity", "267", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.566", timeout=TIMEOUT)
    assert dash_duo.find_element("#gain-axis input[value=intensity]").is_selected()
    assert dash_duo.find_element("#difference-units input[value=transmission]").is_selected()
    # The address bar the browser writes (explorer.js writeUrl) is the query the server encodes.
    from pages.spectra import SPEC
    from physics import parameters

    want = url_state.encode_query(SPEC, dict(parameters.defaults(), fluence_mj_cm2=1335.0, duration_fs=5.0),
                                  {"gain_axis": "intensity", "diff_units": "transmission"})
    end = time.time() + TIMEOUT
    while time.time() < end and "?" + dash_duo.driver.current_url.split("?", 1)[-1] != want:
        time.sleep(0.05)
    assert "?" + dash_duo.driver.current_url.split("?", 1)[-1] == want
    # A bad link: absurd fluence and a non-number fall back to the defaults, with a notice.
    dash_duo.driver.get(dash_duo.server_url + "/?fluence_mj_cm2=1e99&duration_fs=abc&center_ev=781")
    dash_duo.wait_for_contains_text("#" + ids.link_notice(ids.SPECTRA), "not usable", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#" + ids.link_notice(ids.SPECTRA), "Fluence", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("fluence_mj_cm2"), "7500 mJ/cm²", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("center_ev"), "781 eV", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_csv_download_holds_the_shown_numbers(dash_duo, browser_app):
    start(dash_duo, browser_app, "?fluence_mj_cm2=9343&duration_fs=25")
    dash_duo.wait_for_text_to_equal(readout("fluence_mj_cm2"), "9343 mJ/cm²", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.669", timeout=TIMEOUT)
    shown = {k: text_of(dash_duo, f"#kpi-{k}") for k in ("nonlinear-peak", "spontaneous-peak", "alpha", "beta", "gamma")}
    dash_duo.find_element("#export-spectra-button").click()
    folder = Path(dash_duo.download_path)
    end = time.time() + TIMEOUT
    files = []
    while time.time() < end:
        files = [f for f in folder.glob("*.csv") if not f.name.endswith(".crdownload")]
        if files:
            break
        time.sleep(0.1)
    assert files, os.listdir(folder)
    assert files[0].name.startswith("xray_explorer_F9343_tau25fs")
    rows = list(csv.reader(io.StringIO(files[0].read_text(encoding="utf-8"))))
    header = dict(r[0][2:].split(" = ", 1) for r in rows if r and r[0].startswith("# "))
    assert header["peak_transmission_nonlinear"] == shown["nonlinear-peak"]
    assert header["peak_transmission_spontaneous"] == shown["spontaneous-peak"]
    assert header["alpha_energy_ev"] == shown["alpha"]
    assert header["fluence_mj_cm2"] == "9343"
    table = [r for r in rows if r and not r[0].startswith("#")]
    assert table[0][0] == "energy_ev" and len(table) == 602
    # ...and the columns are the plotted traces.
    y = dash_duo.driver.execute_script(
        "var gd = document.querySelector('#spectra-graph .js-plotly-plot');"
        "return gd.data.filter(function (t) { return t.name === 'nonlinear (this intensity)'; })[0].y;")
    col = table[0].index("transmitted_nonlinear_mj_cm2_ev")
    assert [float(r[col]) for r in table[1:]] == pytest.approx(y, rel=0, abs=0)
    assert dash_duo.get_logs() == []


def test_bad_upload_shows_its_message_and_good_one_is_used(dash_duo, browser_app, tmp_path):
    start(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    bad = tmp_path / "bad.csv"
    bad.write_text("energy_ev,intensity\n770,1\n771,abc\n")
    dash_duo.find_element("#upload-data input[type=file]").send_keys(str(bad))
    dash_duo.wait_for_contains_text("#upload-message", "“bad.csv” was not used", timeout=TIMEOUT)
    good = tmp_path / "good.csv"
    good.write_text("energy_ev,intensity\n" + "\n".join(f"{770 + 0.25 * k},{1 + (k % 3)}" for k in range(60)))
    dash_duo.find_element("#upload-data input[type=file]").send_keys(str(good))
    dash_duo.wait_for_contains_text("#upload-message", "Using “good.csv”", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#spectra-note", "uploaded reference", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_zoom_is_linked_across_spectral_figures(dash_duo, browser_app):
    start(dash_duo, browser_app)
    dash_duo.wait_for_element("#difference-graph .main-svg", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    dash_duo.driver.execute_script(
        "var gd = document.querySelector('#spectra-graph .js-plotly-plot');"
        "Plotly.relayout(gd, {'xaxis.range[0]': 772, 'xaxis.range[1]': 782});")
    end = time.time() + TIMEOUT
    ranges = None
    while time.time() < end:
        ranges = dash_duo.driver.execute_script(
            "return ['difference-graph', 'model-graph'].map(function (id) {"
            " var gd = document.querySelector('#' + id + ' .js-plotly-plot'); return gd.layout.xaxis.range; });")
        if all(abs(r[0] - 772) < 1e-6 and abs(r[1] - 782) < 1e-6 for r in ranges):
            break
        time.sleep(0.05)
    assert all(abs(r[0] - 772) < 1e-6 and abs(r[1] - 782) < 1e-6 for r in ranges), ranges
    assert dash_duo.get_logs() == []
