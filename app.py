"""The Explorer's WSGI app: wiring only (settings, logging, cache, background jobs, pages,
callbacks, hardening).  Serving pieces live in ``serving/``, the pages in ``pages/``, the view in
``components/``.

``create_app(settings)`` builds an app; gunicorn, the tests and the benchmarks all use it.
Importing this module creates nothing: ``app:server`` (gunicorn) and ``app:celery_app`` (the
Celery worker) are built on first access (PEP 562), once per process.
``python app.py`` runs the development server on 127.0.0.1 (debug off) with the job pool's manager.
"""
from __future__ import annotations

import functools

import dash

import pages
from components import shell
from serving import cache as cache_module
from serving import jobs, logs, metrics, security, warmup
from serving import settings as settings_module


def create_app(config: settings_module.Settings | None = None, celery_app=None) -> dash.Dash:
    config = config or settings_module.from_env()
    logs.configure_logging(config)
    if config.background == "celery" and celery_app is None:
        celery_app = jobs.make_celery(config)
    app = dash.Dash(
        __name__,
        title="Nonlinear X-ray Spectra Explorer",
        url_base_pathname=config.url_base_pathname,
        suppress_callback_exceptions=False,
        health_endpoint="health",
        enable_mcp=False,  # Dash 4's MCP server stays off (also overrides DASH_MCP_ENABLED)
        use_pages=True,
        pages_folder="",  # pages are registered below (pages.register), not imported from a folder
    )
    app.server.config["SECRET_KEY"] = config.secret_key  # shared by all workers and replicas
    app.server.config["MAX_CONTENT_LENGTH"] = config.max_upload_bytes
    service = jobs.make_service(config, celery_app)  # the Maxwell-Bloch jobs (pool, Celery or inline)
    app.server.extensions[jobs.EXTENSION] = service
    cache = cache_module.make_cache(app.server, config)
    backend = cache_module.backend_of(cache)
    if hasattr(backend, "on_get"):
        backend.on_get = service.count_cache
    pages.register(app, cache)
    app.layout = shell.layout(pages.nav_entries())
    shell.register(app, pages.nav_entries())
    metrics.register(app, config, service, backend)
    security.harden(app, config)  # after the callbacks: the CSP hashes their inline scripts
    warmup.warm_up(app, config)  # Dash's one-time setup (incl. the pages router) before the worker takes requests
    return app


@functools.cache
def _process_app() -> tuple[dash.Dash, object]:
    """The one app of a serving process (gunicorn worker or Celery worker)."""
    config = settings_module.from_env()
    celery_app = jobs.make_celery(config) if config.background == "celery" else None
    return create_app(config, celery_app), celery_app


def __getattr__(name: str):
    if name == "app":
        return _process_app()[0]
    if name == "server":
        return _process_app()[0].server
    if name == "celery_app":
        return _process_app()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    import os

    from serving import pool

    manager = pool.start_manager_process(os.getpid())  # the job pool, as gunicorn.conf.py starts it
    try:
        create_app().run(host="127.0.0.1", port=8050, debug=False)
    finally:
        pool.stop_manager_process(manager)
