"""Per-job cost: the budget's estimate against the measured peak memory and time of real jobs.

Each job runs alone in a fresh process (as in a pool child: the interpreter, numpy, the physics)
through components.mb_jobs.run_job with the default budget (JOB_MAX_MB 500, JOB_MAX_SECONDS 60),
so the printed peak is what the job layer allows, and the largest parameters show the cap holds.

    .venv/bin/python bench/bench_jobs.py            # about 1-2 minutes on 2 cores
    .venv/bin/python bench/bench_jobs.py --quick    # the largest gain job only
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import flask
from flask_caching import Cache
from components import engine, mb_jobs
from serving.jobs import InlineJobs
which, duration, n = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
key = {"duration_fs": duration, "bandwidth_ev": 8.0, "center_ev": 777.0, "n_pulses": n, "seed": 5}
service = InlineJobs(None)
plan = mb_jobs.plan_for(which, key, service)
server = flask.Flask("bench")
cache = Cache(server, config={"CACHE_TYPE": "NullCache"})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
with server.app_context():
    rec = mb_jobs.run_job(engine.make_engine(cache), which, key, None, service)
print(json.dumps({"n_used": rec.get("n_pulses"), "error": rec.get("error"), "seconds": time.perf_counter() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "base_mb": base / 1024,
                  "est_mb": plan.estimate.peak_bytes / 2**20, "est_s": plan.estimate.seconds}))
"""

CASES = [("gain", 25.0, 20), ("gain", 100.0, 20), ("gain", 100.0, 200), ("gain", 5.0, 200),
         ("transmission", 25.0, 20), ("transmission", 100.0, 200)]


def run(which: str, duration: float, n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), which, str(duration), str(n)], capture_output=True,
                         text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    cases = [("gain", 100.0, 200)] if args.quick else CASES
    print(f"{'job':<14}{'fs':>6}{'asked':>7}{'used':>6}{'est MB':>9}{'peak MB':>9}{'est s':>8}{'time s':>8}")
    worst = 0.0
    for which, duration, n in cases:
        r = run(which, duration, n)
        worst = max(worst, r["peak_mb"])
        print(f"{which:<14}{duration:>6.0f}{n:>7}{r['n_used'] or 0:>6}{r['est_mb']:>9.0f}{r['peak_mb']:>9.0f}"
              f"{r['est_s']:>8.1f}{r['seconds']:>8.1f}" + (f"  {r['error']}" if r["error"] else ""))
    print(f"\nlargest peak of any allowed job: {worst:.0f} MB (cap 500 MB, whole process)"
          f"  [{'met' if worst < 500 else 'MISSED'}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
