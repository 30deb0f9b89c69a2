"""Model spectra (paper Fig. 3a and 3d): what the nonlinear response is built from.

Top: the measured-shape XAS absorbance and the Co RIXS emission (both 1 at their maximum) with
the incident spectrum (relative photons per mode).  Bottom: the sample's own (intrinsic, no
spectrometer) resonant transmission at low and at the chosen intensity, and the three channel
shapes as changes of transmission, which add up to the difference.
"""
from __future__ import annotations

import plotly.graph_objects as go
from dash import html

from physics import spectra as phys_spectra
from physics.constants import CO_THICKNESS_NM_DEFAULT

from . import engine as eng
from . import ids
from .common import (
    CHANNELS,
    COLOR,
    ENERGY_RANGE_EV,
    as_figure,
    axis,
    base_layout,
    figure_panel,
    round_energy,
    round_sig,
    scatter,
    vline,
)

MEASURED_FILM_NM = CO_THICKNESS_NM_DEFAULT  # the film whose resonant transmission was measured
GRAPH = ids.GRAPHS["model"].id
NOTE = ids.GRAPHS["model"].note


def model_columns(result) -> dict[str, list]:
    """The numbers drawn (and exported)."""
    e = result.energy_ev
    ch = result.channels
    s = result.incident_spectrum
    return {
        "energy_ev": round_energy(e),
        "xas_absorbance_norm": round_sig(phys_spectra.xas_absorbance(e)),
        "rixs_emission_norm": round_sig(phys_spectra.rixs_emission(e)),
        "incident_occupation_norm": round_sig(s / s.max() if s.max() > 0 else s),
        "spontaneous_transmission_intrinsic": round_sig(ch.spontaneous),
        "nonlinear_transmission_intrinsic": round_sig(ch.nonlinear),
        "stim_rixs_dT_intrinsic": round_sig(ch.stim_rixs),
        "stim_rexs_dT_intrinsic": round_sig(ch.stim_rexs),
        "redistribution_dT_intrinsic": round_sig(ch.redistribution),
    }


def figure_dict(result, *, large: bool = False) -> dict:
    """ModelResult -> Fig. 3a (top) and 3d (bottom) on a shared energy axis (pure)."""
    cols = model_columns(result)
    x = cols["energy_ev"]
    h_rel = "%{y:.3f} (rel.)"
    h_t = "%{y:.3f}"
    top = dict(xaxis="x", yaxis="y")
    bottom = dict(xaxis="x2", yaxis="y2")
    data = [
        scatter(x, cols["incident_occupation_norm"], "incident pulse", fill="tozeroy", fillcolor="rgba(127,127,127,0.18)",
                line=dict(color=COLOR["pulse"], width=1), hovertemplate=h_rel, **top),
        scatter(x, cols["xas_absorbance_norm"], "XAS absorbance", line=dict(color=COLOR["xas"], width=2.5),
                hovertemplate=h_rel, **top),
        scatter(x, cols["rixs_emission_norm"], "RIXS emission", line=dict(color=COLOR["rixs"], width=2.5, dash="dot"),
                hovertemplate=h_rel, **top),
        scatter(x, cols["spontaneous_transmission_intrinsic"], "T spontaneous",
                line=dict(color=COLOR["spontaneous"], width=2.5), hovertemplate=h_t, **bottom),
        scatter(x, cols["nonlinear_transmission_intrinsic"], "T nonlinear", line=dict(color=COLOR["nonlinear"], width=2.5),
                hovertemplate=h_t, **bottom),
    ]
    for key, name in CHANNELS:
        data.append(scatter(x, cols[f"{key}_dT_intrinsic"], f"ΔT {name}",
                            line=dict(color=COLOR[key], width=1.8, dash="dash"), hovertemplate=h_t, **bottom))
    if abs(float(result.params["thickness_nm"]) - MEASURED_FILM_NM) < 1e-9:
        # The 16 synchrotron points the absorption model is fitted to (only this film was measured).
        e_m, t_m = phys_spectra.measured_transmission_points()
        data.append(scatter(e_m.tolist(), t_m.tolist(), f"T measured ({MEASURED_FILM_NM:g} nm film, synchrotron)",
                            mode="markers", marker=dict(color=COLOR["measured"], size=8, symbol="circle-open",
                                                        line=dict(width=2, color=COLOR["measured"])),
                            hovertemplate="measured: T = %{y:.3f} at %{x:.2f} eV<extra></extra>", **bottom))
    layout = base_layout(
        large=large, uirevision="energy",
        xaxis=axis("", range=list(ENERGY_RANGE_EV), matches="x2", showticklabels=False, anchor="y"),
        xaxis2=axis("Photon energy (eV)", range=list(ENERGY_RANGE_EV), anchor="y2"),
        yaxis=axis("Shapes (max 1)", domain=[0.55, 1.0], rangemode="tozero", anchor="x"),
        yaxis2=axis("T and ΔT", domain=[0.0, 0.45], anchor="x2"),
    )
    center = float(result.params["center_ev"])
    layout["shapes"] += [vline(center, color=COLOR["operating"], xref="x", yref="y domain",
                               name=f"pulse centre {center:g} eV", legendgroup="centre"),
                         vline(center, color=COLOR["operating"], xref="x2", yref="y2 domain", legendgroup="centre")]
    return dict(data=data, layout=layout)


def build_figure(result, *, large: bool = False) -> go.Figure:
    return as_figure(figure_dict(result, large=large))


def layout() -> html.Section:
    return figure_panel(
        "Model spectra (Fig. 3a, 3d)", GRAPH, NOTE, ids.GRAPHS["model"].export_name,
        "Top: Co L3/L2 absorption (XAS) and RIXS emission shapes with the incident pulse. Bottom: the film's own "
        "resonant transmission (Eq. 2, without the 0.55 background or the spectrometer) at low intensity and at "
        "the chosen one, and the three channels as changes of transmission ΔT; their sum is the change. Circles: "
        "the measured transmission of the 25 nm film that the absorption model is fitted to (shown at 25 nm).",
        "model-panel",
    )


def make_update(engine):
    return eng.result_figure_update(engine, figure_dict)


def register(app, cache) -> None:
    eng.register_result_figure(app, cache, "model", figure_dict)
