"""Background jobs: Dash background callbacks on diskcache (embedded default) or Celery.

The Celery worker is started with ``celery -A serving.worker worker``: that module builds the
app, which registers the background callbacks as Celery tasks.
"""
from __future__ import annotations

import logging
import os

from .settings import Settings

log = logging.getLogger("explorer.jobs")

def make_celery(settings: Settings, name: str = "explorer"):
    """The Celery app on ``settings.redis_url`` (broker and result backend).

    Timeouts are short so that a Redis outage turns a background request into a quick
    503 instead of a hung worker thread.
    """
    from celery import Celery

    if not settings.redis_url:
        raise ValueError("make_celery needs REDIS_URL")
    celery_app = Celery(name, broker=settings.redis_url, backend=settings.redis_url)
    celery_app.conf.update(
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5,
                                  "visibility_timeout": 3600},
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                                   "interval_step": 0.5, "interval_max": 1},
        redis_socket_connect_timeout=2,
        redis_socket_timeout=5,
        redis_retry_on_timeout=False,
        result_backend_transport_options={"retry_policy": {"timeout": 3.0}},
        result_expires=3600,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        task_time_limit=600,
    )
    return celery_app


def background_manager(settings: Settings, celery_app=None):
    """The Dash background-callback manager: diskcache (default), Celery, or None (inline)."""
    if settings.background == "inline":
        log.info("background callbacks: inline (run in the request)")
        return None
    if settings.background == "celery":
        from dash import CeleryManager

        celery_app = celery_app or make_celery(settings)
        log.info("background callbacks: Celery on %s", _redacted(settings.redis_url))
        return CeleryManager(celery_app, expire=3600)
    import diskcache
    from dash import DiskcacheManager

    os.makedirs(settings.diskcache_dir, exist_ok=True)
    log.info("background callbacks: diskcache in %s", settings.diskcache_dir)
    return DiskcacheManager(diskcache.Cache(settings.diskcache_dir), expire=3600)


def _redacted(url: str | None) -> str:
    """A Redis URL without its password, for logs."""
    if not url or "@" not in url:
        return url or ""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"
