"""Presets of a page, chosen from a menu: a named set of parameter overrides on the defaults.

Choosing one sets the page's controls (which then validate and update every figure, the URL
included).  The presets themselves are data of the page (``PageSpec.presets``).
"""
from __future__ import annotations

from typing import Any

from dash import Input, Output, ctx, dcc, html, no_update

from . import ids
from .controls import control_values
from .page_spec import PageSpec


def preset_params(spec: PageSpec, name: str) -> dict:
    """Validated parameters of a preset (defaults + overrides)."""
    return spec.params.validate_all(dict(spec.presets[name].overrides))


def make_apply(spec: PageSpec):
    """Menu choice -> every control value + description; no_update for unknown names."""
    def apply_preset(name: Any):
        id_list = ctx.outputs_list[0] if ctx.outputs_list else []
        if not isinstance(name, str) or name not in spec.presets:
            return [no_update] * len(id_list), no_update
        return control_values(spec, preset_params(spec, name), id_list), spec.presets[name].description
    return apply_preset


def layout(spec: PageSpec, *, label: str = "Preset") -> html.Div:
    menu = ids.presets_menu(spec.name)
    return html.Div(
        [
            html.Label(label, htmlFor=menu, className="inline-label"),
            dcc.Dropdown(id=menu, options=[{"label": v.label, "value": k} for k, v in spec.presets.items()],
                         placeholder="Choose a preset…", clearable=False, searchable=False,
                         className="presets-menu"),
            html.Span(id=ids.preset_description(spec.name), className="preset-description", role="status"),
        ],
        className="presets", id=f"{spec.name}-presets-panel",
    )


def register(app, spec: PageSpec) -> None:
    app.callback(
        Output(ids.controls(spec.name), "value", allow_duplicate=True),
        Output(ids.preset_description(spec.name), "children"),
        Input(ids.presets_menu(spec.name), "value"),
        prevent_initial_call=True,
    )(make_apply(spec))
