"""Load test of the Explorer on gunicorn (loopback only; bounded in time and count; stops by itself).

Starts gunicorn with the Dockerfile's command line on 127.0.0.1 (embedded defaults: file
cache, host job pool), then measures

1. steady load: N clients "moving sliders" for S seconds - each request is one of the
   app's analytic-figure callbacks (found from /_dash-dependencies) with random slider
   values within physics.parameters bounds, then a think time;
2. the same with one worker SIGKILLed a third of the way in: error rate and recovery time
   (until the per-second throughput is back to 90 % of the pre-kill median);
3. memory: each worker's resident set size after R requests (max_requests recycling off,
   so this is the growth a worker would reach without it);
4. a 30-job flood while N clients move sliders: 30 pages each want a different Maxwell-Bloch
   curve (polling once a second like the page); figure latency, how the jobs ended, the most
   processes beyond master and workers, and the time for every process to end after SIGTERM;

and the fault phases (issue 13), each with N slider clients:

5. hostile uploads: two 160 KB single-line "CSV" uploads in parallel every 2 s;
6. 12 slow clients through the nginx proxy (deploy/nginx; skipped without nginx): the slider
   clients go through the proxy too;
7. Redis killed and restarted (scale-out stack: redis-server, a Celery worker, gunicorn with
   BACKGROUND=celery; skipped without redis-server): 6 job pages, Redis SIGKILLed at a third of
   the phase and restarted at a half; how every page's job ended.

    .venv/bin/python bench/bench_load.py                 # 60 s phases, 20 clients (about 10 minutes)
    .venv/bin/python bench/bench_load.py --seconds 10 --memory-requests 500   # smoke run
    .venv/bin/python bench/bench_load.py --phases flood,uploads,slow,redis
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "serving")]

# Process helpers shared with the tests.
from conftest import Nginx, Server, base_env, session_pids, session_procs, start_celery, start_redis  # noqa: E402
from dash_http import DISPATCH, DashApp, Http, poll_job  # noqa: E402
from load import Load, figure_callbacks  # noqa: E402

PHASES = ("steady", "kill", "memory", "flood", "uploads", "slow", "redis")

def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(tmp: Path, args, **env) -> tuple[Server, DashApp]:
    # INFO: the port (gunicorn binds port 0) and the job manager's pid are read from the log.
    env = {"WEB_CONCURRENCY": str(args.workers), "GUNICORN_THREADS": str(args.threads), "LOG_LEVEL": "INFO", **env}
    server = Server(tmp, name=f"gunicorn-{len(list(tmp.glob('*.log')))}", **env)
    server.wait_ready()
    http = server.http()
    app = DashApp(http).settle(http)
    http.close()
    return server, app


def row(name: str, s: dict) -> str:
    return (f"{name:<36}{s['requests']:>9}{s['rps']:>9.1f}{s['p50']:>9.0f}{s['p95']:>9.0f}{s['p99']:>9.0f}"
            f"{s['errors']:>8}{s['error_pct']:>8.2f}{s['retried']:>9}")


def phase_steady_and_kill(tmp: Path, args, results: dict, notes: list) -> None:
    server, app = start(tmp, args)
    try:
        print("figure callbacks:", ", ".join(s.output for s, _ in figure_callbacks(app)))
        if "steady" in args.phases:
            steady = Load(server.port, app, args.clients, args.think, args.max_requests).run(args.seconds)
            results[f"steady, {args.clients} clients"] = steady.summary()
        if "kill" not in args.phases:
            return
        kill_info: dict = {}

        def killer(load: Load) -> None:
            def go():
                if load.stop.wait(args.seconds / 3):
                    return
                victim = server.worker_pids()[0]
                kill_info["t"] = time.monotonic() - load.t0
                os.kill(victim, signal.SIGKILL)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    pids = server.worker_pids()
                    if len(pids) == args.workers and victim not in pids:
                        kill_info["respawn_s"] = time.monotonic() - load.t0 - kill_info["t"]
                        break
                    time.sleep(0.05)
            threading.Thread(target=go, daemon=True).start()

        killed = Load(server.port, app, args.clients, args.think, args.max_requests, seed=2).run(
            args.seconds, during=killer)
        results["one worker SIGKILLed"] = killed.summary()
        per_s = killed.per_second()
        k = int(kill_info.get("t", 0))
        before = statistics.median(per_s[1:k] or [0])
        rec = next((sec + 1 - kill_info["t"] for sec in range(k + 1, len(per_s) - 1) if per_s[sec] >= 0.9 * before),
                   None)
        notes.append(f"worker killed at t={kill_info.get('t', float('nan')):.1f} s; replacement booted after "
                     f"{kill_info.get('respawn_s', float('nan')):.1f} s; throughput back to 90 % after "
                     f"{'n/a' if rec is None else f'{rec:.1f} s'}; error rate "
                     f"{results['one worker SIGKILLed']['error_pct']:.2f} %")
    finally:
        server.stop()


def phase_memory(tmp: Path, args, results: dict, notes: list) -> None:
    server, app = start(tmp, args, GUNICORN_MAX_REQUESTS="0")
    try:
        mem_load = Load(server.port, app, args.clients, 0.0, args.memory_requests, seed=3)
        mem_load.run(args.memory_seconds)
        results["memory phase (no think)"] = mem_load.summary()
        rss = {pid: rss_mb(pid) for pid in server.worker_pids()}
    finally:
        server.stop()
    notes.append(f"resident memory after {results['memory phase (no think)']['requests']} requests: "
                 + ", ".join(f"worker {pid}: {mb:.0f} MB" for pid, mb in rss.items()))


def _job_pages(server: Server, app: DashApp, n: int, seed0: int, timeout_s: float, **key) -> tuple[list, list]:
    runs: list = [None] * n

    def page(i: int) -> None:
        http = Http(server.port, timeout=30)
        try:
            runs[i] = poll_job(http, app, "gain", dict(app.props["mb-key"]["data"], seed=seed0 + i, **key),
                               timeout_s=timeout_s, interval_s=1.0)
        finally:
            http.close()

    threads = [threading.Thread(target=page, args=(i,), daemon=True) for i in range(n)]
    return runs, threads


def _outcomes(runs: list) -> str:
    ended = [r.ended or "still polling" for r in runs if r is not None]
    busy = sum(any(t.startswith("Busy:") for t in r.texts) for r in runs if r is not None)
    lost = sum(any(t.startswith("Lost") or "Lost once" in t for t in r.texts) for r in runs if r is not None)
    counts = {k: ended.count(k) for k in sorted(set(ended))}
    lat = sorted(x for r in runs if r is not None for x in r.latencies)
    polls = ""
    if lat:
        p50, p95 = 1000 * lat[len(lat) // 2], 1000 * lat[int(0.95 * len(lat))]
        polls = f"; {len(lat)} polls, p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    return f"{counts}; told busy on the way: {busy}; saw lost/retry: {lost}{polls}"


def phase_flood(tmp: Path, args, results: dict, notes: list) -> None:
    pool = args.pool
    server, app = start(tmp, args, JOB_POOL_SIZE=str(pool), JOB_QUEUE_MAX=str(args.queue))
    stopped_in = None
    try:
        runs, pages = _job_pages(server, app, 30, 1000, 300, n_pulses=20, duration_fs=25.0)
        extra_max, sampling = [0], threading.Event()
        manager = server.manager_pid()

        def sample() -> None:
            master = server.proc.pid
            while not sampling.is_set():
                procs = session_procs(master)
                extra = [p for p, pp in procs.items() if p != master and (pp != master or p == manager)]
                extra_max[0] = max(extra_max[0], len(extra))
                time.sleep(0.05)

        threading.Thread(target=sample, daemon=True).start()
        t0 = time.monotonic()

        def flood(load: Load) -> None:
            for t in pages:
                t.start()

            def wait():
                for t in pages:
                    t.join(300)
                results["_flood_s"] = time.monotonic() - t0
                load.stop.set()
            threading.Thread(target=wait, daemon=True).start()

        load = Load(server.port, app, args.clients, args.think, args.max_requests, seed=4).run(360, during=flood)
        sampling.set()
        results[f"30-job flood, {args.clients} clients"] = load.summary()
        t1 = time.monotonic()
        os.kill(server.proc.pid, signal.SIGTERM)
        while session_pids(server.proc.pid) and time.monotonic() - t1 < 60:
            time.sleep(0.05)
        stopped_in = time.monotonic() - t1
    finally:
        server.stop()
    notes.append(f"30-job flood (pool {pool}, queue {args.queue}): all pages done after "
                 f"{results.get('_flood_s', float('nan')):.1f} s; jobs: {_outcomes(runs)}; most processes beyond "
                 f"master and workers: {extra_max[0]} (pool + manager = {pool + 1}); after SIGTERM every process "
                 f"was gone in {stopped_in:.1f} s")



def phase_uploads(tmp: Path, args, results: dict, notes: list) -> None:
    import base64

    server, app = start(tmp, args)
    upload = next(c for c in app.callbacks if "upload-store.data" in c.output and c.inputs
                  and c.inputs[0]["id"] == "upload-pending")
    contents = "data:text/csv;base64," + base64.b64encode(("1," * 80_000).encode()).decode()
    payload = upload.payload(app.props, {("upload-pending", "data"): {"contents": contents, "filename": "x.csv"}})
    times: list[float] = []
    try:
        def uploads(load: Load) -> None:
            def one():
                h = Http(server.port, timeout=60)
                try:
                    t0 = time.monotonic()
                    h.post_json(DISPATCH, payload)
                    times.append(time.monotonic() - t0)
                finally:
                    h.close()

            def go():
                while not load.stop.wait(2.0):
                    pair = [threading.Thread(target=one) for _ in range(2)]
                    for t in pair:
                        t.start()
                    for t in pair:
                        t.join(60)
            threading.Thread(target=go, daemon=True).start()

        load = Load(server.port, app, args.clients, args.think, args.max_requests, seed=5).run(args.seconds,
                                                                                              during=uploads)
        results["hostile uploads, 2 x 160 KB / 2 s"] = load.summary()
    finally:
        server.stop()
    notes.append(f"hostile uploads: {len(times)} answered, slowest {max(times or [float('nan')]):.2f} s")


def phase_slow(tmp: Path, args, results: dict, notes: list) -> None:
    import shutil

    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        notes.append("slow clients: skipped (no nginx; `apt-get install nginx`)")
        return
    from test_proxy import _slow_client

    server, _ = start(tmp, args)
    nginx = Nginx(tmp, server.port)
    stop = threading.Event()
    outcome: list = []
    try:
        h = nginx.http()
        app = DashApp(h).settle(h)
        h.close()

        def slow(load: Load) -> None:
            for i in range(12):
                threading.Thread(target=_slow_client, args=(nginx, "body" if i % 2 else "header", args.seconds, stop,
                                                            outcome), daemon=True).start()

        load = Load(nginx.https_port, app, args.clients, args.think, args.max_requests, seed=6,
                    http_factory=lambda: nginx.http(timeout=30)).run(args.seconds, during=slow)
        results["12 slow clients, via nginx"] = load.summary()
    finally:
        stop.set()
        nginx.stop()
        server.stop()
    notes.append(f"slow clients: {sorted(set(outcome))}")


def phase_redis(tmp: Path, args, results: dict, notes: list) -> None:
    import shutil

    if not shutil.which("redis-server"):
        notes.append("Redis restart: skipped (no redis-server)")
        return
    redis_proc, redis_port = start_redis(tmp, password="bench")
    procs = [redis_proc]
    try:
        env = {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "REDIS_PASSWORD": "bench", "CACHE_TYPE": "RedisCache",
               "BACKGROUND": "celery", "REDIS_RETRY_S": "5"}
        procs.append(start_celery(tmp, "app", base_env(tmp, **env)))
        server, app = start(tmp, args, **env)
        procs.append(server.proc)
        runs, pages = _job_pages(server, app, 6, 500, 120 + args.seconds, n_pulses=12, duration_fs=40.0)
        events: dict = {}

        def fault(load: Load) -> None:
            for t in pages:
                t.start()

            def go():
                if load.stop.wait(args.seconds / 3):
                    return
                procs[0].popen.kill()
                events["killed"] = time.monotonic() - load.t0
                if load.stop.wait(args.seconds / 6):
                    return
                procs[0] = start_redis(tmp, password="bench", port=redis_port)[0]
                events["restarted"] = time.monotonic() - load.t0
            threading.Thread(target=go, daemon=True).start()

        load = Load(server.port, app, args.clients, args.think, args.max_requests, seed=7).run(args.seconds,
                                                                                              during=fault)
        results["Redis killed + restarted"] = load.summary()
        for t in pages:
            t.join(150)
    finally:
        for p in reversed(procs):
            p.stop()
    notes.append(f"Redis SIGKILLed at t={events.get('killed', float('nan')):.0f} s, restarted at "
                 f"t={events.get('restarted', float('nan')):.0f} s (empty: no persistence); 6 job pages: "
                 f"{_outcomes(runs)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60, help="duration of the steady, kill and fault phases")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--think", type=float, default=1.0, help="mean think time between a client's requests (s)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--pool", type=int, default=len(os.sched_getaffinity(0)), help="JOB_POOL_SIZE (flood)")
    ap.add_argument("--queue", type=int, default=8, help="JOB_QUEUE_MAX (flood)")
    ap.add_argument("--memory-requests", type=int, default=10000)
    ap.add_argument("--memory-seconds", type=float, default=900, help="bound on the memory phase")
    ap.add_argument("--max-requests", type=int, default=200000, help="bound on requests per phase")
    ap.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated subset of {','.join(PHASES)}")
    args = ap.parse_args(argv)
    args.phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    unknown = args.phases - set(PHASES)
    if unknown:
        ap.error(f"unknown phases {sorted(unknown)}")
    print(f"cpus={os.cpu_count()} workers={args.workers} threads={args.threads} clients={args.clients} "
          f"think={args.think}s seconds={args.seconds} phases={','.join(p for p in PHASES if p in args.phases)}")
    results: dict = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xray-bench-") as tmpdir:
        tmp = Path(tmpdir)
        steps = [("steady" in args.phases or "kill" in args.phases, phase_steady_and_kill),
                 ("memory" in args.phases, phase_memory), ("flood" in args.phases, phase_flood),
                 ("uploads" in args.phases, phase_uploads), ("slow" in args.phases, phase_slow),
                 ("redis" in args.phases, phase_redis)]
        for i, (wanted, fn) in enumerate(steps):
            if wanted:
                sub = tmp / f"phase{i}"
                sub.mkdir()
                fn(sub, args, results, notes)

    print()
    print(f"{'phase':<36}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'err %':>8}{'resent':>9}")
    for name, summary in results.items():
        if not name.startswith("_"):
            print(row(name, summary))
    print()
    for note in notes:
        print(note)
    goals = [(name, ok) for name, ok in [
        ("p95 <= 300 ms (steady)", results.get(f"steady, {args.clients} clients", {}).get("p95", 0) <= 300),
        ("0 errors (steady)", results.get(f"steady, {args.clients} clients", {}).get("errors", 0) == 0),
        ("error rate <= 1 % with a killed worker", results.get("one worker SIGKILLed", {}).get("error_pct", 0) <= 1),
        ("p95 <= 300 ms during the 30-job flood", results.get(f"30-job flood, {args.clients} clients", {}).get("p95", 0)
         <= 300),
        ("figures answer during every fault phase (0 errors)", all(
            results.get(k, {}).get("errors", 0) == 0 for k in ("hostile uploads, 2 x 160 KB / 2 s",
                                                               "12 slow clients, via nginx"))),
    ]]
    for name, ok in goals:
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
