"""Controls panel: one slider per physics parameter, generated from physics.parameters.

Ranges, defaults, units, steps and help texts come from ``PARAMETERS`` only.  The fluence slider
works in log10(fluence / mJ cm^-2) so that 0.1-10000 mJ/cm^2 is usable; its marks are labelled
in mJ/cm^2.  Sliders fire on release (``value``); ``drag_value`` drives the live readout.
The validated, quantized parameters go into the ``state-params`` store that feeds every figure.
"""
from __future__ import annotations

import json
import math
from types import MappingProxyType
from typing import Any, Mapping

from dash import Input, Output, State, dcc, html, no_update

from physics import parameters
from physics.parameters import BY_NAME, PARAMETERS

from .common import fmt
from .engine import BAD_INPUT, finite_float, params_from_store

PARAMS_STORE = "state-params"
NOTICE = "controls-notice"
# Parameter name -> component id (namespaced by this panel).
CONTROL_IDS = MappingProxyType({
    "fluence_mj_cm2": "controls-fluence",
    "duration_fs": "controls-duration",
    "center_ev": "controls-center",
    "bandwidth_ev": "controls-bandwidth",
    "thickness_nm": "controls-thickness",
    "resolution_ev": "controls-resolution",
    "spike_bandwidth_ev": "controls-spike",
    "seed": "controls-seed",
    "n_pulses": "controls-npulses",
    "spectrum_mode": "controls-mode",
})
LOG_STEP = 1e-5  # log10 step: every 4-significant-digit fluence (7500, 1335, 9343) survives the round trip
MODE_LABELS = MappingProxyType({"mean": "SASE ensemble mean", "single": "single SASE shot"})


def control_prop(name: str) -> str:
    return "value"


def to_control(name: str, value: Any) -> Any:
    """Physical value -> what the control holds (log10 for log-scaled parameters)."""
    p = BY_NAME[name]
    if p.scale == "log":
        return round(math.log10(float(value)), 5)
    return value


def from_control(name: str, raw: Any) -> Any:
    """Control value -> validated, quantized physical value; raises ParameterError.

    A log slider's raw value is checked against log10 of the bounds *before* 10**x so a forged
    value cannot overflow or be silently clamped.
    """
    p = BY_NAME[name]
    if p.scale == "log":
        raw = finite_float(raw)
        if raw is None:
            raise parameters.ParameterError(name, raw, f"must be a number ({p.range_text})")
        lo, hi = math.log10(p.minimum), math.log10(p.maximum)
        if not (lo - 1e-9 <= raw <= hi + 1e-9):
            raise parameters.ParameterError(name, raw, f"log10 value outside {lo:g}..{hi:g} ({p.range_text})")
        raw = min(max(10.0 ** raw, p.minimum), p.maximum)
    if p.kind is not str and not isinstance(raw, bool) and isinstance(raw, (int, float)):
        f = finite_float(raw)  # huge ints would overflow inside validate
        if f is None:
            raise parameters.ParameterError(name, "…", f"must be a finite number ({p.range_text})")
        if p.kind is int and f.is_integer():
            raw = int(f)
    value = parameters.validate(name, raw)
    return parameters.validate(name, parameters.quantize(name, value))


def params_from_controls(values: Mapping[str, Any]) -> tuple[dict | None, str | None]:
    """All control values -> (validated params, None) or (None, message)."""
    out = {}
    for name in CONTROL_IDS:
        try:
            out[name] = from_control(name, values.get(name))
        except parameters.ParameterError as exc:
            p = BY_NAME[name]
            return None, f"{p.label}: {exc.reason}. The figures keep the last valid state."
        except BAD_INPUT:
            return None, f"{BY_NAME[name].label}: not a usable value. The figures keep the last valid state."
    return out, None


def _fluence_marks() -> dict:
    p = BY_NAME["fluence_mj_cm2"]
    lo, hi = int(math.ceil(math.log10(p.minimum))), int(math.floor(math.log10(p.maximum)))
    labels = {-1: "0.1", 0: "1", 1: "10", 2: "100", 3: "1000", 4: "10⁴"}
    return {k: labels.get(k, f"1e{k}") for k in range(lo, hi + 1)}


def _linear_marks(p: parameters.Parameter, n: int = 5) -> dict:
    span = p.maximum - p.minimum
    raw = span / (n - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(p.minimum / step) * step
    marks = {}
    x = start
    while x <= p.maximum + 1e-9:
        key = int(x) if float(x).is_integer() else round(x, 6)
        marks[key] = f"{x:g}"
        x += step
    for end in (p.minimum, p.maximum):  # label both ends unless a nice mark sits right next to it
        if all(abs(end - k) > 0.3 * step for k in marks):
            marks[int(end) if float(end).is_integer() else end] = f"{end:g}"
    return dict(sorted(marks.items()))


def help_icon(p: parameters.Parameter) -> html.Span:
    """A keyboard-focusable (?) with the parameter's help; CSS shows it as a tooltip."""
    return html.Span("?", className="help", tabIndex="0", title=p.help, **{"aria-label": p.help, "data-help": p.help})


def _label(p: parameters.Parameter, readout_id: str) -> html.Div:
    unit = f" ({p.unit})" if p.unit else ""
    return html.Div(
        [html.Label(f"{p.label}{unit}", htmlFor=CONTROL_IDS[p.name]), help_icon(p),
         html.Output(id=readout_id, className="live-value", children=_readout(p.name, p.default))],
        className="control-label",
    )


def _readout(name: str, value: Any) -> str:
    p = BY_NAME[name]
    if p.kind is str:
        return MODE_LABELS.get(value, str(value))
    if p.kind is int:
        return f"{int(value)}"
    unit = f" {p.unit}" if p.unit else ""
    if name == "fluence_mj_cm2":
        return f"{fmt(float(value), 4)}{unit}"
    return f"{float(value):g}{unit}"


def _control(p: parameters.Parameter):
    cid = CONTROL_IDS[p.name]
    readout = cid + "-value"
    if p.kind is str:
        widget = dcc.RadioItems(
            id=cid, value=p.default, inline=True, className="radio",
            options=[{"label": MODE_LABELS.get(c, c), "value": c} for c in p.choices],
        )
    elif p.name == "seed":
        widget = dcc.Input(id=cid, type="number", value=p.default, min=p.minimum, max=p.maximum, step=1,
                           debounce=True, className="number-input", inputMode="numeric")
    elif p.scale == "log":
        widget = dcc.Slider(
            id=cid, min=round(math.log10(p.minimum), 6), max=round(math.log10(p.maximum), 6), step=LOG_STEP,
            value=to_control(p.name, p.default), marks=_fluence_marks(), allow_direct_input=False,
            updatemode="mouseup", className="slider",
        )
    else:
        widget = dcc.Slider(
            id=cid, min=p.minimum, max=p.maximum, step=p.step or 1, value=p.default,
            marks=_linear_marks(p), allow_direct_input=False, updatemode="mouseup", className="slider",
        )
    return html.Div([_label(p, readout), widget], className="control", id=cid + "-row")


def layout() -> html.Section:
    basic = [_control(p) for p in PARAMETERS if not p.advanced]
    advanced = [_control(p) for p in PARAMETERS if p.advanced]
    return html.Section(
        [
            html.H2("Pulse and sample"),
            html.Div(id="controls-intensity", className="derived"),
            *basic,
            html.Details([html.Summary("Advanced: sample, spectrometer, SASE statistics"), *advanced],
                         className="advanced", id="controls-advanced"),
            html.Div(id=NOTICE, className="notice", role="status"),
            dcc.Store(id=PARAMS_STORE, data=None),
        ],
        className="panel controls", id="controls-panel", **{"aria-label": "controls"},
    )


def update_params(*raw_values):
    """Control values (in CONTROL_IDS order) -> (params store, notice)."""
    values = dict(zip(CONTROL_IDS, raw_values))
    params, error = params_from_controls(values)
    if error:
        return no_update, error
    return params, ""


def live_readout(name: str):
    """drag_value (or value) -> the live label; forged values show a dash, never an error."""
    def readout(drag, value):
        raw = drag if drag is not None else value
        try:
            return _readout(name, from_control(name, raw))
        except BAD_INPUT:
            return "—"
    return readout


def fluence_from_click(click: Any, params_data: Any, *, x_is_intensity: bool):
    """Click on a curve (x = fluence, or intensity F/tau) -> fluence slider value (log10).

    Anything unusable (forged click data, bad store) gives no_update; the result is clamped to
    the fluence bounds and quantized like a slider position.
    """
    params, error = params_from_store(params_data)
    if error or not isinstance(click, dict):
        return no_update
    pts = click.get("points")
    if not isinstance(pts, list) or not pts or not isinstance(pts[0], dict):
        return no_update
    x = finite_float(pts[0].get("x"))
    if x is None or x <= 0:
        return no_update
    fluence = x * params["duration_fs"] if x_is_intensity else x
    p = BY_NAME["fluence_mj_cm2"]
    fluence = min(max(float(fluence), p.minimum), p.maximum)
    return to_control("fluence_mj_cm2", parameters.quantize("fluence_mj_cm2", fluence))


def register(app, cache) -> None:
    app.callback(
        Output(PARAMS_STORE, "data"),
        Output(NOTICE, "children"),
        [Input(CONTROL_IDS[n], "value") for n in CONTROL_IDS],
    )(update_params)
    for p in PARAMETERS:
        cid = CONTROL_IDS[p.name]
        if p.kind is not str and p.name != "seed":
            # Sliders: the live label follows drag_value in the browser (no request per drag event);
            # unit, scale and bounds come from the parameter definition.
            app.clientside_callback(
                "function (drag, value) { return window.dash_clientside.explorer.readout("
                f"drag, value, {json.dumps(p.unit)}, {json.dumps(p.scale)}, {json.dumps(p.kind is int)}, "
                f"{float(p.minimum)!r}, {float(p.maximum)!r}); }}",
                Output(cid + "-value", "children"),
                Input(cid, "drag_value"),
                State(cid, "value"),
            )
        else:
            app.callback(
                Output(cid + "-value", "children"),
                Input(cid, "value"),
                State(cid, "id"),
            )(lambda v, _id, _n=p.name: live_readout(_n)(None, v))
    app.clientside_callback(
        "function (f, d, fd, dd) { return window.dash_clientside.explorer.intensity(f, d, fd, dd, "
        f"{math.log10(BY_NAME['fluence_mj_cm2'].minimum)!r}, {math.log10(BY_NAME['fluence_mj_cm2'].maximum)!r}, "
        f"{BY_NAME['duration_fs'].minimum!r}, {BY_NAME['duration_fs'].maximum!r}); }}",
        Output("controls-intensity", "children"),
        Input(CONTROL_IDS["fluence_mj_cm2"], "value"),
        Input(CONTROL_IDS["duration_fs"], "value"),
        Input(CONTROL_IDS["fluence_mj_cm2"], "drag_value"),
        Input(CONTROL_IDS["duration_fs"], "drag_value"),
    )
