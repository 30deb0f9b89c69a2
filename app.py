"""The Explorer's WSGI app: wiring only (settings, cache, layout, callbacks).

gunicorn serves ``app:server``; ``python app.py`` runs the development server on 127.0.0.1.
"""
from __future__ import annotations

import logging

import dash
from flask_caching import Cache

import components
import settings as settings_module


def create_app(config: settings_module.Settings | None = None) -> dash.Dash:
    config = config or settings_module.from_env()
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = dash.Dash(
        __name__,
        title="Nonlinear X-ray Spectra Explorer",
        url_base_pathname=config.url_base_pathname,
        suppress_callback_exceptions=False,
        health_endpoint="health",
    )
    app.server.config["SECRET_KEY"] = config.secret_key
    app.server.config["MAX_CONTENT_LENGTH"] = config.max_upload_bytes
    cache = Cache(app.server, config={
        "CACHE_TYPE": config.cache_type,
        "CACHE_DIR": config.cache_dir,
        "CACHE_DEFAULT_TIMEOUT": config.cache_timeout_s,
        "CACHE_REDIS_URL": config.redis_url or "",
    })
    app.layout = components.layout()
    components.register_callbacks(app, cache)
    return app


app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
