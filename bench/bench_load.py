"""Load test of the Explorer on gunicorn (loopback only; bounded in time and count; stops by itself).

Starts gunicorn with the Dockerfile's command line on 127.0.0.1 (embedded defaults: file
cache, diskcache jobs), then measures

1. steady load: N clients "moving sliders" for S seconds - each request is one of the
   app's analytic-figure callbacks (found from /_dash-dependencies) with random slider
   values within physics.parameters bounds, then a think time;
2. the same with one worker SIGKILLed a third of the way in: error rate and recovery time
   (until the per-second throughput is back to 90 % of the pre-kill median);
3. memory: each worker's resident set size after R requests (max_requests recycling off,
   so this is the growth a worker would reach without it).

    .venv/bin/python bench/bench_load.py                 # 60 s phases, 20 clients
    .venv/bin/python bench/bench_load.py --seconds 10 --memory-requests 500   # smoke run
"""
from __future__ import annotations

import argparse
import math
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "serving")]

from conftest import Server, worker_pids  # noqa: E402  (process helpers shared with the tests)
from dash_http import DashApp  # noqa: E402
from load import Load, figure_callbacks  # noqa: E402

def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(tmp: Path, args, **env) -> tuple[Server, DashApp]:
    env = {"WEB_CONCURRENCY": str(args.workers), "GUNICORN_THREADS": str(args.threads), "LOG_LEVEL": "WARNING",
           **env}
    server = Server(tmp, name=f"gunicorn-{len(list(tmp.glob('*.log')))}", **env)
    server.wait_ready()
    http = server.http()
    app = DashApp(http).settle(http)
    http.close()
    return server, app


def row(name: str, s: dict) -> str:
    return (f"{name:<24}{s['requests']:>9}{s['rps']:>9.1f}{s['p50']:>9.0f}{s['p95']:>9.0f}{s['p99']:>9.0f}"
            f"{s['errors']:>8}{s['error_pct']:>8.2f}{s['retried']:>9}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60, help="duration of the steady and kill phases")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--think", type=float, default=1.0, help="mean think time between a client's requests (s)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--memory-requests", type=int, default=10000)
    ap.add_argument("--memory-seconds", type=float, default=900, help="bound on the memory phase")
    ap.add_argument("--max-requests", type=int, default=200000, help="bound on requests per phase")
    args = ap.parse_args(argv)
    print(f"cpus={os.cpu_count()} workers={args.workers} threads={args.threads} clients={args.clients} "
          f"think={args.think}s seconds={args.seconds}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="xray-bench-") as tmpdir:
        tmp = Path(tmpdir)
        # 1 and 2: the shipped configuration.
        server, app = start(tmp, args)
        try:
            print("figure callbacks:", ", ".join(s.output for s, _ in figure_callbacks(app)))
            steady = Load(server.port, app, args.clients, args.think, args.max_requests).run(args.seconds)
            results["steady"] = steady.summary()

            kill_info = {}

            def killer(load: Load) -> None:
                def go():
                    if load.stop.wait(args.seconds / 3):
                        return
                    victim = worker_pids(server.proc.pid)[0]
                    kill_info["t"] = time.monotonic() - load.t0
                    os.kill(victim, signal.SIGKILL)
                    deadline = time.monotonic() + 30
                    while time.monotonic() < deadline:
                        pids = worker_pids(server.proc.pid)
                        if len(pids) == args.workers and victim not in pids:
                            kill_info["respawn_s"] = time.monotonic() - load.t0 - kill_info["t"]
                            break
                        time.sleep(0.05)
                threading.Thread(target=go, daemon=True).start()

            killed = Load(server.port, app, args.clients, args.think, args.max_requests, seed=2).run(
                args.seconds, during=killer)
            results["kill"] = killed.summary()
            per_s = killed.per_second()
            k = int(kill_info.get("t", 0))
            before = statistics.median(per_s[1:k] or [0])
            recovery = None
            for sec in range(k, len(per_s) - 1):
                if per_s[sec] >= 0.9 * before and sec > k:
                    recovery = sec + 1 - kill_info["t"]
                    break
            kill_info["recovery_s"] = recovery
        finally:
            server.stop()

        # 3: memory after R requests, without max_requests recycling, no think time.
        server, app = start(tmp, args, GUNICORN_MAX_REQUESTS="0")
        try:
            mem_load = Load(server.port, app, args.clients, 0.0, args.memory_requests, seed=3)
            mem_load.run(args.memory_seconds)
            results["memory"] = mem_load.summary()
            rss = {pid: rss_mb(pid) for pid in worker_pids(server.proc.pid)}
        finally:
            server.stop()

    print()
    print(f"{'phase':<24}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'err %':>8}{'resent':>9}")
    print(row(f"steady {args.clients} clients", results["steady"]))
    print(row("one worker SIGKILLed", results["kill"]))
    print(row("memory phase (no think)", results["memory"]))
    print()
    rec = kill_info.get("recovery_s")
    print(f"worker killed at t={kill_info.get('t', float('nan')):.1f} s; replacement booted after "
          f"{kill_info.get('respawn_s', float('nan')):.1f} s; throughput back to 90 % after "
          f"{'n/a' if rec is None else f'{rec:.1f} s'}; error rate {results['kill']['error_pct']:.2f} %")
    print(f"resident memory after {results['memory']['requests']} requests: "
          + ", ".join(f"worker {pid}: {mb:.0f} MB" for pid, mb in rss.items()))
    goals = [
        ("p95 <= 300 ms (steady)", results["steady"]["p95"] <= 300),
        ("0 errors (steady)", results["steady"]["errors"] == 0),
        ("error rate <= 1 % with a killed worker", results["kill"]["error_pct"] <= 1),
        ("recovery < 5 s", rec is not None and rec < 5),
        ("RSS < 300 MB per worker", all(mb < 300 for mb in rss.values())),
    ]
    for name, ok in goals:
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    if steady.errors or killed.errors:
        print("errors:", {**steady.errors, **{f"kill:{k}": v for k, v in killed.errors.items()}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
