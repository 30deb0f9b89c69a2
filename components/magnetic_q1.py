"""Ring position q1(t): a labelled phenomenological knob, not a model.

Lunin et al. (2025) saw a time-dependent shift of the first-order ring (attributed to lateral
texture evolution and thermal gradients; the physics is contested).  The page offers it as a knob:
q1(t) = q1 [1 + s (1 − e^{−t/τs}) e^{−t/τth}], and shows what the chosen probe records, the
m²-weighted average over its instrument response (``physics.demagnetization.ring_shift_factor``).
"""
from __future__ import annotations

from dash import html

from . import ids
from . import magnetic_engine as meng
from .common import COLOR, axis, base_layout, figure_panel, fmt, label, round_sig, scatter, vline
from .magnetic_dynamics import SOURCE_COLOR, TRUE_COLOR, delay_axis, delay_position

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
    xd = float(delay_position(d.delay_ps))
    layout = base_layout(large=large, height=320, uirevision="q1", hovermode="closest", xaxis=delay_axis(),
                         yaxis=axis("q1 (nm⁻¹)", tickformat=".4f"))
    layout["shapes"].append(vline(xd, color="black"))
    layout["annotations"].append(label(f"{fmt(d.delay_ps, 4)} ps: q1 = {fmt(pr.q1_at_delay_nm_inv, 4)} nm⁻¹", x=xd,
                                       y=0.02, xref="x", yref="y domain", xanchor="left", yanchor="bottom", xshift=4))
    shift = float(p["ring_shift_percent"])
    if shift == 0.0:
        layout["yaxis"]["range"] = [pr.q1_nm_inv * 0.97, pr.q1_nm_inv * 1.03]
        layout["annotations"].append(label("Ring shift 0 %: q1 stays at 2π/P. Set “Ring shift” to try the knob.",
                                           x=0.5, y=0.85, xanchor="center"))
        note = f"q1 = {fmt(pr.q1_nm_inv, 4)} nm⁻¹ at every delay (no ring shift set)."
    else:
        note = (f"Phenomenological knob: s = {shift:g} %, τs = {fmt(p['ring_shift_tau_ps'])} ps, decaying with "
                f"τth = {fmt(p['tau_slow_ps'])} ps; the probe averages q1 weighted by m² over its "
                f"{fmt(result.source.resolution_ps)} ps response.")
    return dict(data=data, layout=layout), note


def layout() -> html.Section:
    return figure_panel(
        "Ring position q1(t) (phenomenological)", GRAPH.id, GRAPH.note, GRAPH.export_name,
        "A labelled knob, not physics: the source paper saw a time-dependent ring shift (lateral texture, thermal "
        "gradients). Dashed: the shift you set; solid: what the chosen probe records (m²-weighted over its time "
        "resolution).",
        "magnetic-q1-panel",
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure)
