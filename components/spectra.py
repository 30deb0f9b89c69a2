"""Transmitted spectra as in the paper's Fig. 2b.

The reference (incident) pulse times the non-resonant background 0.55, and the spectra
transmitted through the sample at low intensity (spontaneous, Eq. 2) and at the chosen intensity
(nonlinear); where the nonlinear spectrum lies above the spontaneous one the sample gained
photons (shaded green), below it lost photons (shaded vermillion).
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from dash import html

from physics.constants import BACKGROUND_TRANSMISSION

from . import engine as eng
from . import ids
from .common import (
    COLOR,
    ENERGY_RANGE_EV,
    GAIN_FILL,
    LOSS_FILL,
    as_figure,
    axis,
    base_layout,
    figure_panel,
    round_energy,
    round_sig,
    scatter,
    vline,
)

GRAPH = ids.GRAPHS["spectra"].id
NOTE = ids.GRAPHS["spectra"].note
Y_UNIT = "mJ/cm²/eV"


def spectra_columns(result) -> dict[str, list]:
    """The numbers drawn in this figure (also exported to CSV, so both are identical)."""
    ref = result.incident * BACKGROUND_TRANSMISSION
    return {
        "energy_ev": round_energy(result.energy_ev),
        "reference_x055_mj_cm2_ev": round_sig(ref),
        "transmitted_spontaneous_mj_cm2_ev": round_sig(result.transmitted_spontaneous),
        "transmitted_nonlinear_mj_cm2_ev": round_sig(result.transmitted_nonlinear),
    }


def figure_dict(result, *, large: bool = False) -> dict:
    """ModelResult -> Fig. 2b as a plotly figure dict (pure; what the callback sends)."""
    cols = spectra_columns(result)
    x = cols["energy_ev"]
    sp_list = cols["transmitted_spontaneous_mj_cm2_ev"]
    sp = np.asarray(sp_list, dtype=float)
    nl = np.asarray(cols["transmitted_nonlinear_mj_cm2_ev"], dtype=float)
    hover = f"%{{y:.4g}} {Y_UNIT}"
    data = []
    # Shading first so that the lines are drawn on top: each band fills to the trace before it.
    for name, edge, fill in (("gain", np.maximum(sp, nl), GAIN_FILL), ("loss", np.minimum(sp, nl), LOSS_FILL)):
        data.append(scatter(x, sp_list, "", mode="lines", line=dict(width=0), hoverinfo="skip", showlegend=False,
                            legendgroup=name))
        data.append(scatter(x, edge.tolist(), "gain (more photons)" if name == "gain" else "loss (fewer photons)",
                            mode="lines", line=dict(width=0), fill="tonexty", fillcolor=fill, hoverinfo="skip",
                            legendgroup=name))
    data.append(scatter(x, cols["reference_x055_mj_cm2_ev"], "reference pulse × 0.55",
                        line=dict(color=COLOR["incident"], dash="dash", width=2), hovertemplate=hover))
    data.append(scatter(x, sp_list, "spontaneous (low intensity)", line=dict(color=COLOR["spontaneous"], width=2.5),
                        hovertemplate=hover))
    data.append(scatter(x, cols["transmitted_nonlinear_mj_cm2_ev"], "nonlinear (this intensity)",
                        line=dict(color=COLOR["nonlinear"], width=2.5), hovertemplate=hover))
    center = float(result.params["center_ev"])
    layout = base_layout(large=large, uirevision="energy",
                         xaxis=axis("Photon energy (eV)", range=list(ENERGY_RANGE_EV)),
                         yaxis=axis(f"Spectral fluence ({Y_UNIT})", rangemode="tozero"))
    layout["shapes"].append(vline(center, color=COLOR["operating"], name=f"pulse centre {center:g} eV"))
    return dict(data=data, layout=layout)


def build_figure(result, *, large: bool = False) -> go.Figure:
    """ModelResult -> Fig. 2b (pure)."""
    return as_figure(figure_dict(result, large=large))


def layout() -> html.Section:
    return figure_panel(
        "Transmitted spectra (paper Fig. 2b)", GRAPH, NOTE, ids.GRAPHS["spectra"].export_name,
        "Reference pulse × 0.55 (the non-resonant layers) and the spectra transmitted by the Co/Pd film: "
        "spontaneous (linear absorption, Eq. 2) and nonlinear at the chosen intensity. Shading marks where the "
        "intense pulse gains (green) or loses (vermillion) photons. Units: spectral fluence in mJ/cm²/eV as the "
        "spectrometer records it (resolution applied).",
        "spectra-panel", key_numbers=("kpi-nonlinear-peak-card", "kpi-spontaneous-peak-card"),
    )


def make_update(engine):
    return eng.result_figure_update(engine, figure_dict)


def register(app, cache) -> None:
    eng.register_result_figure(app, cache, "spectra", figure_dict)
