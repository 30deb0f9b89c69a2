"""Dashboard benchmark: server time and payload of an update of all analytic figures, and in
headless Chromium the time from slider release to the first and to every repainted figure (per
figure too), repaints per second while dragging the fluence slider and the sweep's frame rate.

    .venv/bin/python bench/bench_dashboard.py [--repeats 30] [--browser-repeats 10] [--no-browser]

Server side: every figure callback that a parameter change fires (Fig. 2b spectra, difference,
model spectra, KPIs, and the fast parts of the gain and transmission figures) is called through
Dash's HTTP endpoint with the Flask test client, so routing, validation, physics, figure building
and JSON serialisation are all timed.  "Uncached": every repeat uses a new fluence, so every
memoized physics call misses; "cached": the same parameters again.  The Maxwell-Bloch curves are
background jobs and are not part of these numbers (they never block the figures).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import build_app, chrome, wait_repainted  # noqa: E402

from physics import parameters  # noqa: E402

FIGURE_OUTPUTS = ("spectra-graph", "difference-graph", "model-graph", "kpi-nonlinear-peak", "gain-graph",
                  "transmission-graph")
GOALS = {"uncached_ms": 50.0, "cached_ms": 10.0, "payload_kb": 300.0, "first_ms": 80.0, "all_ms": 150.0,
         "repaints_per_s": 10.0}


def build(tmp: Path, background: bool):
    return build_app(tmp, "diskcache" if background else "inline")


def bodies(app, params: dict) -> list[str]:
    sys.path.insert(0, str(ROOT / "tests" / "web"))
    from helpers import payload

    from components import ids

    values = {ids.PARAMS: params, ids.UPLOAD_STORE: None, ids.LARGE: [], ids.DIFFERENCE_UNITS: "intensity",
              ids.GAIN_AXIS: "fluence", ids.MB_GAIN_STORE: None, ids.MB_TRANSMISSION_STORE: None}
    return [json.dumps(payload(app, out, values)) for out in FIGURE_OUTPUTS]


def update(client, reqs: list[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    size = 0
    for body in reqs:
        r = client.post("/_dash-update-component", data=body, content_type="application/json")
        assert r.status_code == 200, r.status_code
        size += len(r.get_data())
    return (time.perf_counter() - t0) * 1e3, size


def server_bench(repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp), background=False)
        client = app.server.test_client()
        base = parameters.defaults()
        update(client, bodies(app, base))  # warm-up: imports, first figure templates
        uncached, cached, sizes = [], [], []
        for k in range(repeats):
            # A fluence never used before: every memoized physics call misses.
            p = dict(base, fluence_mj_cm2=parameters.quantize("fluence_mj_cm2", 5000.0 + 37.0 * k))
            reqs = bodies(app, p)
            ms, size = update(client, reqs)
            uncached.append(ms)
            sizes.append(size)
            cached.append(update(client, reqs)[0])
        return {"uncached_ms": statistics.median(uncached), "cached_ms": statistics.median(cached),
                "payload_kb": statistics.median(sizes) / 1024.0}


GRAPHS = ("spectra-graph", "difference-graph", "model-graph", "gain-graph", "transmission-graph")
# Arm: the next keydown on the fluence slider starts the clock; each graph's next repaint stops its own.
BROWSER_JS_ARM = """
window.__bench = {t0: null, done: {}};
var thumb = document.querySelector('#spectra-fluence_mj_cm2-row [role=slider]');
thumb.addEventListener('keydown', function () { window.__bench.t0 = performance.now(); }, {capture: true, once: true});
if (!window.__benchBound) {
  window.__benchBound = true;
  arguments[0].forEach(function (id) {
    var gd = document.querySelector('#' + id + ' .js-plotly-plot');
    gd.on('plotly_afterplot', function () {
      var b = window.__bench;
      if (b.t0 !== null && b.done[id] === undefined) { b.done[id] = performance.now() - b.t0; }
    });
  });
}
"""
PAINTS_JS = """
window.__paints = [];
var gd = document.querySelector('#spectra-graph .js-plotly-plot');
gd.on('plotly_afterplot', function () { window.__paints.push(performance.now()); });
"""


def _driver(width: int, height: int):
    return chrome(width, height)


def _open(driver, port: int) -> None:
    """Load the page and let it settle (first figures, MathJax typesetting, the first MB jobs)."""
    driver.get(f"http://127.0.0.1:{port}/")
    end = time.time() + 60
    while time.time() < end and not driver.execute_script(
            "var e = document.getElementById('kpi-nonlinear-peak');"
            "return e && e.textContent !== '—' && document.querySelectorAll('mjx-container').length > 0;"):
        time.sleep(0.1)
    time.sleep(3.0)


def release_times(driver, repeats: int, graphs: tuple[str, ...]) -> dict:
    """Keyboard releases of the fluence slider (Home/End: a new value each time) -> ms to each repaint."""
    from selenium.webdriver.common.keys import Keys

    thumb = driver.find_element("css selector", "#spectra-fluence_mj_cm2-row [role=slider]")
    runs = []
    for k in range(repeats):
        driver.execute_script(BROWSER_JS_ARM, list(graphs))
        thumb.send_keys(Keys.HOME if k % 2 == 0 else Keys.END)
        done = wait_repainted(driver, len(graphs), 10)
        if len(done) == len(graphs):
            runs.append(done)
        time.sleep(0.3)
    if not runs:
        return {"first_ms": float("nan"), "all_ms": float("nan"), "per_figure": {}, "n": 0}
    return {"first_ms": statistics.median(min(r.values()) for r in runs),
            "all_ms": statistics.median(max(r.values()) for r in runs),
            "per_figure": {g: statistics.median(r[g] for r in runs) for g in graphs}, "n": len(runs)}


def drag_rate(driver, seconds: float = 3.0) -> dict:
    """Hold the fluence thumb and move it at a hand's pace: repaints of the spectra figure per second
    while the hand moves, and whether the figure ends on the released value."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    thumb = driver.find_element("css selector", "#spectra-fluence_mj_cm2-row [role=slider]")
    thumb.send_keys(Keys.END)  # start at the right end: the drag goes left
    time.sleep(1.0)
    width = driver.find_element("css selector", "#spectra-fluence_mj_cm2-row .dash-slider-track").rect["width"]
    steps = int(seconds / 0.03)
    driver.execute_script(PAINTS_JS)
    # duration=0: each move is one pointer event (Selenium's default spends 250 ms per move).
    chain = ActionChains(driver, duration=0).click_and_hold(thumb)
    for _ in range(steps):
        chain = chain.move_by_offset(-max(1, int(0.8 * width / steps)), 0).pause(0.03)
    t0 = driver.execute_script("return performance.now();")
    chain.perform()
    t1 = driver.execute_script("return performance.now();")
    paints = driver.execute_script("return window.__paints;")
    ActionChains(driver, duration=0).release().perform()
    during = [t for t in paints if t0 <= t <= t1]
    return {"repaints_per_s": len(during) / ((t1 - t0) / 1000.0), "drag_s": (t1 - t0) / 1000.0}


def sweep_fps(driver, seconds: float = 4.0) -> dict:
    """Play the fluence sweep for a while: frames per second that reach the spectra figure."""
    driver.execute_script("window.scrollTo(0, 0);")
    driver.execute_script(PAINTS_JS)
    driver.find_element("css selector", "#sweep-play").click()
    time.sleep(seconds)
    driver.find_element("css selector", "#sweep-play").click()
    paints = driver.execute_script("return window.__paints;")
    if len(paints) < 2:
        return {"fps": float("nan"), "frames": len(paints)}
    return {"fps": (len(paints) - 1) / ((paints[-1] - paints[0]) / 1000.0), "frames": len(paints)}


def browser_bench(repeats: int) -> dict:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines in the report

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp), background=True)
        srv = make_server("127.0.0.1", 0, app.server, threaded=True)
        port = srv.server_port
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        try:
            # A laptop screen: the figures on screen update, the ones below the fold catch up on scrolling.
            driver = _driver(1280, 800)
            try:
                _open(driver, port)
                visible = tuple(g for g in GRAPHS if driver.execute_script(
                    "var r = document.getElementById(arguments[0]).getBoundingClientRect();"
                    "return r.bottom > 0 && r.top < window.innerHeight;", g))
                out["laptop"] = release_times(driver, repeats, visible)
                out["drag"] = drag_rate(driver)
                time.sleep(1.0)
                out["sweep"] = sweep_fps(driver)
            finally:
                driver.quit()
            # A tall window: all five figures on screen, every one repainted.
            driver = _driver(1280, 3400)
            try:
                _open(driver, port)
                out["all5"] = release_times(driver, repeats, GRAPHS)
            finally:
                driver.quit()
        finally:
            srv.shutdown()
    return out


def main(argv=None) -> int:
    import logging

    logging.getLogger("components.mb_jobs").setLevel(logging.ERROR)  # the bench app has no job manager on purpose
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--browser-repeats", type=int, default=10)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    res = server_bench(args.repeats)
    print(f"server, uncached update of all analytic figures: median {res['uncached_ms']:.1f} ms "
          f"(goal <= {GOALS['uncached_ms']:.0f} ms)")
    print(f"server, cached update of all analytic figures:   median {res['cached_ms']:.1f} ms "
          f"(goal <= {GOALS['cached_ms']:.0f} ms)")
    print(f"figure payload per update (6 responses):       median {res['payload_kb']:.0f} KB "
          f"(goal <= {GOALS['payload_kb']:.0f} KB)")
    if not args.no_browser:
        b = browser_bench(args.browser_repeats)
        for key, what in (("laptop", "1280x800, figures on screen"), ("all5", "1280x3400, all five figures")):
            r = b[key]
            print(f"browser ({what}), slider release -> first figure repainted: median {r['first_ms']:.0f} ms "
                  f"(goal <= {GOALS['first_ms']:.0f} ms); -> every figure repainted: median {r['all_ms']:.0f} ms "
                  f"(goal <= {GOALS['all_ms']:.0f} ms) over {r['n']} releases")
            print("    per figure (median ms): " + ", ".join(f"{g.removesuffix('-graph')} {t:.0f}"
                                                          for g, t in r["per_figure"].items()))
        print(f"browser, dragging the fluence slider: {b['drag']['repaints_per_s']:.1f} repaints/s of the spectra "
              f"figure over {b['drag']['drag_s']:.1f} s (goal >= {GOALS['repaints_per_s']:.0f})")
        print(f"browser, fluence sweep animation: {b['sweep']['fps']:.1f} frames/s over {b['sweep']['frames']} frames "
              f"(goal >= {GOALS['repaints_per_s']:.0f})")
        print(f"(machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
