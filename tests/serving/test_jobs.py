"""The Maxwell-Bloch jobs on the gunicorn-served app (issue 9's acceptance test): a flood of 30
distinct job requests while clients move sliders, with workers recycled by max_requests; then
SIGTERM to the master.  And the per-job cost budget at the largest parameters (issue 13)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT, session_pids, session_procs, start_server, wait_until
from dash_http import DashApp, Http, poll_job
from load import Load

from components import engine

pytestmark = pytest.mark.serving

POOL = 2
QUEUE = 8
FLOOD = 30



def test_thirty_job_flood_is_bounded_and_nothing_outlives_sigterm(tmp_path):
    server = start_server(tmp_path, JOB_POOL_SIZE=str(POOL), JOB_QUEUE_MAX=str(QUEUE), JOB_ABANDON_S="10",
                          GUNICORN_MAX_REQUESTS="120", GUNICORN_GRACEFUL_TIMEOUT="20")
    stopped = False
    try:
        h = server.http()
        app = DashApp(h).settle(h)
        h.close()
        base_key = app.props["mb-key"]["data"]
        assert base_key, "the page did not fill mb-key"

        # Processes: sampled all along; "extra" = the session's processes beyond master and workers.
        extra_max, orphans, sampling = [0], set(), threading.Event()

        manager = server.manager_pid()

        def sample() -> None:
            while not sampling.is_set():  # one /proc scan per sample: a consistent picture
                procs = session_procs(server.proc.pid)
                # extra = the job manager and everything that is not the master or one of its workers
                master = server.proc.pid
                extra = [p for p, pp in procs.items() if p != master and (pp != master or p == manager)]
                extra_max[0] = max(extra_max[0], len(extra))
                orphans.update(p for p, pp in procs.items() if pp == 1)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        runs: list = [None] * FLOOD

        def page(i: int) -> None:
            key = dict(base_key, seed=1000 + i, n_pulses=10, duration_fs=25.0)
            http = Http(server.port, timeout=30)
            try:
                runs[i] = poll_job(http, app, "gain", key, timeout_s=150, interval_s=1.0)
            finally:
                http.close()

        load = Load(server.port, app, clients=8, think_s=0.5, max_requests=100000, seed=9)
        t0 = time.monotonic()
        pages = [threading.Thread(target=page, args=(i,), daemon=True) for i in range(FLOOD)]

        def flood(_load) -> None:
            for t in pages:
                t.start()
            threading.Thread(target=lambda: ([t.join(170) for t in pages], _load.stop.set()), daemon=True).start()

        load.run(180, during=flood)
        flood_s = time.monotonic() - t0
        sampling.set()
        sampler.join(5)
        figures = load.summary()
        metrics = Http(server.port).get("metrics").body.decode()
        print(f"\nflood: {FLOOD} jobs in {flood_s:.1f} s; extra processes max {extra_max[0]} (pool {POOL} + 1 manager);"
              f" figures during the flood: {figures['requests']} requests, p50 {figures['p50']:.0f} ms, "
              f"p95 {figures['p95']:.0f} ms, errors {figures['errors']}")

        assert all(r is not None for r in runs)
        busy_seen = [r for r in runs if any(t.startswith("Busy:") for t in r.texts)]
        for r in runs:
            assert r.ended == "done", r.texts[-3:]  # busy pages retried (as the page does) and got their curve
            assert re.match(r"Done: three-level gain curve for 10 SASE pulses, computed in \d", r.last), r.last
            assert set(r.statuses) == {200}
        # More requests than pool + queue: some were told "busy" with a message, never given a process.
        assert busy_seen, "30 simultaneous jobs with pool 2 and queue 8: someone must have been told busy"
        assert all("waiting" in next(t for t in r.texts if t.startswith("Busy:")) for r in busy_seen)
        assert any(t.startswith("Queued: position") for r in runs for t in r.texts)
        assert extra_max[0] <= POOL + 1, extra_max[0]
        assert figures["p95"] <= 300 and figures["errors"] == 0, figures
        assert re.search(r"^explorer_jobs_done_total 30$", metrics, re.M), metrics
        assert re.search(r"^explorer_jobs_busy_total [1-9]", metrics, re.M)
        # Workers were recycled by max_requests during the flood and left nothing behind.
        assert "Autorestarting worker" in server.proc.log()
        assert not orphans, orphans

        # SIGTERM to the master: every process of the server's session ends (jobs included).
        key = dict(base_key, seed=77, n_pulses=8, duration_fs=100.0)  # ~20 s: still running at the signal
        http = Http(server.port)
        run = poll_job(http, app, "transmission", key, timeout_s=20, interval_s=0.3, until=("running",))
        http.close()
        assert run.ended == "running", run.texts
        t0 = time.monotonic()
        os.kill(server.proc.pid, signal.SIGTERM)
        stopped = True
        wait_until(lambda: not session_pids(server.proc.pid), 35, "every process of the server to end")
        print(f"after SIGTERM every process was gone in {time.monotonic() - t0:.1f} s")
    finally:
        log = server.proc.log()
        server.stop()
    assert stopped
    assert "Traceback" not in log


def test_job_cost_at_the_largest_parameters_stays_under_the_cap(tmp_path):
    """200 pulses (2.95 GB before the solver ran its ensembles in chunks, at 100 fs): the budget admits
    the job only with an ensemble whose estimated peak fits 500 MB, and the job process (interpreter
    and all) peaks below the cap at both ends of the duration range (long pulses: few, big
    trajectories; short ones: many small ones).  The result names the pulses used."""
    code = """
import json, resource, sys
sys.path.insert(0, sys.argv[1])
import flask
from flask_caching import Cache
from components import engine, mb_jobs
from serving.jobs import InlineJobs
server = flask.Flask("t")
cache = Cache(server, config={"CACHE_TYPE": "NullCache"})
used = {}
for duration in (100.0, 5.0):
    key = {"duration_fs": duration, "bandwidth_ev": 20.0, "center_ev": 777.0, "n_pulses": 200, "seed": 3}
    with server.app_context():
        rec = mb_jobs.run_job(engine.make_engine(cache), "gain", key, None, InlineJobs(None))
    assert rec.get("ok"), rec
    used[duration] = rec["n_pulses"]
plan = mb_jobs.plan_for("transmission", dict(key, duration_fs=100.0), InlineJobs(None))
print(json.dumps({"used": used, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "trans_mb": plan.estimate.peak_bytes / 2**20, "trans_n": plan.n_pulses}))
"""
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, timeout=240,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\nlargest gain jobs: {res['used']} pulses used of 200 (by duration in fs), process peak "
          f"{res['peak_mb']:.0f} MB; transmission: {res['trans_n']} pulses, estimate {res['trans_mb']:.0f} MB")
    assert all(5 <= n <= 200 for n in res["used"].values())
    assert res["peak_mb"] < 500
    assert res["trans_mb"] < 500 and res["trans_n"] == engine.TRANSMISSION_MAX_PULSES
