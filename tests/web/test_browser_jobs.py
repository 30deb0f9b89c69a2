"""The Maxwell-Bloch status lines in headless Chromium (dash_duo): each reaches a "done" state that
names the pulses actually used (issue 9), with the host job pool doing the work."""
from __future__ import annotations

import re
import time

import pytest

from tests.web.conftest import free_port

pytestmark = pytest.mark.browser


def _wait_for(dash_duo, css: str, pattern: str, timeout: float = 90.0) -> tuple[str, list[str]]:
    """Wait until the element's text matches ``pattern``; returns (text, every distinct text seen)."""
    seen: list[str] = []
    end = time.time() + timeout
    while time.time() < end:
        text = dash_duo.find_element(css).text.strip()
        if text and (not seen or seen[-1] != text):
            seen.append(text)
        if re.search(pattern, text):
            return text, seen
        time.sleep(0.1)
    raise AssertionError(f"{css} never matched {pattern!r}; seen: {seen}")


def test_mb_status_lines_reach_done_naming_the_pulses_used(dash_duo, browser_app):
    # A seed no other test uses: the curves are computed now, so the lines go through their states.
    dash_duo.start_server(browser_app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + "/?n_pulses=24&seed=4711&duration_fs=5")
    dash_duo.wait_for_element("#kpi-nonlinear-peak", timeout=30)
    gain, gain_seen = _wait_for(dash_duo, "#mb-gain-status",
                                r"^Done: three-level gain curve for 24 SASE pulses, computed in \d+\.\d s\.$")
    trans, trans_seen = _wait_for(dash_duo, "#mb-transmission-status",
                                  r"^Done: two-level transmission curves for 20 SASE pulses \(of 24 asked; "
                                  r"the transmission curve's cap\), computed in \d+\.\d s\.$")
    print("\ngain line:", gain_seen, "\ntransmission line:", trans_seen)
    assert any(t.startswith(("Queued", "Running")) for t in gain_seen + trans_seen)
    assert "done" in dash_duo.find_element("#mb-gain-status").get_attribute("class").split()
    # The figures show the curves the lines announce; nothing says "being computed" any more.
    assert "being computed" not in dash_duo.find_element("#gain-graph").text
    # Done means done: the lines stay as they are (the polls stopped).
    time.sleep(2.5)
    assert dash_duo.find_element("#mb-gain-status").text.strip() == gain
    assert dash_duo.find_element("#mb-transmission-status").text.strip() == trans
    assert dash_duo.get_logs() == []
