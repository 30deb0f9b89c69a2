"""The host job pool in one process tree (no gunicorn): a real Manager process and the real
SQLite job table, with tiny job kinds (sleep, fail) so every rule is seen in a few seconds:
dedup of running work, the bounded queue ("busy"), FIFO order, the time limit, cancellation of
abandoned jobs (queued: never started; running: killed), no zombies, SIGTERM ends every child."""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import wait_until

from serving import settings as settings_module
from serving.pool import Manager, PoolJobs

pytestmark = pytest.mark.serving


def _sleep(key, _progress):
    time.sleep(key["s"])
    return {"slept": key["s"], "pid": os.getpid()}


def _fail(key, _progress):
    raise ValueError("no such physics")


def _proc_state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return out


@pytest.fixture
def pool(tmp_path):
    """(service, manager process): pool of 1, queue of 2, time limit 4 s, abandoned after 1 s."""
    env = {"EXPLORER_DATA_DIR": str(tmp_path), "JOB_POOL_SIZE": "1", "JOB_QUEUE_MAX": "2",
           "JOB_TIME_LIMIT_S": "4", "JOB_ABANDON_S": "1"}
    service = PoolJobs(settings_module.from_env(env))
    service.register("sleep", _sleep)
    service.register("fail", _fail)
    proc = multiprocessing.get_context("fork").Process(target=Manager(service).run, daemon=True)
    proc.start()
    wait_until(lambda: service.snapshot()["manager_up"], 10, "manager heartbeat")
    yield service, proc
    if proc.is_alive():
        os.kill(proc.pid, signal.SIGTERM)
        proc.join(10)


def _job_pid(service, tag: str) -> int:
    """The pid of the job whose key holds ``tag`` (the manager writes it just after the fork)."""
    def pid():
        with service.table.tx(write=False) as db:
            row = db.execute("SELECT pid FROM jobs WHERE key LIKE ?", (f"%{tag}%",)).fetchone()
        return row["pid"] if row else None

    wait_until(lambda: pid() is not None, 5, f"the pid of job {tag}")
    return pid()


def _until(service, kind, key, client, states, timeout=10.0, also=()):
    """Poll like a page (every 0.1 s) until the job is in one of ``states``; ``also`` keeps other jobs wanted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = service.want(kind, key, client)
        for a_kind, a_key, a_client in also:
            service.want(a_kind, a_key, a_client)
        if st.state in states:
            return st
        time.sleep(0.1)
    raise AssertionError(f"{kind} {key} never reached {states}: last {st}")


def test_dedup_bounded_queue_and_order(pool):
    service, manager = pool
    a, b, c, d = ({"s": 0.8, "n": i} for i in range(4))
    first = service.want("sleep", a, "page-1")
    same = service.want("sleep", a, "page-2")  # another page, same key: joins the same job
    assert first.created and not same.created and first.job == same.job
    _until(service, "sleep", a, "page-1", ("running",))  # the pool's one slot is taken
    qb = service.want("sleep", b, "page-3")
    qc = service.want("sleep", c, "page-4")
    full = service.want("sleep", d, "page-5")
    assert full.state == "busy" and "waiting" in full.message  # queue of 2 is full: no job, a message
    assert (qb.state, qb.position, qc.state, qc.position) == ("queued", 1, "queued", 2)
    wanted = [("sleep", a, "page-1"), ("sleep", b, "page-3"), ("sleep", c, "page-4")]
    done_c = _until(service, "sleep", c, "page-4", ("done",), also=wanted)
    done_a = service.want("sleep", a, "page-2")
    done_b = service.want("sleep", b, "page-3")
    assert done_a.state == done_b.state == "done"
    assert done_a.summary["slept"] == 0.8 and 0.7 < done_a.elapsed_s < 3
    assert done_a.summary["pid"] != done_b.summary["pid"]  # one fresh process per job
    counters = service.counters()
    assert counters["submitted_total"] == 3 and counters["busy_total"] == 1 and counters["done_total"] == 3
    assert done_c.state == "done"
    # no zombies: every finished child was reaped by the manager
    wait_until(lambda: not [p for p in _children(manager.pid) if _proc_state(p) == "Z"], 5, "children reaped")


def test_time_limit_kills_the_job(pool):
    service, manager = pool
    st = service.want("sleep", {"s": 30}, "page")
    running = _until(service, "sleep", {"s": 30}, "page", ("running",))
    pids = [_job_pid(service, '"s": 30')]
    failed = _until(service, "sleep", {"s": 30}, "page", ("failed",), timeout=10)
    assert "stopped at the time limit of 4 s" in failed.message, failed.message
    assert 3.5 < failed.elapsed_s < 8, failed.elapsed_s
    assert running.job == st.job == failed.job
    wait_until(lambda: _proc_state(pids[0]) is None, 5, "the timed-out job process to be gone")
    assert service.want("fail", {"x": 1}, "page").state in ("queued", "running")
    bad = _until(service, "fail", {"x": 1}, "page", ("failed",))
    assert "no such physics" in bad.message


def test_abandoned_jobs_are_cancelled_running_ones_killed(pool):
    service, manager = pool
    running = {"s": 30, "tag": "left"}
    service.want("sleep", running, "gone")
    _until(service, "sleep", running, "gone", ("running",))
    queued = {"s": 30, "tag": "never"}
    assert service.want("sleep", queued, "gone").state == "queued"
    pid = _job_pid(service, "left")
    # Nobody polls any more: after JOB_ABANDON_S both are cancelled; the running process is killed.
    wait_until(lambda: _proc_state(pid) is None, 8, "the abandoned job process to be killed")
    with service.table.tx(write=False) as db:
        rows = {r["key"]: dict(r) for r in db.execute("SELECT key, state, started FROM jobs")}
    states = {k: v["state"] for k, v in rows.items()}
    assert set(states.values()) == {"cancelled"}, states
    never = next(v for k, v in rows.items() if "never" in k)
    assert never["started"] is None  # never started
    # Two pages want one job; one releases it (its parameters changed): the job goes on for the
    # other; when that one releases it too, it is killed.
    key = {"s": 30, "tag": "released"}
    service.want("sleep", key, "page-a")
    _until(service, "sleep", key, "page-b", ("running",), also=[("sleep", key, "page-a")])
    pid = _job_pid(service, "released")
    job = service.want("sleep", key, "page-a").job
    service.release(job, "page-a")
    for _ in range(15):  # 1.5 s of polls by page-b alone: longer than JOB_ABANDON_S
        assert service.want("sleep", key, "page-b").state == "running"
        time.sleep(0.1)
    service.release(job, "page-b")
    wait_until(lambda: _proc_state(pid) is None, 5, "the released job to be killed")


def test_sigterm_ends_every_job_process_and_marks_them_lost(pool):
    service, manager = pool
    service.want("sleep", {"s": 30}, "page")
    _until(service, "sleep", {"s": 30}, "page", ("running",))
    child = _job_pid(service, '"s": 30')
    t0 = time.monotonic()
    os.kill(manager.pid, signal.SIGTERM)
    manager.join(10)
    assert not manager.is_alive() and time.monotonic() - t0 < 5
    assert _proc_state(child) is None
    with service.table.tx(write=False) as db:
        assert db.execute("SELECT state FROM jobs").fetchone()[0] == "lost"
    st = service.want("sleep", {"s": 30}, "page")  # no manager: the page is told, not left polling
    assert st.state == "unavailable" or st.created  # lost jobs are resubmitted; the stale heartbeat shows next
    assert not service.snapshot()["manager_up"]


def test_queue_of_zero_runs_when_a_worker_is_free(tmp_path):
    """JOB_QUEUE_MAX=0: a job starts when a worker is free, any other is answered busy."""
    env = {"EXPLORER_DATA_DIR": str(tmp_path), "JOB_POOL_SIZE": "1", "JOB_QUEUE_MAX": "0"}
    service = PoolJobs(settings_module.from_env(env))
    service.register("sleep", _sleep)
    assert service.want("sleep", {"s": 1}, "a").state == "queued"  # the free worker takes it
    assert service.want("sleep", {"s": 2}, "b").state == "busy"
