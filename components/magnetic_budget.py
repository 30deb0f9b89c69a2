"""Photon budget: acquisition time per delay needed to resolve a change of M, for every probe.

Ring counts per pulse N = N_ph η(E) I_1 L_self (I_1 the summed S(q) of the first order, L_self the
probe's own loss of magnetic scattering); rate R = N f_rep.  Shot noise σ_M = 1/(2 sqrt(R t)), so
resolving ΔM at signal-to-noise s needs t = s²/(4 R ΔM²) per delay (``physics.photon_budget``;
ideal detector, no background: real times are longer).  Does not depend on the delay.
"""
from __future__ import annotations

import math

from dash import html

from . import ids
from . import magnetic_engine as meng
from .common import OKABE_ITO, axis, base_layout, fmt, label, round_each, scatter
from .magnetic_dynamics import SHORT_NAME, SOURCE_COLOR

GRAPH = ids.MAG_GRAPHS["budget"]
TIME_MARKS = ((1.0, "1 s"), (60.0, "1 min"), (3600.0, "1 h"), (86400.0, "1 day"))


def duration_text(seconds: float) -> str:
    """A human-readable duration: µs .. days (— for infinite)."""
    if not math.isfinite(seconds):
        return "—"
    for limit, unit, scale in ((1e-3, "µs", 1e6), (1.0, "ms", 1e3), (60.0, "s", 1.0), (3600.0, "min", 1 / 60),
                               (86400.0, "h", 1 / 3600)):
        if seconds < limit:
            return f"{seconds * scale:.3g} {unit}"
    return f"{seconds / 86400:.3g} days"


def budget_columns(result) -> dict[str, list]:
    b = result.budget
    cols = {"delta_m": round_each(b.delta_m_axis, 4)}
    for name, t in b.time_vs_delta_m.items():
        cols[f"time_per_delay_s_{name}"] = round_each(t, 4)
    return cols


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    b, d = result.budget, result.dynamics
    x = round_each(b.delta_m_axis, 4)
    data = []
    for name, t in b.time_vs_delta_m.items():
        s = b.per_source[name]
        chosen = name == d.chosen
        color = SOURCE_COLOR.get(name, OKABE_ITO["grey"])
        label_ = f"{SHORT_NAME.get(name, name)}: {fmt(s['counts_per_second'])} ring photons/s"
        data.append(scatter(x, round_each(t, 4), label_, legendgroup=name, line=dict(color=color, width=3 if chosen else 1.5),
                            hovertemplate="ΔM = %{x:.3g}: %{y:.3g} s per delay<extra>" + result.sources[name].label + "</extra>"))
        points = [(b.delta_m, s["acquisition_time_s"], "circle", f"ΔM = {b.delta_m:g}"),
                  (s["measured_step"], s["time_for_step_s"], "diamond", "the step this probe sees")]
        for dm, t_s, symbol, what in points:
            if dm > 0 and math.isfinite(t_s):
                data.append(scatter([dm], [float(f"{t_s:.4g}")], "", mode="markers", legendgroup=name, showlegend=False,
                                    marker=dict(symbol=symbol, size=11 if chosen else 8, color=color,
                                                line=dict(color="white", width=1)),
                                    hovertemplate=f"{result.sources[name].label}, {what}: ΔM = %{{x:.3g}} needs "
                                                  f"{duration_text(t_s)} per delay<extra></extra>"))
    layout = base_layout(large=large, uirevision="budget", hovermode="closest",
                         xaxis=axis("ΔM to resolve", type="log", exponentformat="power"),
                         yaxis=axis(f"time per delay at SNR {b.snr:g} (s)", type="log", exponentformat="power"))
    for t_s, text in TIME_MARKS:
        layout["shapes"].append(dict(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=t_s, y1=t_s,
                                     line=dict(color="#bbbbbb", width=1, dash="dot")))
        layout["annotations"].append(label(text, x=1.0, y=math.log10(t_s), xref="x domain", yref="y",
                                           xanchor="right", yanchor="bottom", color="#57606a"))
    chosen = b.per_source[d.chosen]
    note = (f"{result.source.label}: {fmt(b.counts_per_pulse)} ring photons per pulse, {fmt(b.counts_per_second)} per "
            f"second; ΔM = {b.delta_m:g} at SNR {b.snr:g} needs {duration_text(b.acquisition_time_s)} per delay, "
            f"its own step ({d.steps[d.chosen]:.2f}) {duration_text(chosen['time_for_step_s'])}. Circles: your ΔM; "
            f"diamonds: the step each probe sees.")
    return dict(data=data, layout=layout), note


def layout() -> html.Section:
    return meng.panel(
        GRAPH, "Photon budget: acquisition time per delay",
        "Time per delay needed to resolve a change ΔM of the magnetisation at the chosen signal-to-noise ratio, "
        "t = SNR²/(4 R ΔM²) with R the first-order ring count rate (ideal detector, shot noise only). The lab "
        "source's flux is an editable assumption, not a published number.",
        "magnetic-budget-panel",
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure, delay=False)
