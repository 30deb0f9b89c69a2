"""Figure linking on the spectra page, done in the browser (assets/explorer.js): zooming the
energy axis of one spectral figure zooms the others (no server round trip)."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, dcc

from . import ids

SYNC = "linking-sync"


def store() -> dcc.Store:
    return dcc.Store(id=SYNC)


def register(app) -> None:
    app.clientside_callback(
        ClientsideFunction("explorer", "syncZoom"),
        Output(SYNC, "data"),
        [Input(g, "relayoutData") for g in ids.SPECTRAL_GRAPHS],
        prevent_initial_call=True,
    )
