"""Magnetic-SAXS spectrum: which photon energy gives the most magnetic scattering for this film.

η(E) = T_bg T(E) |φ_m(E)|², φ_m = r0 λ ρ d f_m(E), T(E) = exp(−σ_XAS(E) ρ d): the fraction of the
incident photons scattered magnetically per unit var(m_z) (``physics.magnetic_factors``), averaged
over the probe's bandwidth.  f_m = m' + i m'' are Kramers-Kronig-consistent Voigt lines fitted to
the published Project Dyna Co table (m'' minimum −17.9 e near 777.95 eV); σ_XAS and T(E) are the
first page's Co/Pd absorption (one model for both pages).  Absorption pushes the best energy below
the |f_m| maximum as the film thickens.  Does not depend on the delay.
"""
from __future__ import annotations

from dash import html

from . import ids
from . import magnetic_engine as meng
from .common import (
    COLOR,
    ENERGY_RANGE_EV,
    OKABE_ITO,
    axis,
    base_layout,
    label,
    round_energy,
    round_sig,
    scatter,
    vline,
)

GRAPH = ids.MAG_GRAPHS["spectrum"]
ETA_SCALE = 1e3  # η is shown in units of 10⁻³


def spectrum_columns(result) -> dict[str, list]:
    s = result.spectrum
    return {
        "energy_ev": round_energy(s.energy_ev),
        "xas_normalised": round_sig(s.xas, 4),
        "transmission": round_sig(s.transmission, 4),
        "m_real_electrons": round_sig(s.m_real, 4),
        "m_imag_electrons": round_sig(s.m_imag, 4),
        "efficiency_mono": round_sig(s.efficiency, 4),
        f"efficiency_band_{result.source.name}": round_sig(s.efficiency_band, 4),
    }


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    s, p = result.spectrum, result.params
    x = round_energy(s.energy_ev)
    bw = result.source.bandwidth_ev
    data = [
        scatter(x, round_sig(s.efficiency * ETA_SCALE, 4), "η, monochromatic", line=dict(color=OKABE_ITO["sky"], width=1.5),
                hovertemplate="%{x:.2f} eV: η = %{y:.4g}×10⁻³<extra>monochromatic</extra>"),
        scatter(x, round_sig(s.efficiency_band * ETA_SCALE, 4), f"η, {bw:g} eV band (this source)",
                line=dict(color=COLOR["nonlinear"], width=2.8),
                hovertemplate="%{x:.2f} eV: η = %{y:.4g}×10⁻³<extra>band-averaged</extra>"),
        scatter(x, round_sig(s.xas, 4), "XAS (page 1, norm.)", yaxis="y3",
                line=dict(color=COLOR["xas"], width=1.5, dash="dot"),
                hovertemplate="%{x:.2f} eV: XAS %{y:.3f}<extra></extra>"),
        scatter(x, round_sig(s.m_real, 4), "m′", yaxis="y2", line=dict(color=OKABE_ITO["green"], width=2),
                hovertemplate="%{x:.2f} eV: m′ = %{y:.2f} e<extra></extra>"),
        scatter(x, round_sig(s.m_imag, 4), "m″", yaxis="y2", line=dict(color=OKABE_ITO["purple"], width=2),
                hovertemplate="%{x:.2f} eV: m″ = %{y:.2f} e<extra></extra>"),
    ]
    layout = base_layout(
        large=large, uirevision="energy", hovermode="x",
        xaxis=axis("Photon energy (eV)", range=list(ENERGY_RANGE_EV), anchor="y2"),
        yaxis=axis("η (10⁻³)", domain=[0.44, 1.0], rangemode="tozero"),
        yaxis2=axis("f_m (e)", domain=[0.0, 0.34]),
        yaxis3=dict(axis("XAS (norm.)"), overlaying="y", side="right", showgrid=False, range=[0, 1.08], dtick=0.25),
        margin=dict(l=70, r=90, t=70, b=55),
    )
    # The label of the lower energy goes to its left, the other to its right: they never overlap.
    marks = sorted([(s.operating_energy_ev, f"E = {s.operating_energy_ev:.2f} eV", COLOR["operating"], "dot"),
                    (s.best_energy_ev, f"best {s.best_energy_ev:.2f} eV", COLOR["nonlinear"], "dash")])
    for (e, text, color, dash), side in zip(marks, ("right", "left")):
        layout["shapes"].append(vline(e, color=color, dash=dash))
        layout["annotations"].append(label(text, x=e, y=1.0, xref="x", yref="paper", xanchor=side, yanchor="top",
                                           xshift=-4 if side == "right" else 4, color=color))
    note = (f"Best energy for {p['thickness_nm']:g} nm Co with the {bw:g} eV band: {s.best_energy_ev:.2f} eV "
            f"(|f_m| maximum {s.fm_max_energy_ev:.2f} eV; thicker films push it lower). At {s.operating_energy_ev:.2f} eV "
            f"the film keeps T = {_at(s.energy_ev, s.transmission, s.operating_energy_ev):.3f} of the beam.")
    return dict(data=data, layout=layout), note


def _at(x, y, x0: float) -> float:
    import numpy as np

    return float(np.interp(x0, x, y))


def layout() -> html.Section:
    return meng.panel(
        GRAPH, "Magnetic-SAXS spectrum and absorption",
        "Top: the magnetically scattered fraction η(E) = T_bg T(E)|r0 λ ρ d f_m(E)|² per unit var(m), for a "
        "monochromatic beam and averaged over the probe's bandwidth, with the Co/Pd XAS of the first page (dotted). "
        "Bottom: the Co magnetic factor f_m = m′ + i m″ (fitted to the published Dyna table, Kramers-Kronig "
        "consistent).",
        "magnetic-spectrum-panel",
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure, delay=False)
