"""Domain map at the pump-probe delay: m_z(x, y) · m(t) of the film's up/down domains.

The pattern (``physics.domains``): stripes m_z = square wave ⊗ (1/2δ) sech²(x/δ) (exact tanh walls
of width δ, duty cycle D), or a labyrinth (seeded Gaussian random field band-pass filtered on
|k| ≈ 2π/P, thresholded at the up-fraction D, tanh walls).  After the pump the model
demagnetises the film uniformly, m_z → m(t) m_z, so the map fades and does not move (a ring shift
is a separate, phenomenological knob).  Shown block-averaged to 256² (the physics' display size),
sent as int8 percent of M_s (87 kB instead of about 450 kB as text).
"""
from __future__ import annotations

import numpy as np
from dash import html

from . import ids
from . import magnetic_engine as meng
from .common import axis, base_layout, figure_panel, fmt, round_sig, typed_array

GRAPH = ids.MAG_GRAPHS["domains"]
# Diverging, colour-blind safe: Okabe-Ito blue (down) - white - vermillion (up).
COLORSCALE = ((0.0, "#0072B2"), (0.5, "#ffffff"), (1.0, "#D55E00"))


def map_percent(result) -> np.ndarray:
    """m_z · m(t) in percent of M_s as int8 (what the figure carries)."""
    return np.clip(np.rint(np.asarray(result.image.domain_map, dtype=float) * 100.0), -100, 100).astype(np.int8)


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    """Result -> (domain-map figure dict, note)."""
    dyn, p = result.dynamics, result.params
    x = round_sig(result.image.domain_axis_nm, 4)
    heat = dict(
        type="heatmap", x=x, y=x, z=typed_array(map_percent(result), "i1"), zmin=-100, zmax=100,
        colorscale=COLORSCALE, name="m_z",
        colorbar=dict(title=dict(text="m_z (% of M_s)", side="right"), tickvals=[-100, -50, 0, 50, 100], len=0.9),
        hovertemplate="x %{x:.0f} nm, y %{y:.0f} nm<br>m_z = %{z} % of M_s<extra></extra>",
    )
    layout = base_layout(large=large, height=400, uirevision="domains", hovermode="closest",
                         xaxis=axis("x (nm)", constrain="domain"),
                         yaxis=axis("y (nm)", scaleanchor="x", scaleratio=1, constrain="domain"),
                         margin=dict(l=70, r=20, t=36, b=55))
    layout["title"] = dict(text=f"t = {fmt(dyn.delay_ps, 4)} ps: m(t) = {dyn.m_true_at_delay:.3f} (true)",
                           x=0.02, y=0.98, font=dict(size=13 + (6 if large else 0)))
    kind = "stripes" if p["pattern"] == "stripes" else f"labyrinth (seed {p['seed']}, disorder {p['disorder']:g})"
    note = (f"{kind}, P = {p['period_nm']:g} nm, wall δ = {p['wall_nm']:g} nm, up-fraction {p['duty']:g}; "
            f"field of view {result.field_of_view_nm:.0f} nm ({result.pixel_nm:.2f} nm pixels, shown at "
            f"{len(x)}²).")
    return dict(data=[heat], layout=layout), note


def layout() -> html.Section:
    return figure_panel(
        "Domain map at the delay", GRAPH.id, GRAPH.note, GRAPH.export_name,
        "Out-of-plane magnetisation m_z of the film (vermillion up, blue down) times m(t) at the chosen delay: "
        "the pump demagnetises the film uniformly in this model, so the contrast fades and recovers while the "
        "domains stay where they are.",
        "magnetic-domains-panel",
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure)
