"""The dashboard's view: one module per panel.  Nothing is registered at import time.

``layout()`` builds the page; ``register_callbacks(app, cache)`` registers every panel's
callbacks on the app it is given (each panel's ``register(app, cache)``).
"""
from __future__ import annotations

from dash import html

from . import (
    controls,
    difference,
    explanations,
    export,
    gain,
    linking,
    mb_jobs,
    model_spectra,
    presets,
    readouts,
    sharing,
    spectra,
    transmission,
    upload,
)

# Registration order does not matter to Dash; it is listed panel by panel for readers.
PANELS = (controls, presets, sharing, readouts, spectra, difference, model_spectra, mb_jobs, gain, transmission,
          export, upload, explanations, linking)


def layout():
    """The whole page (a function so that every page load gets a fresh tree)."""
    header = html.Header(
        [
            html.Div([
                html.H1("Nonlinear X-ray Spectra Explorer"),
                html.P("Stimulated RIXS/REXS and electron redistribution in a Co/Pd multilayer at the Co L3 edge "
                       "(778 eV) — after Higley et al., Nat. Commun. 13, 5969 (2022)", className="subtitle"),
            ], className="title"),
            presets.layout(),
            html.Div([sharing.copy_button(), linking.layout()], className="header-tools"),
        ],
        className="app-header",
    )
    sidebar = html.Aside([controls.layout(), upload.layout(), export.layout()], className="sidebar")
    figures = html.Div(
        [spectra.layout(), difference.layout(), model_spectra.layout(), gain.layout(), transmission.layout()],
        className="figure-grid",
    )
    main = html.Main([sharing.layout(), readouts.layout(), figures, explanations.layout()], className="content")
    return html.Div([header, html.Div([sidebar, main], className="app-body"), mb_jobs.stores()],
                    id=linking.ROOT, className="app")


def register_callbacks(app, cache) -> None:
    """Register every panel's callbacks on ``app`` with the shared flask-caching ``cache``."""
    for panel in PANELS:
        panel.register(app, cache)
