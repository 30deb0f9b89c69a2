"""Presets of a page, chosen from a menu: a named set of parameter overrides on the defaults.

Choosing one sets the page's controls (which then validate and update every figure, the URL
included).  The menu follows the parameters: it names the preset the page is in (also when a link
or the defaults match one), and once a control moves away from it the menu is cleared and says
"modified", so choosing the same preset again applies it again.  The presets themselves are data
of the page (``PageSpec.presets``).
"""
from __future__ import annotations

from typing import Any, Mapping

from dash import Input, Output, State, ctx, dcc, html, no_update

from . import ids
from .controls import control_values, readout_text
from .page_spec import PageSpec

PLACEHOLDER = "Choose a preset…"
MENU_MAX_HEIGHT_PX = 480  # every entry visible without scrolling the list (Dash's default 200 px showed 5 of 6)


def applied_store(page: str) -> str:
    """The last preset applied on ``page`` (what "modified" refers to)."""
    return f"{page}-presets-applied"


def preset_params(spec: PageSpec, name: str) -> dict:
    """Validated parameters of a preset (defaults + overrides)."""
    return spec.params.validate_all(dict(spec.presets[name].overrides))


def _quantized(spec: PageSpec, params: Mapping[str, Any]) -> dict:
    return {k: spec.params.quantize(k, v) for k, v in params.items()}


def matching_preset(spec: PageSpec, params: Any) -> str | None:
    """The first preset whose parameters equal ``params`` (as the controls quantize them), or None."""
    if not isinstance(params, Mapping):
        return None
    for name in spec.presets:
        if _quantized(spec, preset_params(spec, name)) == dict(params):
            return name
    return None


def differences(spec: PageSpec, name: str, params: Mapping[str, Any]) -> str:
    """'Fluence 7500 mJ/cm² → 7762 mJ/cm²; …': what moved away from preset ``name``."""
    ref = _quantized(spec, preset_params(spec, name))
    parts = []
    for p in spec.parameters():
        if p.name in params and params[p.name] != ref.get(p.name):
            parts.append(f"{p.label} {readout_text(spec, p.name, ref[p.name])} → {readout_text(spec, p.name, params[p.name])}")
    return "; ".join(parts[:4]) + ("; …" if len(parts) > 4 else "")


def track(spec: PageSpec, params: Any, value: Any, applied: Any):
    """Parameters changed -> (menu value, placeholder, description, applied preset)."""
    match = matching_preset(spec, params)
    if match is not None:
        if value == match:
            return no_update, no_update, no_update, no_update
        return match, PLACEHOLDER, spec.presets[match].description, match
    if isinstance(value, str) and value in spec.presets:
        applied = value
    if not (isinstance(applied, str) and applied in spec.presets) or not isinstance(params, Mapping):
        return (None if value is not None else no_update), PLACEHOLDER, "", no_update
    label = spec.presets[applied].label
    return (None, f"{label} (modified: choose it to apply again)",
            f"Modified from the preset: {differences(spec, applied, params)}.", applied)


def make_apply(spec: PageSpec):
    """Menu choice -> every control value + description; no_update for unknown names (and None,
    which the menu gets when the parameters leave the preset)."""
    def apply_preset(name: Any):
        id_list = ctx.outputs_list[0] if ctx.outputs_list else []
        if not isinstance(name, str) or name not in spec.presets:
            return [no_update] * len(id_list), no_update, no_update
        return control_values(spec, preset_params(spec, name), id_list), spec.presets[name].description, name
    return apply_preset


def layout(spec: PageSpec, *, label: str = "Preset") -> html.Div:
    menu = ids.presets_menu(spec.name)
    return html.Div(
        [
            html.Label(label, htmlFor=menu, className="inline-label", id=f"{menu}-label"),
            dcc.Dropdown(id=menu, options=[{"label": v.label, "value": k} for k, v in spec.presets.items()],
                         placeholder=PLACEHOLDER, clearable=False, searchable=False, maxHeight=MENU_MAX_HEIGHT_PX,
                         className="presets-menu"),
            html.Span(id=ids.preset_description(spec.name), className="preset-description", role="status"),
            dcc.Store(id=applied_store(spec.name)),
        ],
        className="presets", id=f"{spec.name}-presets-panel",
    )


def register(app, spec: PageSpec) -> None:
    menu = ids.presets_menu(spec.name)
    app.callback(
        Output(ids.controls(spec.name), "value", allow_duplicate=True),
        Output(ids.preset_description(spec.name), "children"),
        Output(applied_store(spec.name), "data"),
        Input(menu, "value"),
        prevent_initial_call=True,
    )(make_apply(spec))
    app.callback(
        Output(menu, "value", allow_duplicate=True),
        Output(menu, "placeholder"),
        Output(ids.preset_description(spec.name), "children", allow_duplicate=True),
        Output(applied_store(spec.name), "data", allow_duplicate=True),
        Input(spec.params_store, "data"),
        State(menu, "value"),
        State(applied_store(spec.name), "data"),
        prevent_initial_call="initial_duplicate",  # on load too: a link or the defaults may match a preset
    )(lambda params, value, applied: track(spec, params, value, applied))
