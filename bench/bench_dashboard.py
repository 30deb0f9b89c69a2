"""Dashboard benchmark: server time and payload of an update of all analytic figures, and the
browser time from slider release to repainted figures (headless Chromium).

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
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from physics import parameters  # noqa: E402

FIGURE_OUTPUTS = ("spectra-graph", "difference-graph", "model-graph", "kpi-nonlinear-peak", "gain-graph",
                  "transmission-graph")
GOALS = {"uncached_ms": 50.0, "cached_ms": 10.0, "payload_kb": 300.0, "browser_ms": 200.0}


def build(tmp: Path, background: bool):
    """The real app (app.create_app, as gunicorn builds it) with a file cache in ``tmp``."""
    import app as app_module
    from serving import settings

    env = {"EXPLORER_DATA_DIR": str(tmp), "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
           "BACKGROUND": "diskcache" if background else "inline", "CACHE_DIR": str(tmp / "cache")}
    return app_module.create_app(settings.from_env(env))


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


BROWSER_JS_ARM = """
window.__bench = {t0: null, done: {}, t1: null};
var ids = ['spectra-graph', 'difference-graph', 'model-graph'];
var thumb = document.querySelector('#spectra-fluence_mj_cm2-row [role=slider]');
thumb.addEventListener('keydown', function () { window.__bench.t0 = performance.now(); }, {capture: true, once: true});
ids.forEach(function (id) {
  var gd = document.querySelector('#' + id + ' .js-plotly-plot');
  var handler = function () {
    if (window.__bench.t0 === null) { return; }
    window.__bench.done[id] = performance.now();
    if (Object.keys(window.__bench.done).length === ids.length && window.__bench.t1 === null) {
      window.__bench.t1 = performance.now();
    }
  };
  gd.once ? gd.once('plotly_afterplot', handler) : gd.on('plotly_afterplot', handler);
});
"""


def browser_bench(repeats: int) -> dict:
    import logging

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.common.keys import Keys
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines in the report

    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp), background=True)
        srv = make_server("127.0.0.1", 0, app.server, threaded=True)
        port = srv.server_port
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        opts = Options()
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"):
            opts.add_argument(flag)
        opts.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(options=opts)
        times = []
        try:
            driver.get(f"http://127.0.0.1:{port}/")
            end = time.time() + 30
            while time.time() < end and driver.execute_script(
                    "var e = document.getElementById('kpi-nonlinear-peak'); return e ? e.textContent : '';") in ("", "—"):
                time.sleep(0.1)
            time.sleep(2.0)  # let the first MB jobs start; they run in other processes
            thumb = driver.find_element("css selector", "#spectra-fluence_mj_cm2-row [role=slider]")
            for k in range(repeats):
                driver.execute_script(BROWSER_JS_ARM)
                thumb.send_keys(Keys.HOME if k % 2 == 0 else Keys.END)  # release at a new value
                end = time.time() + 10
                t = None
                while time.time() < end:
                    t = driver.execute_script("var b = window.__bench; return b.t1 === null ? null : b.t1 - b.t0;")
                    if t is not None:
                        break
                    time.sleep(0.01)
                if t is not None:
                    times.append(t)
                time.sleep(0.3)
        finally:
            driver.quit()
            srv.shutdown()
        return {"browser_ms": statistics.median(times) if times else float("nan"), "browser_n": len(times)}


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
        print(f"browser, slider release -> 3 spectral figures repainted: median {b['browser_ms']:.0f} ms over "
              f"{b['browser_n']} releases (goal <= {GOALS['browser_ms']:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
