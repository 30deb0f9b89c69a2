"""The dashboard's view: one module per panel.  Nothing is registered at import time.

``layout()`` builds the page; ``register_callbacks(app, cache)`` registers every panel's
callbacks on the app it is given.
"""
from __future__ import annotations

from dash import html


def layout():
    """Placeholder page until the dashboard lands."""
    return html.Main([html.H1("Nonlinear X-ray Spectra Explorer"), html.P("The dashboard is being built.")])


def register_callbacks(app, cache) -> None:
    """Register every panel's callbacks on ``app`` (none yet)."""
    return None
