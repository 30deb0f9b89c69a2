"""Radial profile I(q) before and after the pump, with q1 and its harmonics marked.

Azimuthal mean of the detector image per |q| bin of width 2π/L (``physics.magnetic_scattering``).
q1 = intensity-weighted centroid of the first-order ring (= 2π/P); FWHM from the half-maximum
crossings, correlation length ξ = 2π/FWHM.  Harmonics: stripes with duty cycle D have
I_n ∝ sin²(nπD)/n² · F_w(nq1)², F_w(q) = (πqδ/2)/sinh(πqδ/2) (50/50: I2 = 0, I3/I1 = 1/9 without walls).
After the pump every q scales by M² (uniform demagnetisation) and, with the phenomenological ring
shift, q → q·q1(t)/q1.
"""
from __future__ import annotations

import numpy as np
from dash import Patch, html

from . import ids
from . import magnetic_engine as meng
from .common import COLOR, OKABE_ITO, axis, base_layout, fmt, label, round_each, round_sig, scatter, vline
from .magnetic_detector import mm_axis

GRAPH = ids.MAG_GRAPHS["profile"]
SHOWN_ORDERS = 6.0  # x range: up to this many q1 (zoom out for the rest)
UNIT = "photons / pulse / pixel"
DECADES = 6.0  # y range below the ring maximum


def profile_columns(result) -> dict[str, list]:
    """The numbers drawn (and exported): q, detector mm, before and at the delay."""
    pr = result.profiles
    after = np.interp(pr.q_nm_inv, pr.q_after_nm_inv, pr.after, left=np.nan, right=np.nan)
    return {
        "q_nm_inv": round_sig(pr.q_nm_inv, 6),
        "radius_mm": round_sig(pr.radius_mm, 5),
        "before_photons_per_pulse_pixel": round_each(pr.before, 4),
        "at_delay_photons_per_pulse_pixel": round_each(after, 4),
    }


def _log_range(before, decades: float = DECADES) -> list[float]:
    """Log-axis range: the unpumped maximum and ``decades`` below (the far wings are grid noise)."""
    peak = float(np.max(before))
    top = np.log10(peak) if peak > 0 else 0.0
    return [round(top - decades, 3), round(top + 0.3, 3)]


def _positive(values: list) -> list:
    """Log axis: zero or negative values become gaps, not -inf."""
    return [v if v is not None and v > 0 else None for v in values]


def _after(result) -> dict:
    """The trace "at the delay": the only data a delay move changes."""
    pr, dyn = result.profiles, result.dynamics
    return dict(x=round_sig(pr.q_after_nm_inv, 6), y=_positive(round_each(pr.after, 4)),
                name=f"at {fmt(dyn.delay_ps, 4)} ps (M = {dyn.m_measured_at_delay:.3f}, as {result.source.label})")


def _shapes(result, q_hi: float) -> list[dict]:
    """q1 and its harmonics (dotted), and the ring at the delay when the ring-shift knob moves it."""
    pr = result.profiles
    shapes = [vline(qn, color=OKABE_ITO["grey"] if n > 1 else COLOR["operating"], width=1.2)
              for n, qn in sorted(pr.harmonic_q_nm_inv.items()) if qn <= q_hi]
    if abs(pr.q1_at_delay_nm_inv - pr.q1_nm_inv) > 1e-9:
        shapes.append(vline(pr.q1_at_delay_nm_inv, color=COLOR["nonlinear"], dash="dash"))
    return shapes


def _note(result) -> str:
    pr = result.profiles
    ratios = pr.harmonic_ratios
    ratio_text = ", ".join(f"I{n}/I1 = {fmt(ratios.get(n))}" for n in ("2", "3", "5"))
    xi = "resolution-limited (perfect stripes)" if pr.resolution_limited else f"{pr.correlation_length_nm:.0f} nm"
    note = (f"q1 = {fmt(pr.q1_nm_inv, 4)} nm⁻¹ (2π/q1 = {2 * np.pi / pr.q1_nm_inv:.1f} nm), FWHM "
            f"{fmt(pr.fwhm_nm_inv)} nm⁻¹, ξ = 2π/FWHM = {xi}; {ratio_text}.")
    if abs(pr.q1_at_delay_nm_inv - pr.q1_nm_inv) > 1e-9:
        note += f" Ring shifted to {fmt(pr.q1_at_delay_nm_inv, 4)} nm⁻¹ at the delay (phenomenological knob)."
    return note


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    pr, p = result.profiles, result.params
    cols = profile_columns(result)
    hover = f"q %{{x:.4f}} nm⁻¹: %{{y:.3g}} {UNIT}<extra>%{{fullData.name}}</extra>"
    data = [
        scatter(cols["q_nm_inv"], _positive(cols["before_photons_per_pulse_pixel"]), "before the pump",
                line=dict(color=COLOR["spontaneous"], width=2.5), hovertemplate=hover),
        dict(scatter(mode="lines", line=dict(color=COLOR["nonlinear"], width=2.5), hovertemplate=hover,
                     **_after(result))),
    ]
    q_hi = SHOWN_ORDERS * pr.q1_nm_inv
    energy, dist = float(p["energy_ev"]), float(p["detector_m"])
    data.append(dict(type="scatter", x=[0.0], y=[None], xaxis="x2", mode="markers", hoverinfo="skip",
                     showlegend=False))  # draws the mm axis
    layout = base_layout(
        large=large, uirevision="profile", hovermode="x unified",
        xaxis=axis("q (nm⁻¹)", range=[0.0, q_hi]),
        yaxis=axis(f"I(q) ({UNIT})", type="log", exponentformat="power", range=_log_range(pr.before)),
        xaxis2=mm_axis("radius on the detector (mm)", float(pr.q_nm_inv[-1]), energy, dist, overlaying="x",
                       side="top", matches="x", visible_q=q_hi),
        margin=dict(l=80, r=42, t=70, b=55),
    )
    layout["shapes"] = _shapes(result, q_hi)
    for n, qn in sorted(pr.harmonic_q_nm_inv.items()):
        if qn <= q_hi:
            layout["annotations"].append(label("q₁" if n == 1 else f"{n}q₁", x=qn, y=1.0, xref="x", yref="y domain",
                                               xanchor="left", yanchor="top", xshift=3))
    return dict(data=data, layout=layout), _note(result)


def patch(result, *, large: bool = False) -> tuple[Patch, str]:
    """The delay-dependent parts of :func:`figure` (the "at the delay" trace, the shifted ring)."""
    p = Patch()
    after = _after(result)
    if result.params["ring_shift_percent"] == 0.0:
        del after["x"]  # the same q axis: an unchanged array is not recomputed by Plotly
    for name, value in after.items():
        p["data"][1][name] = value
    p["layout"]["shapes"] = _shapes(result, SHOWN_ORDERS * result.profiles.q1_nm_inv)
    return p, _note(result)


def layout() -> html.Section:
    return meng.panel(
        GRAPH, "Radial profile before and after the pump",
        "Azimuthal mean of the detector image versus |q| (log scale): the first-order ring q1 = 2π/P and its "
        "harmonics n·q1 (dotted). Walls damp the higher orders, an up/down imbalance brings the even ones. After "
        "the pump the whole profile drops by M² as the chosen probe records it.",
        "magnetic-profile-panel", patched=True,
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure, patcher=patch)
