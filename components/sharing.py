"""The whole view state in the URL query string, so that a link reopens the same view.

``?fluence_mj_cm2=9343&duration_fs=25&...&gain_axis=intensity&diff_units=transmission``.
Reading is lenient (physics.parameters.parse_all): bad or absurd values fall back to their
defaults and the page says which.  The URL is read once per page load (Input: pathname), and
rewritten (search) whenever the state changes; reading on pathname rather than on search keeps
the dependency graph acyclic.  An uploaded spectrum is user data and is not put in the URL.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, urlencode

from dash import Input, Output, State, dcc, html, no_update

from physics import parameters

from . import engine as eng
from .controls import CONTROL_IDS, to_control
from .difference import UNIT_CHOICES, UNITS
from .gain import AXIS, AXIS_CHOICES

LOCATION = "url"
NOTICE = "sharing-notice"
COPY = "sharing-copy"
MAX_QUERY_CHARS = 2000
VIEW_KEYS = MappingProxyType({"gain_axis": (AXIS, AXIS_CHOICES), "diff_units": (UNITS, UNIT_CHOICES)})


def encode_query(params: dict, gain_axis: Any = None, diff_units: Any = None) -> str:
    """Validated params (+ view options) -> '?a=b&...' with numbers written as short as exact."""
    q = {}
    for p in parameters.PARAMETERS:
        v = params[p.name]
        q[p.name] = f"{v:g}" if isinstance(v, float) else str(v)
    if gain_axis in AXIS_CHOICES and gain_axis != AXIS_CHOICES[0]:
        q["gain_axis"] = gain_axis
    if diff_units in UNIT_CHOICES and diff_units != UNIT_CHOICES[0]:
        q["diff_units"] = diff_units
    return "?" + urlencode(q)


def decode_query(search: Any) -> tuple[dict, dict, list[str]]:
    """'?…' -> (params, view options, notices).  Never raises; unknown keys are reported."""
    notices: list[str] = []
    view = {k: choices[0] for k, (_, choices) in VIEW_KEYS.items()}
    if not isinstance(search, str) or not search.strip("?"):
        return parameters.defaults(), view, notices
    if len(search) > MAX_QUERY_CHARS:
        return parameters.defaults(), view, [f"The link's query is longer than {MAX_QUERY_CHARS} characters; showing the defaults."]
    pairs = parse_qsl(search.lstrip("?"), keep_blank_values=True)
    raw: dict[str, str] = {}
    unknown = []
    for k, v in pairs:
        if k in view:
            _, choices = VIEW_KEYS[k]
            if v in choices:
                view[k] = v
            else:
                notices.append(f"{k} = {v[:40]!r} is not one of {', '.join(choices)}; using {choices[0]}.")
        elif k in parameters.BY_NAME:
            raw.setdefault(k, v)  # the first occurrence wins
        else:
            unknown.append(k[:40])
    params, errors = parameters.parse_all(raw)
    for exc in errors:
        p = parameters.BY_NAME[exc.name]
        notices.append(f"{p.label}: {exc.value!r} {exc.reason}; using the default {p.default:g}{(' ' + p.unit) if p.unit else ''}."
                       if not isinstance(p.default, str) else f"{p.label}: {exc.value!r} {exc.reason}; using {p.default}.")
    if unknown:
        notices.append("Ignored unknown link fields: " + ", ".join(sorted(set(unknown))[:5]) + ".")
    # Quantize as the controls would, so that the first state equals what the sliders show.
    params = {k: parameters.quantize(k, v) for k, v in params.items()}
    return params, view, notices


def restore(pathname: Any, search: Any):
    """Page load: URL -> every control value, the view toggles and a notice."""
    params, view, notices = decode_query(search)
    notice = ("Some link values were not usable: " + " ".join(notices)) if notices else ""
    return (*(to_control(n, params[n]) for n in CONTROL_IDS), view["gain_axis"], view["diff_units"], notice)


def write(params_data: Any, gain_axis: Any, diff_units: Any):
    params, error = eng.params_from_store(params_data)
    if error:
        return no_update
    return encode_query(params, gain_axis, diff_units)


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id=LOCATION, refresh=False),
            html.Div(id=NOTICE, className="notice", role="alert"),
        ],
        id="sharing-panel",
    )


def copy_button() -> html.Div:
    return html.Div([dcc.Clipboard(id=COPY, title="Copy a link to this view", className="copy-link"),
                     html.Span("Copy link to this view", className="copy-label")], className="share")


def register(app, cache) -> None:
    app.callback(
        *[Output(CONTROL_IDS[n], "value") for n in CONTROL_IDS],
        Output(AXIS, "value"), Output(UNITS, "value"), Output(NOTICE, "children"),
        Input(LOCATION, "pathname"), State(LOCATION, "search"),
    )(restore)
    app.callback(
        Output(LOCATION, "search"),
        Input("state-params", "data"), Input(AXIS, "value"), Input(UNITS, "value"),
        prevent_initial_call=True,
    )(write)
    # The clipboard copies the address bar (which the callback above keeps up to date).
    app.clientside_callback(
        "function(n) { return window.location.href; }",
        Output(COPY, "content"), Input(COPY, "n_clicks"), prevent_initial_call=True,
    )
