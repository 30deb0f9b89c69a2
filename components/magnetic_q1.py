"""Ring position q1(t): a labelled phenomenological knob, not a model.

Lunin et al. (2025) saw a time-dependent shift of the first-order ring (attributed to lateral
texture evolution and thermal gradients; the physics is contested).  The page offers it as a knob:
q1(t) = q1 [1 + s (1 − e^{−t/τs}) e^{−t/τth}], and shows what the chosen probe records, the
m²-weighted average over its instrument response (``physics.demagnetization.ring_shift_factor``).
"""
from __future__ import annotations

from dash import Patch, html

from . import ids
from . import magnetic_engine as meng
from .common import COLOR, axis, base_layout, fmt, label, round_sig, scatter
from .magnetic_dynamics import SOURCE_COLOR, TRUE_COLOR, delay_axis, delay_marks, delay_position

GRAPH = ids.MAG_GRAPHS["q1"]


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    d, p, pr = result.dynamics, result.params, result.profiles
    x = round_sig(delay_position(d.t_ps), 5)
    t_text = [f"{t:.4g}" for t in d.t_ps]
    hover = "t = %{customdata} ps: q1 = %{y:.5f} nm⁻¹<extra>%{fullData.name}</extra>"
    data = [
        scatter(x, round_sig(d.q1_true_nm_inv, 6), "q1(t) set by the knob", customdata=t_text, hovertemplate=hover,
                line=dict(color=TRUE_COLOR, width=2, dash="dash")),
        scatter(x, round_sig(d.q1_measured_nm_inv, 6), f"as {result.source.label} records it", customdata=t_text,
                hovertemplate=hover, line=dict(color=SOURCE_COLOR.get(d.chosen, COLOR["measured"]), width=3)),
    ]
    layout = base_layout(large=large, uirevision="q1", hovermode="closest", xaxis=delay_axis(),
                         yaxis=axis("q1 (nm⁻¹)", tickformat=".4f"))
    shapes, marks = _marks(result)
    layout["shapes"] = shapes
    if float(p["ring_shift_percent"]) == 0.0:
        layout["yaxis"]["range"] = [pr.q1_nm_inv * 0.97, pr.q1_nm_inv * 1.03]
        layout["annotations"].append(label("Ring shift 0 %: q1 stays at 2π/P. Set “Ring shift” to try the knob.",
                                           x=0.5, y=0.85, xanchor="center"))
    layout["annotations"] += marks
    return dict(data=data, layout=layout), _note(result)


def _marks(result) -> tuple[list, list]:
    """The operating delay (line and arrow; the annotation list ends with it: see :func:`patch`)."""
    d, pr = result.dynamics, result.profiles
    return delay_marks(d.delay_ps, pr.q1_at_delay_nm_inv, f"q1 = {fmt(pr.q1_at_delay_nm_inv, 4)} nm⁻¹")


def _note(result) -> str:
    p, pr = result.params, result.profiles
    shift = float(p["ring_shift_percent"])
    if shift == 0.0:
        return f"q1 = {fmt(pr.q1_nm_inv, 4)} nm⁻¹ at every delay (no ring shift set)."
    return (f"Phenomenological knob: s = {shift:g} %, τs = {fmt(p['ring_shift_tau_ps'])} ps, decaying with "
            f"τth = {fmt(p['tau_slow_ps'])} ps; the probe averages q1 weighted by m² over its "
            f"{fmt(result.source.resolution_ps)} ps response; at {fmt(result.dynamics.delay_ps, 4)} ps it records "
            f"{fmt(pr.q1_at_delay_nm_inv, 4)} nm⁻¹.")


def patch(result, *, large: bool = False) -> tuple[Patch, str]:
    """The delay-dependent parts of :func:`figure` (layout only).  The figure's key includes the
    ring-shift setting, so the annotation list has the same length as the one drawn."""
    shapes, marks = _marks(result)
    p = Patch()
    p["layout"]["shapes"] = shapes
    last = 1 if float(result.params["ring_shift_percent"]) == 0.0 else 0  # after the "0 %" hint, if any
    p["layout"]["annotations"][last] = marks[0]
    return p, _note(result)


def layout() -> html.Section:
    return meng.panel(
        GRAPH, "Ring position q1(t) (phenomenological)",
        "A labelled knob, not physics: the source paper saw a time-dependent ring shift (lateral texture, thermal "
        "gradients). Dashed: the shift you set; solid: what the chosen probe records (m²-weighted over its time "
        "resolution). Click to set the delay.",
        "magnetic-q1-panel", patched=True,
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure, patcher=patch)
