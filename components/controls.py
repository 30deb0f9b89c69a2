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

from physics.parameters import ParameterError

from . import ids
from .common import fmt, notice
from .page_spec import PageSpec
from .validation import BAD_INPUT, finite_float

# log10 step of a log slider: an arrow key moves the value by 10**0.02 = 4.7 % (Page Up/Down: 58 %),
# so the keyboard crosses a decade in 50 presses (1e-5 made 20 presses move 7500 to 7496).
# Exact values (7500, 1335, 9343) are typed into the number box beside the slider, or set by a preset
# or a link: the slider holds them as they are (``to_control`` keeps 5 decimals), only moves snap.
LOG_STEP = 0.02
TRANSFORMED = ("log", "asinh")  # scales whose slider works in a transformed space (Parameter.to_slider)
BOX = "control-box"  # pattern-id type of the number box beside a log slider (physical units)


def box_id(page: str, name: str) -> dict:
    return {"type": BOX, "page": page, "name": name}


def dom_id(cid: dict) -> str:
    """The DOM id Dash writes for a pattern-matching id (keys sorted, no spaces): for label ``for``."""
    return json.dumps(cid, sort_keys=True, separators=(",", ":"))


def label_id(page: str, name: str) -> str:
    return f"{page}-{name}-label"


def kind_of(p) -> str:
    if p.kind is str:
        return ids.CHOICE
    if p.kind is int and p.maximum is not None and p.maximum - (p.minimum or 0) > 1000:
        return ids.NUMBER  # e.g. a random seed: typed, not slid
    return ids.SLIDER


def slider_bounds(p) -> tuple[float, float]:
    """A transformed slider's (min, max), rounded inwards to 6 decimals: a bound rounded outwards
    (log10(20) = 1.30103 > 1.3010299957) would map back beyond the parameter's range and be refused."""
    lo, hi = p.to_slider(p.minimum), p.to_slider(p.maximum)
    return math.ceil(lo * 1e6 - 1e-6) / 1e6, math.floor(hi * 1e6 + 1e-6) / 1e6


def to_control(p, value: Any) -> Any:
    """Physical value -> what the control holds (log10 or asinh position for transformed scales,
    kept within the slider's bounds; the parameter's quantization restores the exact value)."""
    if p.scale in TRANSFORMED:
        lo, hi = slider_bounds(p)
        return min(max(round(p.to_slider(float(value)), 5), lo), hi)
    return value


def from_control(spec: PageSpec, name: str, raw: Any) -> Any:
    """Control value -> validated, quantized physical value; raises the definition's ParameterError.

    A transformed slider's raw value is checked against the transformed bounds *before* it is
    mapped back (10**x, sinh) so that a forged value cannot overflow or be silently clamped.
    """
    defs = spec.params
    p = defs.by_name[name]
    if p.scale in TRANSFORMED:
        raw = finite_float(raw)
        if raw is None:
            raise ParameterError(name, raw, f"must be a number ({p.range_text})")
        lo, hi = p.to_slider(p.minimum), p.to_slider(p.maximum)
        if not (lo - 1e-9 <= raw <= hi + 1e-9):
            raise ParameterError(name, raw, f"slider position outside {lo:g}..{hi:g} ({p.range_text})")
        raw = min(max(p.from_slider(raw), p.minimum), p.maximum)
    if p.kind is not str and not isinstance(raw, bool) and isinstance(raw, (int, float)):
        f = finite_float(raw)  # huge ints would overflow inside validate
        if f is None:
            raise ParameterError(name, "…", f"must be a finite number ({p.range_text})")
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
        except ParameterError as exc:
            said = _said(exc.value) if exc.reason.startswith("is ") else ""  # "-5 is outside ..." names the value
            return None, f"{p.label}: {said}{exc.reason}. The figures keep the last valid state."
        except BAD_INPUT:
            return None, f"{p.label}: not a usable value. The figures keep the last valid state."
    return out, None


def _said(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    return f"{value:g} " if isinstance(value, float) else f"{value} "


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
    by = spec.params.by_name
    out = []
    for entry in id_list:
        name = entry["id"]["name"]
        out.append(to_control(by[name], params[name]) if name in params else no_update)
    return out


def _log_marks(p) -> dict:
    lo, hi = int(math.ceil(math.log10(p.minimum))), int(math.floor(math.log10(p.maximum)))
    return {k: (f"{10.0 ** k:g}" if k < 4 else f"10{str(k).translate(_SUPERSCRIPT)}") for k in range(lo, hi + 1)}


def _asinh_marks(p) -> dict:
    """Marks at 0 and at ±decades of the unit within the bounds (a log-like axis through zero),
    kept outwards from 0 at least 1.2 slider units apart so that labels do not collide in a sidebar."""
    marks = {}
    if p.minimum <= 0.0 <= p.maximum:
        marks[round(p.to_slider(0.0), 6)] = "0"
    for sign in (1.0, -1.0):
        last = p.to_slider(0.0)
        for k in range(-3, 7):
            v = sign * 10.0 ** k
            pos = p.to_slider(v)
            if p.minimum <= v <= p.maximum and abs(pos - last) >= 1.2:
                marks[round(pos, 6)] = f"{v:g}"
                last = pos
    return dict(sorted(marks.items()))


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


def transformed_step(spec: PageSpec, name: str, span: float) -> float:
    """Step of a log10/asinh slider: the page's choice (``PageSpec.slider_steps``) adjusted to divide
    the range exactly, so that End/Home and dragging reach both bounds; else LOG_STEP."""
    step = spec.slider_steps.get(name)
    if not step:
        return LOG_STEP
    return span / max(1, round(span / step))


def help_icon(p) -> html.Span:
    """A keyboard-focusable (?) with the parameter's help; CSS shows it as a tooltip."""
    return html.Span("?", className="help", tabIndex="0", title=p.help, **{"aria-label": p.help, "data-help": p.help})


def readout_text(spec: PageSpec, name: str, value: Any) -> str:
    """The live label of a control (assets/explorer.js ``readout`` mirrors it while dragging)."""
    p = spec.params.by_name[name]
    if p.kind is str:
        return spec.label_of(name, value)
    if p.kind is int:
        return f"{int(value)}"
    unit = f" {p.unit}" if p.unit else ""
    if p.scale in TRANSFORMED:
        return f"{fmt(float(value), 4)}{unit}"
    return f"{float(value):g}{unit}"


def _control(spec: PageSpec, p, value: Any) -> html.Div:
    kind = kind_of(p)
    cid = ids.control(spec.name, p.name, kind)
    lid = label_id(spec.name, p.name)
    extra = None
    if kind == ids.CHOICE:
        widget = dcc.RadioItems(
            id=cid, value=value, inline=True, className="radio",
            options=[{"label": spec.label_of(p.name, c), "value": c} for c in p.choices],
        )
    elif kind == ids.NUMBER:
        # No min/max in the browser: an out-of-range number reaches validation, which names the
        # range ("-5 is outside 0-2147483647") instead of arriving as an empty value.
        widget = dcc.Input(id=cid, type="number", value=value, step=1, debounce=True, className="number-input",
                           inputMode="numeric")
    elif p.scale in TRANSFORMED:
        lo, hi = slider_bounds(p)
        widget = dcc.Slider(
            id=cid, min=lo, max=hi, step=transformed_step(spec, p.name, hi - lo),
            value=to_control(p, value), marks=_log_marks(p) if p.scale == "log" else _asinh_marks(p),
            allow_direct_input=False, updatemode="mouseup", className="slider",
        )
        if p.scale == "log":  # a number box for exact values (register_number_boxes keeps both in step)
            bid = box_id(spec.name, p.name)
            extra = html.Div([
                html.Label([html.Span(f"{p.label}, ", className="visually-hidden"), "exact value",
                            html.Span(f" in {p.unit}" if p.unit else "", className="visually-hidden")],
                           htmlFor=dom_id(bid), className="box-label"),
                dcc.Input(id=bid, type="number", value=value, min=p.minimum, max=p.maximum, step="any",
                          debounce=True, className="number-input log-box", inputMode="decimal"),
                html.Span(p.unit, className="box-unit", **{"aria-hidden": "true"}),
            ], className="log-box-row")
    else:
        widget = dcc.Slider(
            id=cid, min=p.minimum, max=p.maximum, step=p.step or 1, value=value,
            marks=_linear_marks(p), allow_direct_input=False, updatemode="mouseup", className="slider",
        )
    unit = f" ({p.unit})" if p.unit else ""
    label_kw = {"htmlFor": dom_id(cid)} if kind == ids.NUMBER else {}
    label_children: list = [html.Label(f"{p.label}{unit}", id=lid, **label_kw), help_icon(p)]
    if kind == ids.SLIDER:
        label_children.append(html.Output(id=ids.readout(spec.name, p.name), className="live-value",
                                          children=readout_text(spec, p.name, value)))
    body = html.Div([widget, extra], className="slider-with-box") if extra is not None else widget  # box below
    # data-* tell assets/presentation.js how to name the slider and say its value in physical units.
    data = {"data-label": lid, "data-unit": p.unit or "", "data-scale": p.scale or "linear",
            "data-int": "1" if p.kind is int else "0"}
    return html.Div([html.Div(label_children, className="control-label"), body], className="control",
                    id=ids.control_row(spec.name, p.name), **data)


def layout(spec: PageSpec, params: Mapping[str, Any], *, link_issues: Mapping[str, str] | None = None,
           extra: list | None = None, addons: Mapping[str, list] | None = None) -> html.Section:
    """The controls of ``spec`` set to ``params`` (validated), with the store already filled so
    that the figures draw on page load without waiting for a first control event.

    ``spec.groups`` (if any) come first, each a collapsible group; ``addons`` puts components right
    after a parameter's control (e.g. a play button under a slider)."""
    addons = addons or {}

    def row(p):
        return [_control(spec, p, params[p.name]), *addons.get(p.name, [])]

    grouped = {n for g in spec.groups for n in g.names}
    children: list = [html.H2(spec.controls_title), *(extra or [])]
    for i, g in enumerate(spec.groups):
        rows = [c for n in g.names for c in row(spec.params.by_name[n])]
        children.append(html.Details([html.Summary(g.title), *rows], open=g.open, className="control-group",
                                     id=f"{spec.name}-controls-group-{i}"))
    rest = [p for p in spec.parameters() if p.name not in grouped]
    children += [c for p in rest if not p.advanced for c in row(p)]
    advanced = [c for p in rest if p.advanced for c in row(p)]
    issues = dict(link_issues or {})
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
        _, error, issue_out, text_out = update_state(spec, got, changed if isinstance(changed, str) else None, issues)
        # the texts go out as dismissible notices (error / warning style)
        return (notice(error, "error", target=ids.controls_notice(spec.name)), issue_out,
                notice(text_out, "warning", target=ids.link_notice(spec.name)))
    return update


def link_notice(spec: PageSpec, issues: Any) -> html.Div:
    """The notice area for unusable link values (filled when the page is rendered)."""
    target = ids.link_notice(spec.name)
    return html.Div(notice(link_notice_text(issues), "warning", target=target), id=target, className="notice",
                    role="alert")


def register_number_boxes(app, spec: PageSpec) -> None:
    """Box <-> log slider, in the browser: a typed value moves the slider (log10, 5 decimals as
    ``to_control``), a slider move (drag, keys, preset, click, link) shows in the box.  One
    callback for both directions (Dash allows a callback to write its own input)."""
    for p in spec.parameters():
        if kind_of(p) != ids.SLIDER or p.scale != "log":
            continue
        slider, box = ids.control(spec.name, p.name, ids.SLIDER), box_id(spec.name, p.name)
        app.clientside_callback(
            "function (logValue, typed) { return window.dash_clientside.presentation.logBox(logValue, typed, "
            f"{float(p.minimum)!r}, {float(p.maximum)!r}); }}",
            Output(slider, "value", allow_duplicate=True), Output(box, "value"),
            Input(slider, "value"), Input(box, "value"),
            prevent_initial_call=True,
        )


def live_meta(spec: PageSpec, live: Mapping[str, Any] | None = None) -> dict:
    """What assets/explorer.js needs to turn control values into the page's parameters exactly as
    ``from_control`` does (bounds, log scale, step or significant digits), and where they go."""
    params = {}
    for p in spec.parameters():
        params[p.name] = {
            "kind": "str" if p.kind is str else "int" if p.kind is int else "float",
            "scale": p.scale, "lo": p.minimum, "hi": p.maximum, "step": p.step,
            "digits": getattr(p, "significant_digits", None), "choices": list(p.choices or ()),
            "unit": p.unit, "slider": kind_of(p) == ids.SLIDER, "width": float(p.extra.get("asinh_width_ps", 1.0)),
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
    register_number_boxes(app, spec)
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
                       "hi": float(p.maximum), "width": float(p.extra.get("asinh_width_ps", 1.0))}
              for p in spec.parameters() if kind_of(p) == ids.SLIDER}
    app.clientside_callback(
        "function (value, id) { var m = " + json.dumps(labels, sort_keys=True) + "[id && id.name];"
        " return m ? window.dash_clientside.explorer.readout(value, value, m.unit, m.scale, m.isInt, m.lo, m.hi, m.width)"
        " : window.dash_clientside.no_update; }",
        Output(ids.matching_readout(spec.name), "children"),
        Input(ids.matching_slider(spec.name), "value"),
        State(ids.matching_slider(spec.name), "id"),
    )


__all__ = ["ALL", "layout", "register", "register_number_boxes", "box_id", "dom_id", "from_control", "to_control", "params_from_controls", "values_by_name",
           "control_values", "readout_text", "kind_of", "update_state", "LOG_STEP"]
