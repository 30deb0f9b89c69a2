"""Dismissible notices: every notice area of a page gets its close button's callback here.

A notice is written by ``common.notice(text, kind, target=...)`` (an icon, the text, a style by
kind and a close button whose pattern id names its area).  Closing empties that area in the
browser (no request); the next message shows again.
"""
from __future__ import annotations

import json

from dash import ALL, Input, Output

from .common import NOTICE_DISMISS


def register(app, targets: tuple[str, ...]) -> None:
    app.clientside_callback(
        "function (clicks) { return window.dash_clientside.presentation.dismissNotice("
        + json.dumps(list(targets)) + "); }",
        [Output(t, "children", allow_duplicate=True) for t in targets],
        Input({"type": NOTICE_DISMISS, "notice": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
