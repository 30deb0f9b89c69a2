"""A play button that animates one slider of a page between its bounds, in the browser.

Generic: "animate slider ``name`` of page ``spec``" (the delay of the magnetic-scattering page; a
fluence sweep would use the same).  A dcc.Interval ticks while playing; each tick moves the slider
one frame (assets/explorer.js ``stepSlider``), which then updates the page exactly as a user's
release of the slider does (validation, URL, figures).  A tick is skipped while the page is still
drawing the previous frame (Dash marks components loading; a page can also name a value that
changes once a frame is drawn), so the animation never outruns the server.  The button pauses at any
point (keyboard: Enter/Space), and the animation stops at the upper bound; playing again from
there starts at the lower bound.
"""
from __future__ import annotations

import json

from dash import Input, Output, State, dcc, html

from . import ids
from .controls import kind_of, to_control
from .page_spec import PageSpec

PLAY, PAUSE = "▶ Play", "⏸ Pause"


def button_id(page: str, name: str) -> str:
    return f"{page}-{name}-play"


def interval_id(page: str, name: str) -> str:
    return f"{page}-{name}-play-interval"


def layout(page: str, name: str, *, what: str = "", period_ms: int = 250) -> html.Div:
    """The play button and its (disabled) interval, to put next to the slider."""
    title = f"Animate {what or name} from its lower to its upper bound (pause at any point)"
    return html.Div([
        html.Button(PLAY, id=button_id(page, name), className="button secondary play-button", title=title,
                    **{"aria-label": title}),
        dcc.Interval(id=interval_id(page, name), interval=period_ms, disabled=True, n_intervals=0),
    ], className="play-row")


def frame_step(spec: PageSpec, name: str, frames: int) -> float:
    """Slider-space step of one frame (the slider's log10/asinh space for transformed scales)."""
    p = spec.params.by_name[name]
    return (to_control(p, p.maximum) - to_control(p, p.minimum)) / frames


def register(app, spec: PageSpec, name: str, *, frames: int = 60, ready: tuple[str, str] | None = None,
             max_wait_ticks: int = 12) -> None:
    """Animate slider ``name`` of ``spec`` over ``frames`` steps.  ``ready``: (component id, prop)
    whose value changes once the page has drawn a frame (e.g. a figure's note); the next frame
    waits for it, at most ``max_wait_ticks`` ticks."""
    p = spec.params.by_name[name]
    if kind_of(p) != ids.SLIDER:
        raise ValueError(f"{name} is not a slider of page {spec.name}")
    slider = ids.control(spec.name, name, ids.SLIDER)
    button, interval = button_id(spec.name, name), interval_id(spec.name, name)
    meta = json.dumps({"lo": to_control(p, p.minimum), "hi": to_control(p, p.maximum),
                       "step": frame_step(spec, name, frames), "play": PLAY, "pause": PAUSE,
                       "key": button, "gated": ready is not None, "maxWait": max_wait_ticks}, ensure_ascii=False)
    ready_state = [State(*ready)] if ready else []
    app.clientside_callback(
        "function (n, disabled, value) { return window.dash_clientside.explorer.toggleAnimation(n, disabled, value, "
        + meta + "); }",
        Output(interval, "disabled"), Output(button, "children"), Output(slider, "value", allow_duplicate=True),
        Input(button, "n_clicks"), State(interval, "disabled"), State(slider, "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function (n, value, ready) { return window.dash_clientside.explorer.stepSlider(n, value, ready, "
        + meta + "); }",
        Output(slider, "value", allow_duplicate=True), Output(interval, "disabled", allow_duplicate=True),
        Output(button, "children", allow_duplicate=True),
        Input(interval, "n_intervals"), State(slider, "value"), *ready_state,
        prevent_initial_call=True,
    )
