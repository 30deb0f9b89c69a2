"""Detector image at the delay: photons per pulse per q pixel, log colour scale, q and mm axes.

I(q, E) = N_ph · T_bg · T(E) · |r0 λ ρ d f_m(E)|² · S(q) with S(q) = |FFT[m_z]|²/N⁴ (first Born
approximation; ``physics.magnetic_scattering``), times m(t)² as the probe records it, sqrt(IRF ⊗ m²)
squared.  Detector position L tan 2θ with 2θ = 2 asin(qλ/4π), λ = hc/E (5.31 mm for q1 = 0.0419 nm⁻¹
at 778 eV and 0.5 m).  The colour range is fixed by the unpumped image (``DECADES`` below its
maximum), so the ring visibly dims at the delay.  Sent as uint8 colour levels of the unpumped image
(42 kB in JSON), the colour bar labelled in photons; the delay (a factor M² on every pixel) moves
the colour range, so a delay move is a patch of a few numbers.
"""
from __future__ import annotations

import math

import numpy as np
from dash import Patch, html

from physics import magnetic_scattering

from . import ids
from . import magnetic_engine as meng
from .common import axis, base_layout, fmt, round_sig, typed_array

GRAPH = ids.MAG_GRAPHS["detector"]
DECADES = 5.0
LEVELS = 250  # uint8 colour levels over DECADES
COLORSCALE = "Cividis"  # perceptually uniform and colour-blind safe
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_label(k: int) -> str:
    return "1" if k == 0 else f"10{str(k).translate(_SUPERSCRIPT)}"


def color_range(result) -> tuple[float, float]:
    """(log10 min, log10 max) of the colour scale: the unpumped image's maximum and DECADES below."""
    peak = float(np.max(result.image.counts_before))
    top = math.log10(peak) if peak > 0 else 0.0
    return top - DECADES, top


def levels(result) -> np.ndarray:
    """log10 of the UNPUMPED counts as uint8 levels 0..LEVELS on the colour range (0: below it).
    The image at the delay is the same times M²/s² (uniform demagnetisation): a constant shift of
    log10 counts, drawn by shifting the colour range (:func:`level_shift`), not the data."""
    lo, hi = color_range(result)
    c = np.asarray(result.image.counts_before, dtype=float)
    with np.errstate(divide="ignore"):
        logc = np.where(c > 0, np.log10(np.where(c > 0, c, 1.0)), -np.inf)
    lev = np.clip(np.rint((logc - lo) / (hi - lo) * LEVELS), 0, LEVELS)
    return lev.astype(np.uint8)


def level_shift(result) -> float:
    """log10(counts at the delay / counts before) in colour levels (≤ 0 while demagnetised)."""
    before, after = float(np.max(result.image.counts_before)), float(np.max(result.image.counts))
    if before <= 0 or after <= 0:
        return -float(LEVELS)  # nothing scattered at the delay: all below the colour range
    lo, hi = color_range(result)
    return math.log10(after / before) / (hi - lo) * LEVELS


def _delay_parts(result) -> dict:
    """Colour range and ticks, axes and ring circle at the delay (what a delay move changes)."""
    lo, hi = color_range(result)
    shift = level_shift(result)
    decades = list(range(math.ceil(lo), math.floor(hi) + 1))
    q = round_sig(result.image.q_nm_inv, 5)
    q1 = result.profiles.q1_at_delay_nm_inv
    return {
        "zmin": round(-shift, 3), "zmax": round(LEVELS - shift, 3),
        "tickvals": [round((k - lo) / (hi - lo) * LEVELS - shift, 2) for k in decades],
        "ticktext": [power_label(k) for k in decades],
        "x": q, "y": q,
        "shapes": [dict(type="circle", xref="x", yref="y", x0=-q1, x1=q1, y0=-q1, y1=q1,
                        line=dict(color="#ffffff", dash="dot", width=1))],
    }


def nice_step(span: float, target: int = 4) -> float:
    raw = span / max(target, 1)
    mag = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next((m * mag for m in (1, 2, 5, 10) if m * mag >= raw), 10 * mag)


def mm_ticks(q_max_nm_inv: float, energy_ev: float, detector_m: float,
             visible_q: float | None = None) -> tuple[list[float], list[str]]:
    """Tick positions (in q) and labels (mm on the detector) for a q axis reaching ±q_max; the tick
    spacing suits the range shown at first (``visible_q``, default q_max)."""
    r_max = float(magnetic_scattering.detector_radius_mm(q_max_nm_inv, energy_ev, detector_m))
    r_shown = float(magnetic_scattering.detector_radius_mm(visible_q or q_max_nm_inv, energy_ev, detector_m))
    step = nice_step(r_shown)
    n = int(r_max // step)
    mm = [k * step for k in range(-n, n + 1)]
    q = magnetic_scattering.q_from_radius_mm(np.array(mm), energy_ev, detector_m)
    return round_sig(q, 6), [f"{m:g}" for m in mm]


def mm_axis(title: str, q_max: float, energy_ev: float, detector_m: float, *, overlaying: str, side: str,
            matches: str, visible_q: float | None = None) -> dict:
    """A detector-mm axis on top of a q axis: same range (``matches``), ticks at round mm values."""
    vals, text = mm_ticks(q_max, energy_ev, detector_m, visible_q)
    return dict(axis(title), overlaying=overlaying, side=side, matches=matches, tickmode="array", tickvals=vals,
                ticktext=text, showgrid=False, showline=False)


def _note(result) -> str:
    pr, p = result.profiles, result.params
    return (f"First-order ring q1 = {fmt(pr.q1_nm_inv, 4)} nm⁻¹ ↔ {pr.ring_radius_mm:.2f} mm at L = {p['detector_m']:g} m, "
            f"2θ = {pr.two_theta_deg:.3f}° ({p['energy_ev']:g} eV); {fmt(result.budget.counts_per_pulse)} ring photons "
            f"per pulse unpumped; at {fmt(result.dynamics.delay_ps, 4)} ps × M² = "
            f"{result.dynamics.m_measured_at_delay ** 2:.3f}. Colour: {DECADES:g} decades below the unpumped maximum.")


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    """Result -> (detector-image figure dict, note)."""
    p = result.params
    parts = _delay_parts(result)
    heat = dict(
        type="heatmap", x=parts["x"], y=parts["y"], z=typed_array(levels(result), "u1"), zmin=parts["zmin"],
        zmax=parts["zmax"], colorscale=COLORSCALE, name="counts",
        colorbar=dict(title=dict(text="photons / pulse / pixel", side="right"), tickmode="array", len=0.9,
                      tickvals=parts["tickvals"], ticktext=parts["ticktext"]),
        hovertemplate="q_x %{x:.4f} nm⁻¹, q_y %{y:.4f} nm⁻¹<extra></extra>",
    )
    # The mm axis needs a trace of its own to be drawn: an invisible corner point.
    anchor = dict(type="scatter", x=[parts["x"][0]], y=[parts["x"][0]], xaxis="x2", mode="markers",
                  marker=dict(opacity=0), hoverinfo="skip", showlegend=False)
    qmax = float(np.max(np.abs(result.image.q_before_nm_inv)))  # mm ticks do not move with the delay
    energy, dist = float(p["energy_ev"]), float(p["detector_m"])
    layout = base_layout(
        large=large, uirevision="detector", hovermode="closest",
        xaxis=axis("q<sub>x</sub> (nm⁻¹)", constrain="domain", range=[-qmax, qmax]),
        yaxis=axis("q<sub>y</sub> (nm⁻¹)", scaleanchor="x", scaleratio=1, constrain="domain", range=[-qmax, qmax]),
        xaxis2=mm_axis("position on the detector (mm)", qmax, energy, dist, overlaying="x", side="top",
                       matches="x"),
        margin=dict(l=70, r=20, t=60, b=55),
    )
    layout["shapes"] = parts["shapes"]
    return dict(data=[heat, anchor], layout=layout), _note(result)


def patch(result, *, large: bool = False) -> tuple[Patch, str]:
    """The delay-dependent parts of :func:`figure` (colour range, ticks, ring) for the same key.
    The axes are patched only with a ring shift (new arrays make Plotly recompute the trace)."""
    parts = _delay_parts(result)
    p = Patch()
    p["data"][0]["zmin"] = parts["zmin"]
    p["data"][0]["zmax"] = parts["zmax"]
    p["data"][0]["colorbar"]["tickvals"] = parts["tickvals"]
    if result.params["ring_shift_percent"] != 0.0:
        p["data"][0]["x"] = parts["x"]
        p["data"][0]["y"] = parts["y"]
        p["data"][1]["x"] = [parts["x"][0]]
        p["data"][1]["y"] = [parts["x"][0]]
    p["layout"]["shapes"] = parts["shapes"]
    return p, _note(result)


def layout() -> html.Section:
    return meng.panel(
        GRAPH, "Detector image at the delay",
        "Magnetic small-angle scattering as the chosen probe records it at the delay (ideal detector, log colour "
        "scale, photons per pulse per q pixel). Stripes give spots, a labyrinth a ring at q1 = 2π/P; the charge "
        "scattering of laterally uniform layers goes to q = 0 only. Top: position on the detector in mm.",
        "magnetic-detector-panel", patched=True,
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure, patcher=patch)
