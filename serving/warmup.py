"""Dash's one-time setup, run in each worker before it takes traffic."""
from __future__ import annotations

from .settings import Settings


def warm_up(app, settings: Settings) -> None:
    """Run Dash's one-time server setup now, in this process, before it takes traffic.

    Dash sets its "set up" flag at the start of the first request and registers the
    component libraries afterwards, so with gthread workers the browser's parallel script
    requests to a fresh worker can arrive meanwhile and get a 500 ("dash is not a registered
    library").  One internal request at start closes that window, and validates the layout.
    """
    with app.server.test_client() as client:
        reply = client.get(settings.url_base_pathname + "health")
    if reply.status_code != 200:
        raise RuntimeError(f"warm-up request failed with {reply.status_code}")
