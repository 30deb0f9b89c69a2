"""Background jobs: a bounded, cancellable job service with one interface and three back ends.

* ``pool``   (embedded default): a job table in SQLite shared by every gunicorn worker of the
  host and one manager process (started by the gunicorn master, see serving/pool.py) that runs
  at most ``JOB_POOL_SIZE`` jobs at once, each in its own child with a time limit.
* ``celery`` (scale-out): job records in Redis, the work on Celery workers (concurrency,
  soft/hard time limits, expiry, acks late, prefetch 1: :func:`make_celery`).
* ``inline`` (tests, one user): the job runs in the request.

The page asks :meth:`JobService.want` once a second for every curve it shows (see
components/mb_jobs.py): the first call submits, later calls report queued (position) / running
(elapsed) / done / failed, and keep the job wanted.  Identical keys share one job (running work
dedups too); a job nobody polls for ``JOB_ABANDON_S`` is cancelled (killed if running, never
started if queued); a submission beyond ``JOB_QUEUE_MAX`` waiting jobs is answered "busy".
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from .budget import Budget
from .settings import Settings

log = logging.getLogger("explorer.jobs")

EXTENSION = "explorer.jobs"  # app.server.extensions[EXTENSION] is the app's JobService
# States a job record can be in; "busy" and "unavailable" are answers, never stored.
ACTIVE = ("queued", "running")
FAILED_TTL_S = 60.0  # a failed key is not retried by polls for this long (a time limit would hit again)
DONE_GRACE_S = 5.0  # "done" but the result is not in the cache yet: wait this long before resubmitting

JobFn = Callable[[dict, Callable[[str], None]], dict]


def job_id(kind: str, key: dict) -> str:
    """The same id for the same work, in every process (dedup key)."""
    text = kind + json.dumps(key, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass
class JobStatus:
    """What a poll answers (JSON-able; the page keeps a copy as the job handle)."""

    state: str  # queued, running, done, failed, cancelled, busy, unavailable
    job: str | None = None
    position: int = 0  # 1-based place in the queue (queued)
    waiting: int = 0  # jobs in the queue
    elapsed_s: float = 0.0  # running: since start; done: run time
    estimate_s: float | None = None
    message: str = ""
    summary: dict | None = None  # what the job says it computed (done)
    created: bool = False  # this call submitted it (a job the client thought running was lost)
    attempt: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CacheStats:
    """Physics-cache hits and misses of this process, flushed to the shared store now and then."""

    hits: int = 0
    misses: int = 0
    flushed_at: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, hit: bool) -> None:
        with self.lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def take(self) -> tuple[int, int]:
        with self.lock:
            out = (self.hits, self.misses)
            self.hits = self.misses = 0
            self.flushed_at = time.monotonic()
        return out


class JobService:
    """The interface; a back end implements ``_want``, ``release``, ``snapshot`` and ``_add_counts``."""

    name = "base"

    def __init__(self, settings: Settings | None):
        self.settings = settings  # None: a bare app's inline jobs (default budget)
        self.kinds: dict[str, JobFn] = {}
        self.budget = Budget(settings.job_max_mb * 2**20, settings.job_max_s) if settings else Budget()
        self.cache_stats = CacheStats()

    def register(self, kind: str, fn: JobFn) -> None:
        """``fn(key, progress) -> summary`` runs one job (in a pool child, a Celery worker or inline)."""
        self.kinds[kind] = fn

    def want(self, kind: str, key: dict, client: str, estimate_s: float | None = None) -> JobStatus:
        if kind not in self.kinds:
            raise KeyError(kind)
        try:
            return self._want(kind, key, client, estimate_s)
        except self.unavailable_errors() as exc:
            log.warning("job service unavailable: %s: %s", type(exc).__name__, exc)
            return JobStatus("unavailable", job_id(kind, key),
                             message="the job service is unreachable")

    def _want(self, kind: str, key: dict, client: str, estimate_s: float | None) -> JobStatus:
        raise NotImplementedError

    def release(self, job: str, client: str) -> None:
        """``client`` no longer wants ``job`` (its parameters changed)."""

    def snapshot(self) -> dict:
        """Queue depth, running jobs, pool size, manager health (for /metrics)."""
        return {}

    def count_cache(self, hit: bool) -> None:
        self.cache_stats.count(hit)
        if time.monotonic() - self.cache_stats.flushed_at > 2.0:
            self.flush_cache_stats()

    def flush_cache_stats(self) -> None:
        hits, misses = self.cache_stats.take()
        if hits or misses:
            try:
                self._add_counts({"cache_hits": hits, "cache_misses": misses})
            except Exception:  # noqa: BLE001 - metrics must never break a request
                log.debug("could not flush cache counters", exc_info=True)

    def _add_counts(self, counts: dict[str, int]) -> None:
        pass

    def counters(self) -> dict[str, float]:
        return {}

    @staticmethod
    def unavailable_errors() -> tuple[type[BaseException], ...]:
        return (OSError,)


class InlineJobs(JobService):
    """Jobs run in the request that asks for them (tests, a single user): no pool, no queue."""

    name = "inline"

    def __init__(self, settings: Settings | None):
        super().__init__(settings)
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def _want(self, kind, key, client, estimate_s):
        jid = job_id(kind, key)
        t0 = time.monotonic()
        try:
            summary = self.kinds[kind](key, lambda _msg: None)
        except Exception as exc:  # noqa: BLE001 - a failed job is a message in the page
            log.exception("job %s failed", kind)
            return JobStatus("failed", jid, message=str(exc)[:300], created=True)
        return JobStatus("done", jid, elapsed_s=time.monotonic() - t0, summary=summary, created=True)

    def _add_counts(self, counts):
        with self._lock:
            for k, v in counts.items():
                self._counts[k] = self._counts.get(k, 0) + v

    def counters(self):
        with self._lock:
            return dict(self._counts)


def make_service(settings: Settings, celery_app=None) -> JobService:
    """The job service for ``settings.background``."""
    if settings.background == "inline":
        log.info("jobs: inline (run in the request)")
        return InlineJobs(settings)
    if settings.background == "celery":
        from .celery_jobs import CeleryJobs

        celery_app = celery_app or make_celery(settings)
        log.info("jobs: Celery on %s", redacted(settings.redis_url))
        return CeleryJobs(settings, celery_app)
    from .pool import PoolJobs

    log.info("jobs: host pool of %d, queue %d, in %s", settings.job_pool_size, settings.job_queue_max,
             settings.jobs_dir)
    return PoolJobs(settings)


def service_of(app) -> JobService | None:
    """The JobService of a Dash app (None for a bare app: callers then run jobs inline)."""
    return app.server.extensions.get(EXTENSION)


def make_celery(settings: Settings, name: str = "explorer"):
    """The Celery app on ``settings.redis_url`` (broker and result backend).

    Bounded work with Celery's own tools (docs/serving.md): prefetch 1 and acks late (a worker
    holds one job at a time; a job of a killed worker goes back to the queue), soft and hard time
    limits per job, a fresh child after N jobs or M MB, short socket timeouts so that a Redis
    outage turns a request into a quick "unavailable" instead of a hung thread.
    """
    from celery import Celery

    if not settings.redis_url:
        raise ValueError("make_celery needs REDIS_URL")
    celery_app = Celery(name, broker=settings.redis_url, backend=settings.redis_url)
    celery_app.conf.update(
        broker_connection_retry_on_startup=True,
        broker_connection_retry=True,
        broker_connection_max_retries=None,  # a worker keeps reconnecting while Redis restarts
        broker_connection_timeout=2,
        broker_heartbeat=0,
        broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5,
                                  "visibility_timeout": int(settings.job_time_limit_s) + 60,
                                  "retry_on_timeout": True, "health_check_interval": 10},
        broker_pool_limit=4,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                                   "interval_step": 0.5, "interval_max": 1},
        redis_socket_connect_timeout=2,
        redis_socket_timeout=5,
        redis_retry_on_timeout=False,
        redis_backend_health_check_interval=10,
        result_backend_transport_options={"retry_policy": {"timeout": 3.0}},
        result_expires=3600,
        task_ignore_result=True,  # job state lives in the job records, not in Celery results
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=50,
        worker_max_memory_per_child=int(2 * settings.job_max_mb * 1024),  # KiB
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_soft_time_limit=settings.job_time_limit_s,
        task_time_limit=settings.job_time_limit_s + 10,
    )
    return celery_app


def redacted(url: str | None) -> str:
    """A Redis URL without its password, for logs."""
    if not url or "@" not in url:
        return url or ""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"
