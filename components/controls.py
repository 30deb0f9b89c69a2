"""Controls panel of a page: one control per parameter, generated from the page's definition.

Ranges, defaults, units, steps and help texts come from the parameter definition only (see
``page_spec``).  Log-scaled parameters get a slider in log10 space (0.1-10000 mJ/cm^2 is usable)
labelled in physical units.  Every control has a pattern-matching id (``ids.control``), so the
callbacks map values to parameters by name.

The hot path is in the browser (assets/explorer.js ``live``): control values -> quantized
parameters -> the page's parameter store (committed values: URL, background jobs, exports) and
the live stores of the panels on screen (every figure reads its own), with at most one update in
flight.  While a slider is dragged the browser follows its thumb (no Dash callback per pointer
event); ``value`` commits on release.  One server round trip per update, and a drag never queues
stale requests.  The server checks every value again (the figures validate their store) and
answers the controls with a notice when a value is unusable.
"""
from __future__ import annotations

import json
import math
from typing import Any, Mapping

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from . import ids
from .common import fmt
from .page_spec import PageSpec
from .validation import BAD_INPUT, finite_float

LOG_STEP = 1e-5  # log10 step: every 4-significant-digit fluence (7500, 1335, 9343) survives the round trip


def kind_of(p) -> str:
    if p.kind is str:
        return ids.CHOICE
    if p.kind is int and p.maximum is not None and p.maximum - (p.minimum or 0) > 1000:
        return ids.NUMBER  # e.g. a random seed: typed, not slid
    return ids.SLIDER


def to_control(p, value: Any) -> Any:
    """Physical value -> what the control holds (log10 for log-scaled parameters)."""
    if p.scale == "log":
        return round(math.log10(float(value)), 5)
    return value


def from_control(spec: PageSpec, name: str, raw: Any) -> Any:
    """Control value -> validated, quantized physical value; raises the definition's ParameterError.

    A log slider's raw value is checked against log10 of the bounds *before* 10**x so that a
    forged value cannot overflow or be silently clamped.
    """
    defs = spec.params
    p = defs.BY_NAME[name]
    if p.scale == "log":
        raw = finite_float(raw)
        if raw is None:
            raise defs.ParameterError(name, raw, f"must be a number ({p.range_text})")
        lo, hi = math.log10(p.minimum), math.log10(p.maximum)
        if not (lo - 1e-9 <= raw <= hi + 1e-9):
            raise defs.ParameterError(name, raw, f"log10 value outside {lo:g}..{hi:g} ({p.range_text})")
        raw = min(max(10.0 ** raw, p.minimum), p.maximum)
    if p.kind is not str and not isinstance(raw, bool) and isinstance(raw, (int, float)):
        f = finite_float(raw)  # huge ints would overflow inside validate
        if f is None:
            raise defs.ParameterError(name, "…", f"must be a finite number ({p.range_text})")
        if p.kind is int and f.is_integer():
            raw = int(f)
    value = defs.validate(name, raw)
    return defs.validate(name, defs.quantize(name, value))


def params_from_controls(spec: PageSpec, values: Mapping[str, Any]) -> tuple[dict | None, str | None]:
    """Control values by parameter name -> (validated params, None) or (None, message)."""
    out = {}
    for p in spec.parameters():
        try:
            out[p.name] = from_control(spec, p.name, values.get(p.name))
        except spec.params.ParameterError as exc:
            return None, f"{p.label}: {exc.reason}. The figures keep the last valid state."
        except BAD_INPUT:
            return None, f"{p.label}: not a usable value. The figures keep the last valid state."
    return out, None


def values_by_name(id_list: Any, values: Any) -> dict[str, Any]:
    """Pair the ids of an ALL pattern (``ctx.inputs_list`` / ``outputs_list``) with their values."""
    out: dict[str, Any] = {}
    if not isinstance(id_list, list) or not isinstance(values, list):
        return out
    for entry, value in zip(id_list, values):
        cid = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(cid, dict) and isinstance(cid.get("name"), str):
            out[cid["name"]] = value
    return out


def control_values(spec: PageSpec, params: Mapping[str, Any], id_list: list) -> list:
    """Values for an ALL output of the page's controls, in the order Dash lists them."""
    by = spec.params.BY_NAME
    out = []
    for entry in id_list:
        name = entry["id"]["name"]
        out.append(to_control(by[name], params[name]) if name in params else no_update)
    return out


def _log_marks(p) -> dict:
    lo, hi = int(math.ceil(math.log10(p.minimum))), int(math.floor(math.log10(p.maximum)))
    return {k: (f"{10.0 ** k:g}" if k < 4 else f"10{str(k).translate(_SUPERSCRIPT)}") for k in range(lo, hi + 1)}


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _linear_marks(p, n: int = 5) -> dict:
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


def help_icon(p) -> html.Span:
    """A keyboard-focusable (?) with the parameter's help; CSS shows it as a tooltip."""
    return html.Span("?", className="help", tabIndex="0", title=p.help, **{"aria-label": p.help, "data-help": p.help})


def readout_text(spec: PageSpec, name: str, value: Any) -> str:
    """The live label of a control (assets/explorer.js ``readout`` mirrors it while dragging)."""
    p = spec.params.BY_NAME[name]
    if p.kind is str:
        return spec.label_of(name, value)
    if p.kind is int:
        return f"{int(value)}"
    unit = f" {p.unit}" if p.unit else ""
    if p.scale == "log":
        return f"{fmt(float(value), 4)}{unit}"
    return f"{float(value):g}{unit}"


def _control(spec: PageSpec, p, value: Any) -> html.Div:
    kind = kind_of(p)
    cid = ids.control(spec.name, p.name, kind)
    if kind == ids.CHOICE:
        widget = dcc.RadioItems(
            id=cid, value=value, inline=True, className="radio",
            options=[{"label": spec.label_of(p.name, c), "value": c} for c in p.choices],
        )
    elif kind == ids.NUMBER:
        widget = dcc.Input(id=cid, type="number", value=value, min=p.minimum, max=p.maximum, step=1,
                           debounce=True, className="number-input", inputMode="numeric")
    elif p.scale == "log":
        widget = dcc.Slider(
            id=cid, min=round(math.log10(p.minimum), 6), max=round(math.log10(p.maximum), 6), step=LOG_STEP,
            value=to_control(p, value), marks=_log_marks(p), allow_direct_input=False,
            updatemode="mouseup", className="slider",
        )
    else:
        widget = dcc.Slider(
            id=cid, min=p.minimum, max=p.maximum, step=p.step or 1, value=value,
            marks=_linear_marks(p), allow_direct_input=False, updatemode="mouseup", className="slider",
        )
    unit = f" ({p.unit})" if p.unit else ""
    label_children: list = [html.Label(f"{p.label}{unit}"), help_icon(p)]
    if kind == ids.SLIDER:
        label_children.append(html.Output(id=ids.readout(spec.name, p.name), className="live-value",
                                          children=readout_text(spec, p.name, value)))
    return html.Div([html.Div(label_children, className="control-label"), widget], className="control",
                    id=ids.control_row(spec.name, p.name))


def layout(spec: PageSpec, params: Mapping[str, Any], *, link_issues: Mapping[str, str] | None = None,
           extra: list | None = None) -> html.Section:
    """The controls of ``spec`` set to ``params`` (validated), with the store already filled so
    that the figures draw on page load without waiting for a first control event."""
    basic = [_control(spec, p, params[p.name]) for p in spec.parameters() if not p.advanced]
    advanced = [_control(spec, p, params[p.name]) for p in spec.parameters() if p.advanced]
    issues = dict(link_issues or {})
    children: list = [html.H2(spec.controls_title), *(extra or []), *basic]
    if advanced:
        children.append(html.Details([html.Summary(spec.advanced_title), *advanced], className="advanced",
                                     id=f"{spec.name}-controls-advanced"))
    children += [
        html.Div(id=ids.controls_notice(spec.name), className="notice", role="status"),
        dcc.Store(id=spec.params_store, data=dict(params)),
        dcc.Store(id=ids.live_sync(spec.name)),
        dcc.Store(id=ids.controls_check(spec.name)),
        dcc.Store(id=ids.link_issues(spec.name), data=issues),
    ]
    return html.Section(children, className="panel controls", id=controls_panel(spec),
                        **{"aria-label": "controls"})


def controls_panel(spec: PageSpec) -> str:
    return f"{spec.name}-controls-panel"


def link_notice_text(issues: Any) -> str:
    if not isinstance(issues, dict) or not issues:
        return ""
    return "Some link values were not usable: " + " ".join(str(v)[:300] for v in list(issues.values())[:12])


def update_state(spec: PageSpec, values: Mapping[str, Any], changed: str | None, issues: Any):
    """Control values by name -> (params store, notice, link issues, link notice).

    ``changed`` is the parameter the user just set: its link problem, if any, is gone now.
    """
    params, error = params_from_controls(spec, values)
    if isinstance(issues, dict) and changed in issues:
        issues = {k: v for k, v in issues.items() if k != changed}
        issue_out, text_out = issues, link_notice_text(issues)
    else:
        issue_out = text_out = no_update
    if error:
        return no_update, error, issue_out, text_out
    return params, "", issue_out, text_out


def make_update(spec: PageSpec):
    """Callback body: (check request, the controls' values, link issues) -> (notice, link issues,
    link notice).  The browser asks for a check only when a value is unusable, a notice is up or
    the link had problems (``liveControls``): an ordinary change costs no request here."""
    def update(check, values, issues):
        got = values_by_name(ctx.states_list[0] if ctx.states_list else [], values)
        changed = check.get("changed") if isinstance(check, dict) else None
        return update_state(spec, got, changed if isinstance(changed, str) else None, issues)[1:]
    return update


def live_meta(spec: PageSpec, live: Mapping[str, Any] | None = None) -> dict:
    """What assets/explorer.js needs to turn control values into the page's parameters exactly as
    ``from_control`` does (bounds, log scale, step or significant digits), and where they go."""
    params = {}
    for p in spec.parameters():
        params[p.name] = {
            "kind": "str" if p.kind is str else "int" if p.kind is int else "float",
            "scale": p.scale, "lo": p.minimum, "hi": p.maximum, "step": p.step,
            "digits": getattr(p, "significant_digits", None), "choices": list(p.choices or ()),
            "unit": p.unit, "slider": kind_of(p) == ids.SLIDER,
        }
    panels = [{"store": lp.store, "panel": lp.panel, "graph": lp.graph} for lp in (live or {}).values()]
    return {"page": spec.name, "store": spec.params_store, "params": params, "panels": panels,
            "check": ids.controls_check(spec.name)}


def live_stores(params: Mapping[str, Any], live: Mapping[str, Any] | None) -> list:
    """Each live panel's parameter store, filled so that the figures draw on page load."""
    return [dcc.Store(id=lp.store, data=dict(params)) for lp in (live or {}).values()]


def register(app, spec: PageSpec, live: Mapping[str, Any] | None = None, *, intensity: str | None = None) -> None:
    """Notices on the server; parameters and live panels in the browser (see the module doc).

    ``intensity``: the id of a derived I = F/tau line that follows a drag like the labels do."""
    app.callback(
        Output(ids.controls_notice(spec.name), "children"),
        Output(ids.link_issues(spec.name), "data"),
        Output(ids.link_notice(spec.name), "children"),
        Input(ids.controls_check(spec.name), "data"),
        State(ids.controls(spec.name), "value"),
        State(ids.link_issues(spec.name), "data"),
        prevent_initial_call=True,
    )(make_update(spec))
    sliders = [p.name for p in spec.parameters() if kind_of(p) == ids.SLIDER]
    meta = dict(live_meta(spec, live), readouts={n: ids.readout(spec.name, n) for n in sliders}, intensity=intensity,
                controls=controls_panel(spec), rows={ids.control_row(spec.name, n): n for n in sliders})
    meta_js = json.dumps(meta, sort_keys=True)
    app.clientside_callback(
        "function (values, issues) { return window.dash_clientside.explorer.liveControls(values, issues, "
        + meta_js + "); }",
        Output(ids.live_sync(spec.name), "data"),
        Input(ids.controls(spec.name), "value"),
        State(ids.link_issues(spec.name), "data"),
        prevent_initial_call=True,  # the layout fills the stores from the same values
    )
    # The committed parameters are the base of a drag, which the browser follows by itself (a
    # slider's thumb reports its position while the pointer is down; explorer.js live.watch).
    app.clientside_callback(
        "function (params) { return window.dash_clientside.explorer.liveBase(params, " + meta_js + "); }",
        Output(ids.live_sync(spec.name), "data", allow_duplicate=True),
        Input(spec.params_store, "data"),
        prevent_initial_call="initial_duplicate",
    )
    # The label of a slider shows its value (while dragging, liveControls writes it in the page: a
    # Dash callback per pointer event would cost more than the figures); unit, scale and bounds of
    # every slider come from the parameter definition.
    labels = {p.name: {"unit": p.unit, "scale": p.scale, "isInt": p.kind is int, "lo": float(p.minimum),
                       "hi": float(p.maximum)} for p in spec.parameters() if kind_of(p) == ids.SLIDER}
    app.clientside_callback(
        "function (value, id) { var m = " + json.dumps(labels, sort_keys=True) + "[id && id.name];"
        " return m ? window.dash_clientside.explorer.readout(value, value, m.unit, m.scale, m.isInt, m.lo, m.hi)"
        " : window.dash_clientside.no_update; }",
        Output(ids.matching_readout(spec.name), "children"),
        Input(ids.matching_slider(spec.name), "value"),
        State(ids.matching_slider(spec.name), "id"),
    )


__all__ = ["ALL", "layout", "register", "from_control", "to_control", "params_from_controls", "values_by_name",
           "control_values", "readout_text", "kind_of", "update_state", "LOG_STEP"]
