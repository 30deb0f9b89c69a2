"""M(t): the model's true magnetisation and what every probe records, the operating delay marked.

Phenomenological model (what papers fit):
    m(t) = 1 − Θ(t)(1 − e^{−t/τm}) [A e^{−t/τr} + B e^{−t/τth}],
or the two-temperature model + M3TM (Koopmans et al., Nat. Mater. 9, 259 (2010)) driven by the
absorbed pump fluence.  A probe of Gaussian time resolution (FWHM τ_IRF) records
M_meas(t) = sqrt(IRF ⊗ m²) (the detector integrates the intensity ∝ m²; Lunin et al. 2025 take
M ∝ sqrt(∫ I dq)).  The markers are one simulated measurement with Poisson noise
σ_M = 1/(2 sqrt(R t_exp)) per delay (``physics.photon_budget``).

The delay axis is log-like through zero (asinh(t/0.5 ps), the delay slider's own scale), labelled in ps.
"""
from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any

import numpy as np
from dash import Input, Output, Patch, ctx, html, no_update

from physics import scattering_parameters as sp

from . import ids
from . import magnetic_engine as meng
from .common import OKABE_ITO, axis, base_layout, fmt, label, round_sig, scatter, vline
from .controls import slider_bounds
from .validation import finite_float

GRAPH = ids.MAG_GRAPHS["dynamics"]
DELAY = sp.BY_NAME["delay_ps"]
# One colour per probe on every figure of the page (Okabe-Ito).
SOURCE_COLOR = MappingProxyType({
    "fel": OKABE_ITO["vermillion"], "plasma": OKABE_ITO["blue"], "synchrotron": OKABE_ITO["green"],
    "slicing": OKABE_ITO["purple"], "custom": OKABE_ITO["orange"],
})
# Short names for legends (the full labels are in the sources table and the notes).
SHORT_NAME = MappingProxyType({"fel": "FEL", "plasma": "lab plasma", "synchrotron": "synchrotron",
                               "slicing": "slicing", "custom": "custom"})
TRUE_COLOR = OKABE_ITO["black"]
DELAY_TICKS_PS = (-20, -5, -1, 0, 1, 5, 20, 100, 500, 2000)


def delay_position(t_ps) -> np.ndarray:
    """Delay (ps) -> position on the log-like axis (the slider's asinh scale)."""
    return np.arcsinh(np.asarray(t_ps, dtype=float) / DELAY.extra["asinh_width_ps"])


def delay_axis(title: str = "pump-probe delay (ps, log-like axis)") -> dict:
    """An x axis in asinh positions labelled in ps (tick labels at round delays)."""
    return axis(title, tickmode="array", tickvals=round_sig(delay_position(DELAY_TICKS_PS), 5),
                ticktext=[f"{t:g}" for t in DELAY_TICKS_PS],
                range=round_sig(delay_position([DELAY.minimum, DELAY.maximum]), 5))


def source_name(result, name: str) -> str:
    """Legend name of a source: short name and time resolution."""
    return f"{SHORT_NAME.get(name, name)} ({fmt(result.sources[name].resolution_ps)} ps)"


def dynamics_columns(result) -> dict[str, list]:
    """The numbers drawn (and exported): t, m_true, M_measured per source, q1(t)."""
    d = result.dynamics
    cols = {"t_ps": round_sig(d.t_ps, 6), "m_true": round_sig(d.m_true, 5)}
    for name, m in d.m_measured.items():
        cols[f"m_measured_{name}"] = round_sig(m, 5)
    cols["q1_true_nm_inv"] = round_sig(d.q1_true_nm_inv, 6)
    cols[f"q1_measured_{d.chosen}_nm_inv"] = round_sig(d.q1_measured_nm_inv, 6)
    return cols


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    d, b = result.dynamics, result.budget
    x = round_sig(delay_position(d.t_ps), 5)
    t_text = [f"{t:.4g}" for t in d.t_ps]
    hover = "t = %{customdata} ps: M = %{y:.4f}<extra>%{fullData.name}</extra>"
    data = [scatter(x, round_sig(d.m_true, 5), "true m(t) (model)", customdata=t_text, hovertemplate=hover,
                    line=dict(color=TRUE_COLOR, width=2, dash="dash"))]
    for name, m in d.m_measured.items():
        chosen = name == d.chosen
        data.append(scatter(x, round_sig(m, 5), f"{source_name(result, name)}: step {d.steps[name]:.2f}",
                            customdata=t_text, hovertemplate=hover,
                            line=dict(color=SOURCE_COLOR.get(name, OKABE_ITO["grey"]), width=3.2 if chosen else 1.5)))
    sigma = b.noise_per_delay
    p = result.params
    if math.isfinite(sigma) and sigma < 1.0:
        data.append(scatter(round_sig(delay_position(b.noisy_t_ps), 5), round_sig(b.noisy_m, 4),
                            f"simulated measurement, {fmt(p['exposure_s'])} s per delay (σ = {fmt(sigma, 2)})",
                            mode="markers", marker=dict(color=SOURCE_COLOR.get(d.chosen), size=5, symbol="circle-open"),
                            error_y=dict(type="constant", value=sigma, thickness=1, width=0,
                                         color=SOURCE_COLOR.get(d.chosen)),
                            customdata=[f"{t:.4g}" for t in b.noisy_t_ps], hovertemplate=hover))
    layout = base_layout(large=large, uirevision="dynamics", hovermode="closest",
                         xaxis=delay_axis(), yaxis=axis("M / M<sub>s</sub>"), margin=dict(l=70, r=60, t=40, b=55))
    if d.electron_k is not None:
        for temps, name, dash in ((d.electron_k, "electron temperature (M3TM)", "dot"),
                                  (d.lattice_k, "lattice temperature (M3TM)", "dashdot")):
            data.append(scatter(x, round_sig(temps, 4), name, yaxis="y2", customdata=t_text,
                                hovertemplate="t = %{customdata} ps: %{y:.0f} K<extra></extra>",
                                line=dict(color=OKABE_ITO["grey"], width=1.3, dash=dash)))
        layout["yaxis2"] = dict(axis("temperature (K)"), overlaying="y", side="right", showgrid=False)
    layout["shapes"], layout["annotations"] = delay_marks(d.delay_ps, d.m_measured_at_delay,
                                                          f"M = {d.m_measured_at_delay:.3f}")
    return dict(data=data, layout=layout), _note(result)


def delay_marks(delay_ps: float, y: float, text: str) -> tuple[list, list]:
    """The operating delay: a vertical line and an arrow to the recorded value (layout only, so a
    delay move is a cheap relayout of shapes and annotations, not a redraw of the traces)."""
    xd = float(delay_position(delay_ps))
    line = vline(xd, color="black")
    arrow = dict(label(f"{fmt(delay_ps, 4)} ps: {text}", x=xd, y=round(y, 6), xref="x", yref="y",
                       bgcolor="rgba(255,255,255,0.85)", bordercolor="#1b1f24", borderwidth=1),
                 showarrow=True, arrowhead=2, arrowwidth=1.5, ax=40, ay=-36)
    return [line], [arrow]


def _note(result) -> str:
    d = result.dynamics
    return (f"At {fmt(d.delay_ps, 4)} ps: true m = {d.m_true_at_delay:.3f}, {result.source.label} records "
            f"M = {d.m_measured_at_delay:.3f}; its deepest point {d.min_m_measured:.3f} at {fmt(d.t_min_ps, 3)} ps. "
            + ", ".join(f"{result.sources[n].label}: step {d.steps[n]:.2f}" for n in d.m_measured) + ".")


def patch(result, *, large: bool = False) -> tuple[Patch, str]:
    """The delay-dependent parts of :func:`figure`: the operating-delay marks (layout only)."""
    d = result.dynamics
    p = Patch()
    p["layout"]["shapes"], p["layout"]["annotations"] = delay_marks(d.delay_ps, d.m_measured_at_delay,
                                                                    f"M = {d.m_measured_at_delay:.3f}")
    return p, _note(result)


def delay_from_click(click: Any):
    """A click on a delay figure (x = asinh position, the delay slider's own scale) -> the delay
    slider's value, clamped to its bounds; anything unusable (forged click data) -> no_update."""
    pts = click.get("points") if isinstance(click, dict) else None
    if not isinstance(pts, list) or not pts or not isinstance(pts[0], dict):
        return no_update
    x = finite_float(pts[0].get("x"))
    if x is None:
        return no_update
    lo, hi = slider_bounds(DELAY)
    return min(max(round(x, 5), lo), hi)  # rounded first: the bounds are already inside the range


def clicked_delay(*clicks):
    """Callback body: the click that fired (M(t) or q1(t)) sets the delay."""
    trigger = ctx.triggered_id
    ids_ = (GRAPH.id, ids.MAG_GRAPHS["q1"].id)
    return delay_from_click(clicks[ids_.index(trigger)]) if trigger in ids_ else no_update


def layout() -> html.Section:
    return meng.panel(
        GRAPH, "Magnetisation versus delay: true and as each probe sees it",
        "Dashed: the model's m(t). Solid: what a probe of that time resolution records, sqrt(IRF ⊗ m²) (bold: the "
        "chosen probe). A 9 ps plasma source cannot follow a 0.2 ps demagnetisation: the drop becomes a smaller, "
        "resolution-limited step. Markers: one simulated measurement with shot noise at the chosen exposure. "
        "Click a curve to set the delay there.",
        "magnetic-dynamics-panel", patched=True,
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure, patcher=patch)
    # Click M(t) or q1(t) to set the delay there (the slider then updates the page as usual).
    app.callback(Output(ids.MAG_DELAY_SLIDER, "value", allow_duplicate=True),
                 Input(GRAPH.id, "clickData"), Input(ids.MAG_GRAPHS["q1"].id, "clickData"),
                 prevent_initial_call=True)(clicked_delay)
