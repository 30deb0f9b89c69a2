"""Presets reproducing the paper's conditions, chosen from a menu.

Each preset is a set of parameter overrides on top of the physics defaults; choosing one sets
the controls (which then validate and update every figure, the URL included).
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

from dash import Input, Output, dcc, html, no_update

from physics import parameters

from .controls import CONTROL_IDS, to_control

MENU = "presets-menu"
DESCRIPTION = "presets-description"

# name -> (menu label, overrides, what to look for).  Fluences: paper Fig. 2 (12-30 mJ/cm^2 at
# low fluence) and Fig. 5 (the highest measured points).
PRESETS = MappingProxyType({
    "top": ("Paper top point (Fig. 3): 7500 mJ/cm², 25 fs, 300 mJ/cm²/fs",
            MappingProxyType({}),
            "The calibration point: all three channels at full strength, T(L3) 0.32 → about 0.6."),
    "low-5fs": ("Low fluence, 5 fs: 12 mJ/cm² (Fig. 2c)",
                MappingProxyType({"fluence_mj_cm2": 12.0, "duration_fs": 5.0}),
                "Nonlinear and spontaneous spectra agree: the response is linear."),
    "low-25fs": ("Low fluence, 25 fs: 30 mJ/cm² (Fig. 2d)",
                 MappingProxyType({"fluence_mj_cm2": 30.0, "duration_fs": 25.0}),
                 "Linear response; compare with the 5 fs case at the same fluence/intensity."),
    "high-5fs": ("Highest fluence, 5 fs: 1335 mJ/cm² (Figs. 2e, 5)",
                 MappingProxyType({"fluence_mj_cm2": 1335.0, "duration_fs": 5.0}),
                 "Measured stimulated RIXS 5.2 ± 1.9 %; redistribution is present even in 5 fs."),
    "high-25fs": ("Highest fluence, 25 fs: 9343 mJ/cm² (Figs. 2f, 5)",
                  MappingProxyType({"fluence_mj_cm2": 9343.0, "duration_fs": 25.0}),
                  "Measured stimulated RIXS 3.3 ± 0.8 %."),
    "shifted": ("Shifted pulse: 781 eV, 3 eV bandwidth — α vanishes (Fig. 2g,h)",
                MappingProxyType({"center_ev": 781.0, "bandwidth_ev": 3.0}),
                "No photons near 774.5 eV: no stimulated-RIXS gain α, so the loss β stands out."),
})


def preset_params(name: str) -> dict:
    """Validated parameters of a preset (defaults + overrides)."""
    label, overrides, _ = PRESETS[name]
    return parameters.validate_all(dict(overrides))


def apply_preset(name: Any):
    """Menu choice -> every control value + description; no_update for unknown names."""
    if not isinstance(name, str) or name not in PRESETS:
        return (no_update,) * (len(CONTROL_IDS) + 1)
    p = preset_params(name)
    return tuple(to_control(n, p[n]) for n in CONTROL_IDS) + (PRESETS[name][2],)


def layout() -> html.Div:
    return html.Div(
        [
            html.Label("Paper preset", htmlFor=MENU, className="inline-label"),
            dcc.Dropdown(id=MENU, options=[{"label": v[0], "value": k} for k, v in PRESETS.items()],
                         placeholder="Choose the paper's conditions…", clearable=False, searchable=False,
                         className="presets-menu"),
            html.Span(id=DESCRIPTION, className="preset-description", role="status"),
        ],
        className="presets", id="presets-panel",
    )


def register(app, cache) -> None:
    app.callback(
        *[Output(CONTROL_IDS[n], "value", allow_duplicate=True) for n in CONTROL_IDS],
        Output(DESCRIPTION, "children"),
        Input(MENU, "value"),
        prevent_initial_call=True,
    )(apply_preset)
