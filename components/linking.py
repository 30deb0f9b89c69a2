"""Figure linking and view options, done in the browser (assets/explorer.js).

* Zooming the energy axis of one spectral figure zooms the other two (no server round trip).
* The large-text switch enlarges the page (CSS class); the figures follow via their callbacks.
"""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, dcc, html

SPECTRAL_GRAPHS = ("spectra-graph", "difference-graph", "model-graph")
LARGE = "view-large"
ROOT = "app-root"


def layout() -> html.Div:
    return html.Div([
        dcc.Checklist(id=LARGE, options=[{"label": " Large text (projector)", "value": "large"}], value=[],
                      className="large-toggle", inputClassName="large-input"),
        dcc.Store(id="linking-sync"),
    ], className="view-options")


def register(app, cache) -> None:
    app.clientside_callback(
        ClientsideFunction("explorer", "syncZoom"),
        Output("linking-sync", "data"),
        [Input(g, "relayoutData") for g in SPECTRAL_GRAPHS],
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("explorer", "rootClass"),
        Output(ROOT, "className"),
        Input(LARGE, "value"),
    )
