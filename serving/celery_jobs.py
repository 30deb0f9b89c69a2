"""The scale-out job service: job records in Redis, the work on Celery workers.

Same contract as the pool (serving/jobs.py): identical keys share one job, a bounded queue
answers "busy", abandoned jobs are not started, every job has a time limit.  Celery's own tools
do the rest (make_celery): worker concurrency is the pool size, prefetch 1 and acks late, soft and
hard time limits, task expiry.  A running Celery job is not killed when it is abandoned (it ends
at its time limit, and its cost is bounded by the budget); a queued one is dropped at start.

Keys (prefix ``xray:``): ``job:<id>`` a hash (state, times, message, summary), ``job:<id>:w``
the watchers (client -> last poll), ``jobs:queued`` / ``jobs:running`` sorted sets, ``counters``.
Redis restarts without persistence: records in flight vanish, and the page, whose job then
looks new, reports it as lost and retries (components/mb_jobs.py).
"""
from __future__ import annotations

import json
import logging
import time

from .jobs import DONE_GRACE_S, FAILED_TTL_S, JobService, JobStatus, job_id
from .settings import Settings

log = logging.getLogger("explorer.jobs")

PREFIX = "xray:"
KEEP_S = 3600
EXPIRES_S = 600  # a task not started within this long is discarded by the worker (then resubmitted)
TASK = "explorer.run_job"


def quick_redis(url: str, **kwargs):
    """A Redis client that gives up fast: one immediate retry (a pooled connection that died with
    a Redis restart is replaced), then the error.  redis-py 6's default retries three times with
    back-off up to 10 s - a poll would hang for seconds while Redis is down."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0, health_check_interval=10,
                                retry=Retry(NoBackoff(), 1), **kwargs)


def _f(value, default=0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


class CeleryJobs(JobService):
    name = "celery"

    def __init__(self, settings: Settings, celery_app):
        super().__init__(settings)
        self.celery_app = celery_app
        self.redis = quick_redis(settings.redis_url, decode_responses=True)
        self._register_task()

    @staticmethod
    def unavailable_errors():
        import kombu.exceptions
        import redis.exceptions

        return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, kombu.exceptions.OperationalError,
                OSError)

    # -- the web side
    def _want(self, kind, key, client, estimate_s):
        r, jid, now = self.redis, job_id(kind, key), time.time()
        k = f"{PREFIX}job:{jid}"
        row = r.hgetall(k)
        state = row.get("state")
        fresh = (not row or state in ("cancelled", "lost")
                 or state == "done" and now - _f(row.get("finished")) > DONE_GRACE_S
                 or state == "failed" and now - _f(row.get("finished")) > FAILED_TTL_S
                 or state == "queued" and now - _f(row.get("submitted")) > EXPIRES_S
                 or state == "running" and now - _f(row.get("started")) > self.settings.job_time_limit_s + 30)
        created = False
        if fresh:
            waiting = r.zcard(f"{PREFIX}jobs:queued")
            if waiting >= self.settings.job_queue_max and self.settings.job_queue_max > 0:
                r.hincrby(f"{PREFIX}counters", "busy_total", 1)
                return JobStatus("busy", jid, waiting=waiting,
                                 message=f"{waiting} jobs are waiting for the Celery workers")
            if r.set(f"{k}:submit", "1", nx=True, ex=5):  # one submitter per key wins
                task_id = f"{jid}-{int(now * 1000)}"
                attempt = int(_f(row.get("attempt"))) + 1 if state == "lost" else 0
                pipe = r.pipeline()
                pipe.delete(k)
                pipe.hset(k, mapping={"kind": kind, "key": json.dumps(key, sort_keys=True), "state": "queued",
                                      "submitted": now, "estimate_s": estimate_s or 0, "attempt": attempt,
                                      "task": task_id, "message": ""})
                pipe.expire(k, KEEP_S)
                pipe.zadd(f"{PREFIX}jobs:queued", {jid: now})
                pipe.hincrby(f"{PREFIX}counters", "submitted_total", 1)
                pipe.execute()
                self.celery_app.send_task(TASK, args=[jid, task_id], task_id=task_id, expires=EXPIRES_S)
                created = True
            row = r.hgetall(k)
        pipe = r.pipeline()
        pipe.hset(f"{k}:w", client[:64], now)
        pipe.expire(f"{k}:w", int(self.settings.job_abandon_s * 6) + 60)
        pipe.execute()
        return self._status(jid, row, now, created)

    def _status(self, jid: str, row: dict, now: float, created: bool) -> JobStatus:
        st = JobStatus(row.get("state", "queued"), jid, estimate_s=_f(row.get("estimate_s")) or None,
                       message=row.get("message", ""), created=created, attempt=int(_f(row.get("attempt"))))
        st.waiting = self.redis.zcard(f"{PREFIX}jobs:queued")
        if st.state == "queued":
            rank = self.redis.zrank(f"{PREFIX}jobs:queued", jid)
            st.position = (rank or 0) + 1
        elif st.state == "running":
            st.elapsed_s = now - _f(row.get("started"), now)
        elif st.state in ("done", "failed"):
            st.elapsed_s = _f(row.get("finished"), now) - _f(row.get("started"), now)
            st.summary = json.loads(row["summary"]) if row.get("summary") else None
        return st

    def release(self, job, client):
        try:
            self.redis.hdel(f"{PREFIX}job:{job}:w", client[:64])
        except self.unavailable_errors():
            log.warning("could not release job %s", job)

    def snapshot(self):
        now = time.time()
        r = self.redis
        # Entries of workers that died mid-job stay in "running": count only the plausible ones.
        r.zremrangebyscore(f"{PREFIX}jobs:running", 0, now - self.settings.job_time_limit_s - 60)
        r.zremrangebyscore(f"{PREFIX}jobs:queued", 0, now - EXPIRES_S)
        return {"queued": r.zcard(f"{PREFIX}jobs:queued"), "running": r.zcard(f"{PREFIX}jobs:running"),
                "queue_max": self.settings.job_queue_max, "manager_up": True}

    def _add_counts(self, counts):
        pipe = self.redis.pipeline()
        for name, value in counts.items():
            pipe.hincrbyfloat(f"{PREFIX}counters", name, value)
        pipe.execute()

    def counters(self):
        return {k: _f(v) for k, v in self.redis.hgetall(f"{PREFIX}counters").items()}

    # -- the worker side
    def _register_task(self) -> None:
        service = self

        @self.celery_app.task(name=TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
        def run_job(jid: str, task_id: str) -> None:
            service.execute(jid, task_id)

    def execute(self, jid: str, task_id: str) -> None:
        """Run one job on this Celery worker (skipped if stale or nobody waits for it any more)."""
        from celery.exceptions import SoftTimeLimitExceeded

        r, k, now = self.redis, f"{PREFIX}job:{jid}", time.time()
        row = r.hgetall(k)
        if row.get("task") != task_id or row.get("state") != "queued":
            return  # superseded or already done: a redelivered or duplicate task
        polls = [_f(v) for v in r.hvals(f"{k}:w")]
        if not polls or max(polls) < now - self.settings.job_abandon_s:
            self._finish(k, jid, task_id, "cancelled", "nobody waits for it")
            return
        r.hset(k, mapping={"state": "running", "started": now})
        r.zrem(f"{PREFIX}jobs:queued", jid)
        r.zadd(f"{PREFIX}jobs:running", {jid: now})
        fn = self.kinds.get(row.get("kind", ""))
        try:
            if fn is None:
                raise KeyError(f"unknown job kind {row.get('kind')!r}")
            summary = fn(json.loads(row["key"]), lambda _msg: None)
        except SoftTimeLimitExceeded:
            self._finish(k, jid, task_id, "failed",
                         f"stopped at the time limit of {self.settings.job_time_limit_s:.0f} s")
        except Exception as exc:  # noqa: BLE001 - a failed job is a message in the page
            log.exception("job %s failed", jid)
            self._finish(k, jid, task_id, "failed", str(exc)[:300] or type(exc).__name__)
        else:
            self._finish(k, jid, task_id, "done", "", summary)

    def _finish(self, k: str, jid: str, task_id: str, state: str, message: str, summary=None) -> None:
        r = self.redis
        if r.hget(k, "task") != task_id:
            return  # the record was replaced (e.g. Redis restarted and the key was resubmitted)
        pipe = r.pipeline()
        pipe.hset(k, mapping={"state": state, "finished": time.time(), "message": message,
                              "summary": json.dumps(summary) if summary is not None else ""})
        pipe.zrem(f"{PREFIX}jobs:queued", jid)
        pipe.zrem(f"{PREFIX}jobs:running", jid)
        pipe.hincrby(f"{PREFIX}counters", f"{state}_total", 1)
        pipe.execute()
