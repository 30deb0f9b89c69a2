"""The magnetic-scattering page in headless Chromium (dash_duo): loads clean, every control
reaches every figure, keyboard and play button move the delay, the URL round trip, bad links
answered with a notice, and each page keeps its own state across the navigation.

Lean on purpose: readiness waits only (no fixed sleeps), one server per test."""
from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from components import ids, slider_animation
from tests.web.conftest import free_port
from tests.web.test_browser import css_id

pytestmark = pytest.mark.browser

TIMEOUT = 30
MENU_OPTIONS = ".dash-dropdown-content .dash-dropdown-option"  # a Dropdown's entries (as test_presentation)
PATH = "/magnetic-scattering"
GRAPHS = tuple(g.id for g in ids.MAG_GRAPHS.values())
DELAY_GRAPHS = tuple(ids.MAG_GRAPHS[k].id for k in ("domains", "detector", "profile", "dynamics", "q1"))

# Counts the renders of every graph (plotly_afterplot) and stamps the last one: lets a test wait
# for "every figure repainted" instead of sleeping.
WATCH_JS = """
window.__plots = window.__plots || {};
arguments[0].forEach(function (id) {
  var gd = document.querySelector('#' + id + ' .js-plotly-plot');
  if (!gd || gd.__watched) { return; }
  gd.__watched = true;
  window.__plots[id] = window.__plots[id] || {n: 0, t: 0};
  gd.on('plotly_afterplot', function () { window.__plots[id].n += 1; window.__plots[id].t = performance.now(); });
});
return window.__plots;
"""


def readout(name: str) -> str:
    return css_id(ids.readout(ids.MAGNETIC, name))


def row(name: str) -> str:
    return "#" + ids.control_row(ids.MAGNETIC, name)


def wait_until(fn, timeout: float = TIMEOUT, what: str = "condition"):
    end = time.time() + timeout
    while time.time() < end:
        value = fn()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def open_page(dash_duo, app, query: str = ""):
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + PATH + query)
    wait_ready(dash_duo)


def wait_ready(dash_duo):
    """Every graph drawn with data and the key numbers filled."""
    dash_duo.wait_for_element("#mag-kpi-q1", timeout=TIMEOUT)
    wait_until(lambda: dash_duo.driver.execute_script(
        "return arguments[0].every(function (id) { var gd = document.querySelector('#' + id + ' .js-plotly-plot');"
        " return gd && gd.data && gd.data.length > 0; })", list(GRAPHS)), what="all graphs drawn")
    wait_until(lambda: dash_duo.find_element("#mag-kpi-q1").text not in ("", "—"), what="key numbers")


def watch(dash_duo) -> dict:
    return dash_duo.driver.execute_script(WATCH_JS, list(GRAPHS))


def wait_repainted(dash_duo, before: dict, graphs=GRAPHS) -> dict:
    def done():
        now = dash_duo.driver.execute_script("return window.__plots;")
        return now if all(now[g]["n"] > before[g]["n"] for g in graphs) else None
    return wait_until(done, what="every figure repainted: " + ", ".join(graphs))


def trace_names(dash_duo, graph_id: str) -> list[str]:
    return dash_duo.driver.execute_script(
        "var gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return gd && gd.data ? gd.data.map(function (t) { return t.name || ''; }) : [];", graph_id)


def test_page_loads_clean_and_controls_reach_every_figure(dash_duo, browser_app):
    open_page(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#mag-kpi-q1", "0.0417", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#mag-kpi-m-delay", "0.849", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("delay_ps"), "1 ps", timeout=TIMEOUT)
    assert "lab plasma (9 ps): step 0.22" in trace_names(dash_duo, ids.MAG_GRAPHS["dynamics"].id)
    assert "delay_ps=1" in dash_duo.driver.current_url and "source=plasma" in dash_duo.driver.current_url
    assert "Laser-driven plasma source (lab) 9✓" in dash_duo.find_element("#magnetic-sources-table tr.chosen").text
    # A source change repaints every figure but the domain map (the film does not care about the probe).
    before = watch(dash_duo)
    dash_duo.find_element(row("source") + " input[value=fel]").click()
    wait_repainted(dash_duo, before, tuple(g for g in GRAPHS if g != ids.MAG_GRAPHS["domains"].id))
    dash_duo.wait_for_text_to_equal("#mag-kpi-step", "0.347", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#" + ids.MAG_GRAPHS["budget"].note, "X-ray FEL:", timeout=TIMEOUT)
    assert "as X-ray FEL records it" in trace_names(dash_duo, ids.MAG_GRAPHS["q1"].id)
    # ...and a pattern change reaches the domain map (and the rest).
    before = watch(dash_duo)
    dash_duo.find_element(row("pattern") + " input[value=stripes]").click()
    wait_repainted(dash_duo, before)
    dash_duo.wait_for_contains_text("#" + ids.MAG_GRAPHS["domains"].note, "stripes, P = 150 nm", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#mag-kpi-xi", "resolution-limited", timeout=TIMEOUT)
    assert "pattern=stripes" in dash_duo.driver.current_url and "source=fel" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_keyboard_moves_the_delay_and_only_delay_figures_repaint(dash_duo, browser_app):
    open_page(dash_duo, browser_app)
    dash_duo.wait_for_text_to_equal("#mag-kpi-m-delay", "0.849", timeout=TIMEOUT)
    before = watch(dash_duo)
    thumb = dash_duo.find_element(row("delay_ps") + " [role=slider]")
    thumb.send_keys(Keys.END)  # keyboard: to the last delay, 2 ns
    wait_repainted(dash_duo, before, DELAY_GRAPHS)
    dash_duo.wait_for_text_to_equal(readout("delay_ps"), "2000 ps", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#mag-kpi-m-delay", "0.973", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#" + ids.MAG_GRAPHS["dynamics"].note, "At 2000 ps", timeout=TIMEOUT)
    after = dash_duo.driver.execute_script("return window.__plots;")
    for key in ("spectrum", "budget", "selfdemag"):  # delay-free figures stay still
        g = ids.MAG_GRAPHS[key].id
        assert after[g]["n"] == before[g]["n"], key
    thumb.send_keys(Keys.ARROW_LEFT)  # one key step (0.02) on the asinh axis: 2000 -> 1960.4 ps
    dash_duo.wait_for_text_to_equal(readout("delay_ps"), "1960 ps", timeout=TIMEOUT)
    wait_until(lambda: "delay_ps=1960." in dash_duo.driver.current_url, what="URL follows the delay")
    assert dash_duo.get_logs() == []


def test_play_button_animates_the_delay_and_pauses(dash_duo, browser_app):
    open_page(dash_duo, browser_app, "?delay_ps=-20")
    dash_duo.wait_for_text_to_equal(readout("delay_ps"), "-20 ps", timeout=TIMEOUT)
    button = "#" + slider_animation.button_id(ids.MAGNETIC, "delay_ps")
    dash_duo.find_element(button).send_keys(Keys.ENTER)  # keyboard operation
    dash_duo.wait_for_text_to_equal(button, slider_animation.PAUSE, timeout=TIMEOUT)
    seen = set()
    wait_until(lambda: seen.add(dash_duo.find_element("#mag-kpi-m-delay").text) or len(seen) >= 3,
               what="the delay advancing frame by frame")
    dash_duo.find_element(button).click()
    dash_duo.wait_for_text_to_equal(button, slider_animation.PLAY, timeout=TIMEOUT)
    # paused: the next ticks of the interval change nothing
    wait_until(lambda: dash_duo.driver.execute_script(
        "return !document.querySelector(\"[data-dash-is-loading='true']\");"), what="the last frame drawn")
    stopped = dash_duo.find_element(readout("delay_ps")).text
    end = time.time() + 1.0
    while time.time() < end:
        assert dash_duo.find_element(readout("delay_ps")).text == stopped
        time.sleep(0.1)
    assert stopped != "-20 ps"
    assert dash_duo.get_logs() == []


def test_url_round_trip_bad_values_and_navigation_keep_each_pages_state(dash_duo, browser_app):
    open_page(dash_duo, browser_app, "?source=synchrotron&delay_ps=100&pattern=stripes&period_nm=200")
    dash_duo.wait_for_text_to_equal(readout("delay_ps"), "100 ps", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("period_nm"), "200 nm", timeout=TIMEOUT)
    assert dash_duo.find_element(row("source") + " input[value=synchrotron]").is_selected()
    dash_duo.wait_for_text_to_equal("#mag-kpi-q1", "0.03142", timeout=TIMEOUT)  # 2π/200 nm
    assert "source=synchrotron" in dash_duo.driver.current_url and "period_nm=200" in dash_duo.driver.current_url
    # To the first page and back with the navigation: each page reopens as it was left.
    dash_duo.find_element("#" + ids.nav_link(ids.SPECTRA)).click()
    dash_duo.wait_for_element("#kpi-nonlinear-peak", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=TIMEOUT)
    # Leave page 1 only once its background Maxwell-Bloch jobs are done: a job still running when
    # its page is left makes Dash log "ID running component not found in layout" (page 1's jobs).
    for status in ("#mb-gain-status", "#mb-transmission-status"):
        wait_until(lambda css=status: "done" in dash_duo.find_element(css).get_attribute("class").split(),
                   timeout=180, what=f"{status}: background job done")
    dash_duo.find_element("[id='" + '{"kind":"slider","name":"fluence_mj_cm2","page":"spectra","type":"control"}'
                          + "'] [role=slider]").send_keys(Keys.HOME)
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.345", timeout=TIMEOUT)
    dash_duo.find_element("#" + ids.nav_link(ids.MAGNETIC)).click()
    wait_ready(dash_duo)
    dash_duo.wait_for_text_to_equal(readout("delay_ps"), "100 ps", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#mag-kpi-q1", "0.03142", timeout=TIMEOUT)
    assert "source=synchrotron" in dash_duo.driver.current_url
    dash_duo.find_element("#" + ids.nav_link(ids.SPECTRA)).click()
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.345", timeout=TIMEOUT)
    assert "fluence_mj_cm2=0.1" in dash_duo.driver.current_url
    # A bad link: the page opens with the defaults for the bad values and says which.
    dash_duo.driver.get(dash_duo.server_url + PATH + "?delay_ps=1e9&source=laser&energy_ev=778")
    notice = "#" + ids.link_notice(ids.MAGNETIC)
    dash_duo.wait_for_contains_text(notice, "not usable", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(notice, "Pump-probe delay", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(notice, "Probe source", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("delay_ps"), "1 ps", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("energy_ev"), "778 eV", timeout=TIMEOUT)
    # setting the delay clears its part of the notice
    dash_duo.find_element(row("delay_ps") + " [role=slider]").send_keys(Keys.HOME)
    wait_until(lambda: "Pump-probe delay" not in dash_duo.find_element(notice).text, what="notice updated")
    assert "Probe source" in dash_duo.find_element(notice).text
    assert dash_duo.get_logs() == []


def test_illustrative_preset_and_projector_mode(dash_duo, browser_app):
    open_page(dash_duo, browser_app)
    dash_duo.find_element("#" + ids.presets_menu(ids.MAGNETIC)).click()
    option = wait_until(lambda: [o for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, MENU_OPTIONS)
                                 if "FeGd-like (illustrative)" in o.text], what="preset option")
    option[0].click()
    dash_duo.wait_for_contains_text("#" + ids.preset_description(ids.MAGNETIC), "ILLUSTRATIVE ONLY", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(readout("period_nm"), "100 nm", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#mag-kpi-step", "0.445", timeout=TIMEOUT)
    before = watch(dash_duo)
    dash_duo.find_element("." + "large-toggle input").click()
    wait_repainted(dash_duo, before)
    size = dash_duo.driver.execute_script(
        "return document.querySelector('#' + arguments[0] + ' .js-plotly-plot')._fullLayout.font.size;", GRAPHS[0])
    assert size == 19 and "large" in dash_duo.find_element("#" + ids.ROOT).get_attribute("class")
    assert dash_duo.get_logs() == []
