"""The embedded job pool: one host, no extra services.

* The job table is a SQLite file in ``JOBS_DIR`` (WAL mode), shared by every gunicorn worker of
  the host: the workers insert and poll jobs (:class:`PoolJobs`), the manager runs them.
* One **manager** process per host (:class:`Manager`, ``python -m serving.pool``) is started by
  the gunicorn master (``when_ready`` in gunicorn.conf.py) and stopped by it (``on_exit``).  It
  forks one child per job, at most ``JOB_POOL_SIZE`` at once, oldest job first; kills a child
  past ``JOB_TIME_LIMIT_S``; cancels jobs nobody polled for ``JOB_ABANDON_S`` (killing a running
  one); reaps every child (no zombies) and writes a heartbeat the workers check.
* Nothing outlives the server: the manager dies with the master (PR_SET_PDEATHSIG), the job
  children with the manager (PR_SET_PDEATHSIG SIGKILL), and on SIGTERM the manager kills its
  children before it exits.  gunicorn workers own no job process, so a worker recycled by
  ``max_requests`` (or SIGKILLed) leaks nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

from .jobs import ACTIVE, DONE_GRACE_S, FAILED_TTL_S, JobService, JobStatus, job_id
from .settings import Settings

log = logging.getLogger("explorer.pool")

HEARTBEAT_STALE_S = 10.0  # no heartbeat for this long: the manager is gone ("unavailable")
TICK_S = 0.1  # the manager's loop period
KEEP_S = 3600.0  # finished job records are deleted after this long
JOB_NICE = 10  # the web workers come first (weight 1024 vs 110), yet jobs are not starved by other work

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL,
    submitted REAL NOT NULL, started REAL, finished REAL, pid INTEGER, message TEXT NOT NULL DEFAULT '',
    summary TEXT, estimate_s REAL, attempt INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, submitted);
CREATE TABLE IF NOT EXISTS watchers (
    job TEXT NOT NULL, client TEXT NOT NULL, last_poll REAL NOT NULL, PRIMARY KEY (job, client));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value REAL NOT NULL);
"""


# --------------------------------------------------------------------------- processes
def set_parent_death_signal(sig: int = signal.SIGKILL) -> None:
    """Linux: deliver ``sig`` to this process when its parent dies (no orphans computing on)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        log.warning("PR_SET_PDEATHSIG unavailable: job processes may outlive a killed parent")


# --------------------------------------------------------------------------- the job table
class JobTable:
    """The SQLite job table (one short connection per operation: safe across threads and forks)."""

    def __init__(self, directory: str):
        Path(directory).mkdir(parents=True, exist_ok=True)
        self.path = str(Path(directory) / "jobs.sqlite")
        db = sqlite3.connect(self.path, timeout=10.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer (and vice versa)
            db.executescript(_SCHEMA)
        finally:
            db.close()

    @contextlib.contextmanager
    def tx(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=NORMAL")  # WAL is set once, in the file
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def counter(self, db: sqlite3.Connection, name: str) -> float:
        row = db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
        return row[0] if row else 0.0

    @staticmethod
    def add(db: sqlite3.Connection, name: str, delta: float) -> None:
        db.execute("INSERT INTO counters(name, value) VALUES(?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value", (name, delta))

    @staticmethod
    def put(db: sqlite3.Connection, name: str, value: float) -> None:
        db.execute("INSERT INTO counters(name, value) VALUES(?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))


def _status(db: sqlite3.Connection, row: sqlite3.Row, now: float, created: bool = False) -> JobStatus:
    waiting = db.execute("SELECT COUNT(*) FROM jobs WHERE state='queued'").fetchone()[0]
    st = JobStatus(row["state"], row["id"], waiting=waiting, estimate_s=row["estimate_s"],
                   message=row["message"] or "", created=created, attempt=row["attempt"])
    if st.state == "queued":
        st.position = 1 + db.execute("SELECT COUNT(*) FROM jobs WHERE state='queued' AND submitted < ?",
                                     (row["submitted"],)).fetchone()[0]
    elif st.state == "running":
        st.elapsed_s = now - (row["started"] or now)
    elif st.state in ("done", "failed"):
        st.elapsed_s = (row["finished"] or now) - (row["started"] or row["finished"] or now)
        st.summary = json.loads(row["summary"]) if row["summary"] else None
    return st


class PoolJobs(JobService):
    """The web workers' side of the pool: submit, poll, release (every call one transaction)."""

    name = "pool"

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.table = JobTable(settings.jobs_dir)

    @staticmethod
    def unavailable_errors():
        return (sqlite3.OperationalError, OSError)

    def _want(self, kind, key, client, estimate_s):
        jid = job_id(kind, key)
        now = time.time()
        with self.table.tx() as db:
            row = db.execute("SELECT * FROM jobs WHERE id=?", (jid,)).fetchone()
            if row is not None and row["state"] in ACTIVE:
                if now - self.table.counter(db, "heartbeat") > HEARTBEAT_STALE_S:
                    return JobStatus("unavailable", jid, message="the job manager is not running")
            fresh = row is None or row["state"] in ("cancelled", "lost") or (
                row["state"] == "done" and now - (row["finished"] or 0) > DONE_GRACE_S) or (
                row["state"] == "failed" and now - (row["finished"] or 0) > FAILED_TTL_S)
            if fresh:
                waiting = db.execute("SELECT COUNT(*) FROM jobs WHERE state='queued'").fetchone()[0]
                running = db.execute("SELECT COUNT(*) FROM jobs WHERE state='running'").fetchone()[0]
                # Room in the queue, or a free worker (JOB_QUEUE_MAX=0: run now or answer busy).
                if waiting >= self.settings.job_queue_max and waiting + running >= self.settings.job_pool_size:
                    self.table.add(db, "busy_total", 1)
                    return JobStatus("busy", jid, waiting=waiting,
                                     message=f"{waiting} jobs are waiting for {self.settings.job_pool_size} "
                                             "workers")
                attempt = (row["attempt"] + 1) if row is not None and row["state"] == "lost" else 0
                db.execute("INSERT OR REPLACE INTO jobs(id, kind, key, state, submitted, estimate_s, attempt) "
                           "VALUES(?, ?, ?, 'queued', ?, ?, ?)",
                           (jid, kind, json.dumps(key, sort_keys=True), now, estimate_s, attempt))
                self.table.add(db, "submitted_total", 1)
                row = db.execute("SELECT * FROM jobs WHERE id=?", (jid,)).fetchone()
            db.execute("INSERT INTO watchers(job, client, last_poll) VALUES(?, ?, ?) "
                       "ON CONFLICT(job, client) DO UPDATE SET last_poll = excluded.last_poll",
                       (jid, client[:64], now))
            return _status(db, row, now, created=fresh)

    def release(self, job, client):
        try:
            with self.table.tx() as db:
                db.execute("DELETE FROM watchers WHERE job=? AND client=?", (job, client[:64]))
        except self.unavailable_errors():
            log.warning("could not release job %s", job)

    def snapshot(self):
        now = time.time()
        with self.table.tx(write=False) as db:
            counts = dict(db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall())
            heartbeat = self.table.counter(db, "heartbeat")
        return {"queued": counts.get("queued", 0), "running": counts.get("running", 0),
                "pool_size": self.settings.job_pool_size, "queue_max": self.settings.job_queue_max,
                "manager_up": now - heartbeat <= HEARTBEAT_STALE_S}

    def _add_counts(self, counts):
        with self.table.tx() as db:
            for name, value in counts.items():
                self.table.add(db, name, value)

    def counters(self):
        with self.table.tx(write=False) as db:
            return {r[0]: r[1] for r in db.execute("SELECT name, value FROM counters WHERE name != 'heartbeat'")}


# --------------------------------------------------------------------------- the manager
class Manager:
    """Runs the queued jobs of a :class:`PoolJobs` table, at most ``pool_size`` at once."""

    def __init__(self, service: PoolJobs):
        self.service = service
        self.settings = service.settings
        self.table = service.table
        self.children: dict[int, tuple[str, float]] = {}  # pid -> (job id, deadline)
        self.stopping = False

    # -- the loop
    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        with self.table.tx() as db:  # jobs of a previous manager died with it
            db.execute("UPDATE jobs SET state='lost', finished=?, message='the job service restarted' "
                       "WHERE state='running'", (time.time(),))
        log.info("job manager %d: pool %d, queue %d, time limit %.0f s, abandon after %.0f s", os.getpid(),
                 self.settings.job_pool_size, self.settings.job_queue_max, self.settings.job_time_limit_s,
                 self.settings.job_abandon_s)
        last_cleanup = 0.0
        while not self.stopping:
            try:
                self.tick()
                if time.monotonic() - last_cleanup > 60:
                    self.cleanup()
                    last_cleanup = time.monotonic()
            except Exception:  # noqa: BLE001 - the loop outlives one bad tick (e.g. a locked db)
                log.exception("job manager tick failed")
            time.sleep(TICK_S)
        self.shutdown()

    def _stop(self, *_):
        self.stopping = True

    def tick(self) -> None:
        now = time.time()
        self.reap()
        with self.table.tx() as db:
            self.table.put(db, "heartbeat", now)
            fresh = now - self.settings.job_abandon_s
            # Abandoned: no client polled within JOB_ABANDON_S.
            abandoned = db.execute(
                "SELECT id, state, pid FROM jobs WHERE state IN ('queued', 'running') AND NOT EXISTS "
                "(SELECT 1 FROM watchers w WHERE w.job = jobs.id AND w.last_poll >= ?)", (fresh,)).fetchall()
            for row in abandoned:
                db.execute("UPDATE jobs SET state='cancelled', finished=?, message='nobody waits for it' "
                           "WHERE id=?", (now, row["id"]))
                self.table.add(db, "cancelled_total", 1)
                if row["state"] == "running":
                    self._kill_job(row["id"])
            for pid, (jid, deadline) in list(self.children.items()):
                if now > deadline:
                    db.execute("UPDATE jobs SET state='failed', finished=?, message=? WHERE id=? AND state='running'",
                               (now, f"stopped at the time limit of {self.settings.job_time_limit_s:.0f} s", jid))
                    self.table.add(db, "timed_out_total", 1)
                    self._kill(pid)
            db.execute("DELETE FROM watchers WHERE last_poll < ?", (fresh - 60,))
            free = self.settings.job_pool_size - len(self.children)
            starts = db.execute("SELECT * FROM jobs WHERE state='queued' ORDER BY submitted LIMIT ?",
                                (max(free, 0),)).fetchall() if free > 0 else []
            for row in starts:
                db.execute("UPDATE jobs SET state='running', started=? WHERE id=?", (now, row["id"]))
        for row in starts:  # fork outside the transaction (the child writes its own result)
            self._start(row)

    def _start(self, row: sqlite3.Row) -> None:
        kind, key, jid = row["kind"], json.loads(row["key"]), row["id"]
        fn = self.service.kinds.get(kind)
        pid = os.fork()
        if pid == 0:  # the job child
            code = 1
            try:
                set_parent_death_signal(signal.SIGKILL)
                os.nice(JOB_NICE)  # the analytic figures (gunicorn workers) come first on a busy host
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = self._run_child(jid, fn, key)
            finally:
                os._exit(code)
        self.children[pid] = (jid, time.time() + self.settings.job_time_limit_s)
        with self.table.tx() as db:
            db.execute("UPDATE jobs SET pid=? WHERE id=?", (pid, jid))

    def _run_child(self, jid: str, fn, key: dict) -> int:
        t0 = time.time()
        try:
            if fn is None:
                raise KeyError("unknown job kind")
            summary = fn(key, lambda _msg: None)
            state, message, code = "done", "", 0
        except Exception as exc:  # noqa: BLE001 - a failed job is a message in the page
            log.exception("job %s failed", jid)
            summary, state, message, code = None, "failed", str(exc)[:300] or type(exc).__name__, 1
        with self.table.tx() as db:
            db.execute("UPDATE jobs SET state=?, finished=?, message=?, summary=? WHERE id=? AND state='running'",
                       (state, time.time(), message, json.dumps(summary) if summary is not None else None, jid))
            self.table.add(db, f"{state}_total", 1)
            self.table.add(db, "job_seconds_total", time.time() - t0)
        return code

    def reap(self) -> None:
        """Collect every finished child (no zombies); a child that died without a word failed."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            jid, _ = self.children.pop(pid, (None, 0))
            if jid is None:
                continue
            if os.WIFSIGNALED(status):
                why = f"the job process was killed (signal {os.WTERMSIG(status)})"
            else:
                why = f"the job process exited with code {os.WEXITSTATUS(status)}"
            with self.table.tx() as db:
                db.execute("UPDATE jobs SET state='failed', finished=?, message=? WHERE id=? AND state='running'",
                           (time.time(), why, jid))

    def _kill_job(self, jid: str) -> None:
        for pid, (child_job, _) in self.children.items():
            if child_job == jid:
                self._kill(pid)

    @staticmethod
    def _kill(pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # numpy in C does not look at signals: no point asking nicely

    def cleanup(self) -> None:
        with self.table.tx() as db:
            db.execute("DELETE FROM jobs WHERE state NOT IN ('queued', 'running') AND finished < ?",
                       (time.time() - KEEP_S,))

    def shutdown(self) -> None:
        # First mark the running jobs lost (pages resubmit them when a manager is back), then kill.
        with contextlib.suppress(Exception), self.table.tx() as db:
            db.execute("UPDATE jobs SET state='lost', finished=?, message='the server stopped' "
                       "WHERE state='running'", (time.time(),))
            self.table.put(db, "heartbeat", 0)
        for pid in list(self.children):
            self._kill(pid)
        deadline = time.monotonic() + 5
        while self.children and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.02)
        log.info("job manager %d stopped", os.getpid())


# --------------------------------------------------------------------------- started by gunicorn
def start_manager_process(parent_pid: int | None = None) -> subprocess.Popen | None:
    """Start ``python -m serving.pool`` (from the gunicorn master); None if jobs are not pooled."""
    from .settings import from_env

    if from_env().background != "pool":
        return None
    argv = [sys.executable, "-m", "serving.pool", "--parent", str(parent_pid or os.getpid())]
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, close_fds=True)


def stop_manager_process(proc: subprocess.Popen | None, timeout: float = 8.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="The Explorer's job manager (started by gunicorn.conf.py).")
    ap.add_argument("--parent", type=int, default=0, help="exit when this process dies")
    args = ap.parse_args(argv)
    set_parent_death_signal(signal.SIGTERM)
    if args.parent and os.getppid() != args.parent:
        return 0  # the parent died before the death signal was armed
    import app as app_module  # the app registers the job kinds on its JobService

    from .jobs import service_of
    from .settings import from_env

    dash_app = app_module.create_app(from_env())
    service = service_of(dash_app)
    if service is None or service.name != "pool":
        log.error("job manager: BACKGROUND is not 'pool'; nothing to do")
        return 0
    Manager(service).run()
    return 0


if __name__ == "__main__":
    from serving.pool import main as _main  # the module's own classes, not copies in __main__

    sys.exit(_main())
