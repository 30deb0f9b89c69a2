"""Figure views kept in the browser (assets/explorer.js ``trackView``): the user's zoom and pan of
every figure go into ``ids.VIEW``, which the figure callbacks apply (``engine.apply_view``) so that
a parameter change never resets them; zooming the energy axis of one spectral figure zooms the
others (no server round trip).  A double click returns a figure to its full range."""
from __future__ import annotations

import json

from dash import Input, Output, State, dcc

from . import ids
from .common import ENERGY_RANGE_EV


def store() -> dcc.Store:
    return dcc.Store(id=ids.VIEW, data={})


def register(app) -> None:
    graphs = [g.id for g in ids.GRAPHS.values()]
    app.clientside_callback(
        "function () { return window.dash_clientside.explorer.trackView(arguments, "
        + json.dumps({"spectral": list(ids.SPECTRAL_GRAPHS), "energy": list(ENERGY_RANGE_EV)}) + "); }",
        Output(ids.VIEW, "data"),
        [Input(g, "relayoutData") for g in graphs],
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
