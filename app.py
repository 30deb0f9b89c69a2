"""The Explorer's WSGI app: wiring only (settings, logging, cache, background jobs, layout,
callbacks, hardening).  The serving pieces live in ``infra.py``, the view in ``components``.

gunicorn serves ``app:server`` (see gunicorn.conf.py); ``python app.py`` runs the development
server on 127.0.0.1.  With ``BACKGROUND=celery`` the worker is
``celery -A app:celery_app worker``: it imports this module, which registers the background
callbacks as Celery tasks.
"""
from __future__ import annotations

import dash

import components
import infra
import settings as settings_module


def create_app(config: settings_module.Settings | None = None, celery_app=None) -> dash.Dash:
    config = config or settings_module.from_env()
    infra.configure_logging(config)
    if config.background == "celery" and celery_app is None:
        celery_app = infra.make_celery(config)
    app = dash.Dash(
        __name__,
        title="Nonlinear X-ray Spectra Explorer",
        url_base_pathname=config.url_base_pathname,
        suppress_callback_exceptions=False,
        health_endpoint="health",
        background_callback_manager=infra.background_manager(config, celery_app),
        enable_mcp=False,  # Dash 4's MCP server stays off (also overrides DASH_MCP_ENABLED)
    )
    app.server.config["SECRET_KEY"] = config.secret_key  # shared by all workers and replicas
    app.server.config["MAX_CONTENT_LENGTH"] = config.max_upload_bytes
    cache = infra.make_cache(app.server, config)
    app.layout = components.layout()
    components.register_callbacks(app, cache)
    infra.harden(app, config)  # after the callbacks: the CSP hashes their inline scripts
    infra.warm_up(app, config)  # Dash's one-time setup before the worker takes requests
    return app


_settings = settings_module.from_env()
celery_app = infra.make_celery(_settings) if _settings.background == "celery" else None
app = create_app(_settings, celery_app)
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
