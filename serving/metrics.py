"""``/metrics`` in the Prometheus text format: queue depth, running jobs, cache hits and misses,
degraded state.

Why a separate endpoint: ``/health`` must stay a constant ``OK`` for container health checks
(a full queue is no reason to restart the app), while the lab's monitoring (Prometheus, or a
`curl` in a cron job) wants numbers.  Counters live in the shared job store (SQLite or Redis), so
whichever worker answers the scrape reports the whole host (or the whole deployment).
"""
from __future__ import annotations

import logging
from typing import Any

import flask

from .jobs import JobService
from .settings import Settings

log = logging.getLogger("explorer.metrics")

_COUNTERS = {
    "submitted_total": ("explorer_jobs_submitted_total", "Jobs submitted (dedup: identical keys count once)."),
    "done_total": ("explorer_jobs_done_total", "Jobs finished with a result."),
    "failed_total": ("explorer_jobs_failed_total", "Jobs that failed (errors, time limits, killed processes)."),
    "cancelled_total": ("explorer_jobs_cancelled_total", "Jobs cancelled because nobody polled for them."),
    "timed_out_total": ("explorer_jobs_timed_out_total", "Jobs stopped at the time limit."),
    "busy_total": ("explorer_jobs_busy_total", "Submissions answered busy (queue full)."),
    "cache_hits": ("explorer_cache_hits_total", "Physics cache reads that found a value."),
    "cache_misses": ("explorer_cache_misses_total", "Physics cache reads that found nothing."),
}


def render(service: JobService, cache_backend: Any) -> str:
    lines: list[str] = []

    def metric(name: str, kind: str, help_: str, value: float, labels: str = "") -> None:
        if not any(ln.startswith(f"# TYPE {name} ") for ln in lines):
            lines.extend([f"# HELP {name} {help_}", f"# TYPE {name} {kind}"])
        lines.append(f"{name}{labels} {value:g}")

    service.flush_cache_stats()
    jobs_ok = True
    try:
        snap = service.snapshot()
        counters = service.counters()
    except Exception as exc:  # noqa: BLE001 - the scrape reports the outage instead of failing
        log.warning("metrics: job store unreachable: %s: %s", type(exc).__name__, exc)
        snap, counters, jobs_ok = {}, {}, False
    metric("explorer_jobs_queued", "gauge", "Jobs waiting for a worker.", snap.get("queued", 0))
    metric("explorer_jobs_running", "gauge", "Jobs running now.", snap.get("running", 0))
    if "pool_size" in snap:
        metric("explorer_job_pool_size", "gauge", "Jobs that may run at once on this host.", snap["pool_size"])
    metric("explorer_job_queue_max", "gauge", "Waiting jobs before submissions are answered busy.",
           snap.get("queue_max", 0))
    for key, (name, help_) in _COUNTERS.items():
        metric(name, "counter", help_, counters.get(key, 0))
    degraded = {
        "cache": bool(getattr(cache_backend, "degraded", False)),  # Redis down: local fallback cache
        "jobs": not jobs_ok or not snap.get("manager_up", True),  # job store or manager unreachable
        "queue_full": jobs_ok and snap.get("queued", 0) >= snap.get("queue_max", 1),
    }
    for reason, on in degraded.items():
        metric("explorer_degraded", "gauge", "1 while the service runs degraded, by reason.", int(on),
               f'{{reason="{reason}"}}')
    return "\n".join(lines) + "\n"


def register(app, settings: Settings, service: JobService, cache_backend: Any) -> None:
    server: flask.Flask = app.server

    def metrics_view() -> flask.Response:
        return flask.Response(render(service, cache_backend), mimetype="text/plain; version=0.0.4")

    server.add_url_rule(settings.url_base_pathname + "metrics", "explorer_metrics", metrics_view)
