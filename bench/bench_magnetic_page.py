"""Magnetic-scattering page benchmark (issue 8): server time of a full page update, delay-slider
release -> repainted figures in headless Chromium (per figure), payload, and memory per worker.

    .venv/bin/python bench/bench_magnetic_page.py [--repeats 30] [--browser-repeats 15] [--no-browser]

Server side: every request one state change makes (the browser maps the controls to the params
store itself; then params -> the evaluated record, then every panel that listens to it) goes through Dash's HTTP endpoint with
the Flask test client and the file cache the app uses when served: routing, validation, physics,
cache, figure building and JSON are all timed.  "Delay move": a delay never used before with the
512² pattern cached (the slider or the play button moving; the delay-free panels do not fire);
"source change": every panel fires.  Memory: a fresh process builds the app and serves 60 page
updates (delays, sources, patterns), then reports its resident set (VmRSS) and peak (VmHWM).
Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import build_app, chrome, wait_repainted  # noqa: E402

GOALS = {"server_ms": 50.0, "browser_ms": 150.0, "rss_mb": 300.0}
PATH = "/magnetic-scattering"


def build(tmp: Path):
    return build_app(tmp, "inline", log_level="ERROR")


def chain(app, client, params: dict, state: dict) -> tuple[dict[str, float], int]:
    """One state change through HTTP, request by request, as the browser sends it: {step: ms} and
    the response bytes.  ``state`` carries what the page keeps between updates (the delay-free
    params, the key of each figure on screen) and is updated in place."""
    from components import controls, ids
    from components import magnetic_engine as meng
    from pages.magnetic import SPEC
    from tests.web.helpers import payload

    def post(body) -> tuple[dict, float, int]:
        t0 = time.perf_counter()
        r = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
        ms = (time.perf_counter() - t0) * 1e3
        assert r.status_code == 200, (r.status_code, r.get_data()[:200])
        return json.loads(r.get_data()), ms, len(r.get_data())

    times, size = {}, 0
    # controls -> params happens in the browser (assets/explorer.js liveControls mirrors this mapping)
    values = {p.name: controls.to_control(p, params[p.name]) for p in SPEC.parameters()}
    store, error = controls.params_from_controls(SPEC, values)
    assert error is None, error
    resp, times["params -> evaluate"], n = post(payload(app, ids.MAG_RESULT, {ids.MAG_PARAMS: store},
                                                        state={ids.MAG_STATIC: state.get(ids.MAG_STATIC)}))
    size += n
    record = resp["response"][ids.MAG_RESULT]["data"]
    changed_static = ids.MAG_STATIC in resp["response"]
    if changed_static:
        state[ids.MAG_STATIC] = resp["response"][ids.MAG_STATIC]["data"]
    panels = {"key numbers": "mag-kpi-q1", **{k: g.id for k, g in ids.MAG_GRAPHS.items()},
              "sources table": "magnetic-sources-table"}
    for name, target in panels.items():
        delay_free = name in ("spectrum", "budget", "selfdemag", "sources table")
        if delay_free and not changed_static:
            continue  # Dash does not fire them: their input did not change
        drawn = meng.drawn_id(ids.MAG_GRAPHS[name]) if name in ids.MAG_GRAPHS else None
        body = payload(app, target, {ids.MAG_RESULT: record, ids.MAG_STATIC: state.get(ids.MAG_STATIC),
                                     ids.LARGE: []}, state={ids.MAG_RESULT: record, drawn: state.get(drawn)})
        resp, times[name], n = post(body)
        size += n
        if drawn and drawn in resp["response"]:
            state[drawn] = resp["response"][drawn]["data"]
    return times, size


def server_bench(repeats: int) -> None:
    from physics import scattering_parameters as sp

    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp))
        client = app.server.test_client()
        base = sp.TABLE.defaults()
        state: dict = {}
        chain(app, client, base, state)  # warm-up: imports, the 512² pattern into the cache, figures drawn
        for label, make in (
            ("delay move (pattern cached, result not)", lambda k: dict(base, delay_ps=round(0.37 + 2.9 * k, 2))),
            ("source change (every panel)", lambda k: dict(base, source=("fel", "synchrotron", "slicing")[k % 3],
                                                           delay_ps=round(50.0 + 1.3 * k, 2))),
        ):
            totals, sizes, steps = [], [], {}
            for k in range(repeats):
                times, size = chain(app, client, make(k), state)
                totals.append(sum(times.values()))
                sizes.append(size)
                for name, ms in times.items():
                    steps.setdefault(name, []).append(ms)
            print(f"server, {label}: median {statistics.median(totals):.1f} ms for {len(steps)} requests "
                  f"(goal <= {GOALS['server_ms']:.0f} ms), payload {statistics.median(sizes) / 1024:.0f} KB")
            print("    " + ", ".join(f"{name} {statistics.median(v):.1f}" for name, v in steps.items()))
        # The physics alone, for reference (what the evaluate step spends).
        from physics import scattering_model as sm

        prepared = sm.prepare_pattern(base)
        ev = []
        for k in range(repeats):
            t0 = time.perf_counter()
            sm.evaluate(dict(base, delay_ps=3.0 + k), prepared)
            ev.append((time.perf_counter() - t0) * 1e3)
        print(f"physics evaluate alone (pattern cached): median {statistics.median(ev):.1f} ms")


ARM_JS = """
var ids = arguments[0];
window.__bench = {t0: null, done: {}};
var thumb = document.querySelector('#magnetic-delay_ps-row [role=slider]');
thumb.addEventListener('keydown', function () { window.__bench.t0 = performance.now(); }, {capture: true, once: true});
ids.forEach(function (id) {
  var gd = document.querySelector('#' + id + ' .js-plotly-plot');
  if (!gd.__benchHooked) {
    gd.__benchHooked = true;
    gd.on('plotly_afterplot', function () {
      var b = window.__bench;
      if (b.t0 !== null && b.done[id] === undefined) { b.done[id] = performance.now() - b.t0; }
    });
  }
});
"""


def browser_bench(repeats: int) -> None:
    import logging

    from selenium.webdriver.common.keys import Keys
    from werkzeug.serving import make_server

    from components import ids

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    graphs = [ids.MAG_GRAPHS[k].id for k in ("domains", "detector", "profile", "dynamics", "q1")]
    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp))
        srv = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        driver = chrome(1280, 900)
        per_graph: dict[str, list[float]] = {g: [] for g in graphs}
        last = []
        try:
            driver.get(f"http://127.0.0.1:{srv.server_port}{PATH}?delay_ps=-10")
            end = time.time() + 60
            while time.time() < end and not driver.execute_script(
                    "return arguments[0].every(function (id) { var gd = document.querySelector('#' + id + ' .js-plotly-plot');"
                    " return gd && gd.data && gd.data.length; })", graphs):
                time.sleep(0.1)
            time.sleep(1.0)
            thumb = driver.find_element("css selector", "#magnetic-delay_ps-row [role=slider]")
            for _ in range(repeats):
                driver.execute_script(ARM_JS, graphs)
                thumb.send_keys(Keys.PAGE_UP)  # a release at a delay never computed before
                done = wait_repainted(driver, len(graphs), 15)
                if len(done) == len(graphs):
                    for g in graphs:
                        per_graph[g].append(done[g])
                    last.append(max(done.values()))
                time.sleep(0.2)
        finally:
            driver.quit()
            srv.shutdown()
    if not last:
        print("browser: no complete repaint measured")
        return
    print(f"browser, delay-slider release -> all {len(graphs)} delay figures repainted: median "
          f"{statistics.median(last):.0f} ms over {len(last)} releases (goal <= {GOALS['browser_ms']:.0f} ms)")
    print("    per figure (median ms): " + ", ".join(
        f"{g.replace('magnetic-', '').replace('-graph', '')} {statistics.median(v):.0f}" for g, v in per_graph.items() if v))


MEMORY_SCRIPT = r"""
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[1] + "/bench")
import bench_magnetic_page as b
from physics import scattering_parameters as sp

def status():
    out = {}
    for line in open("/proc/self/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            out[k] = int(v.split()[0]) / 1024.0
    return out

with tempfile.TemporaryDirectory() as tmp:
    app = b.build(Path(tmp))
    built = status()
    client = app.server.test_client()
    base = sp.TABLE.defaults()
    state = {}
    for k in range(60):
        p = dict(base, delay_ps=round(-15.0 + 30.7 * k, 2), source=("plasma", "fel", "synchrotron")[k % 3],
                 pattern=("labyrinth", "stripes")[(k // 20) % 2], seed=1 + k // 30)
        b.chain(app, client, p, state)
    served = status()
print(json.dumps({"built": built, "served": served}))
"""


def memory_bench() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(ROOT)], capture_output=True, text=True, env=env,
                         timeout=600, check=True)
    m = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"memory per worker: {m['built']['VmRSS']:.0f} MB after building the app, {m['served']['VmRSS']:.0f} MB "
          f"after 60 page updates (peak {m['served']['VmHWM']:.0f} MB; goal < {GOALS['rss_mb']:.0f} MB)")


def main(argv=None) -> int:
    import logging

    logging.getLogger("components.mb_jobs").setLevel(logging.ERROR)  # the bench app has no job manager on purpose
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--browser-repeats", type=int, default=15)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    server_bench(args.repeats)
    if not args.no_browser:
        browser_bench(args.browser_repeats)
    memory_bench()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
