"""Domain map at the pump-probe delay: m_z(x, y) · m(t) of the film's up/down domains.

The pattern (``physics.domains``): stripes m_z = square wave ⊗ (1/2δ) sech²(x/δ) (exact tanh walls
of width δ, duty cycle D), or a labyrinth (seeded Gaussian random field band-pass filtered on
|k| ≈ 2π/P, thresholded at the up-fraction D, tanh walls).  After the pump the model
demagnetises the film uniformly, m_z → m(t) m_z, so the map fades and does not move (a ring shift
is a separate, phenomenological knob).

Drawn as the unpumped m_z (integer percent of M_s, block-averaged to 128²: about 60 kB) with
trace opacity |m(t)| on the white plot: on the white-centred linear colour scale, opacity α over
white gives exactly the colour of α·m_z, so a delay move only changes the opacity (a patch of a
few bytes; Plotly restyles instead of recolouring 16 384 cells).  The cells go as a plain list, not
a base64 typed array: Plotly.react decodes a typed array anew on every update and so recomputes
the heatmap even when only the opacity changed.  m(t) < 0 (A + B > 1) reverses the colour scale.
"""
from __future__ import annotations

import numpy as np
from dash import Patch, html

from physics import scattering_parameters as sp

from . import ids
from . import magnetic_engine as meng
from .common import axis, base_layout, fmt

GRAPH = ids.MAG_GRAPHS["domains"]
# Diverging, colour-blind safe: Okabe-Ito blue (down) - white - vermillion (up).
COLORSCALE = ((0.0, "#0072B2"), (0.5, "#ffffff"), (1.0, "#D55E00"))
REVERSED = ((0.0, "#D55E00"), (0.5, "#ffffff"), (1.0, "#0072B2"))
MIN_M = 1e-3  # below this |m(t)| the unpumped map cannot be recovered from the faded one
DISPLAY_PIXELS = 128  # per side; the physics' 256² display map is block-averaged to this


def block_mean(a: np.ndarray, n: int) -> np.ndarray:
    """Mean over square blocks of an integer size, so that a square array is at most ``n`` per side."""
    f = max(1, a.shape[0] // n)
    m = a.shape[0] // f * f
    return a[:m, :m].reshape(m // f, f, m // f, f).mean(axis=(1, 3))


def unpumped_percent(result) -> tuple[np.ndarray, bool]:
    """The unpumped m_z in percent of M_s (int8) and whether it is exact: the physics gives the
    map at the delay, m(t)·m_z; at |m(t)| < MIN_M only its sign survives (drawn white anyway)."""
    m = result.dynamics.m_true_at_delay
    faded = block_mean(np.asarray(result.image.domain_map, dtype=float), DISPLAY_PIXELS)
    exact = abs(m) >= MIN_M
    unpumped = faded / m if exact else np.sign(faded)
    return np.clip(np.rint(unpumped * 100.0), -100, 100).astype(np.int8), exact


def axis_nm(result) -> list[float]:
    """Pixel centres (nm) of the displayed map."""
    a = np.asarray(result.image.domain_axis_nm, dtype=float)
    return np.round(block_mean(np.tile(a, (a.size, 1)), DISPLAY_PIXELS)[0], 2).tolist()


def key(result, large: bool) -> dict:
    """The full drawing depends on the pattern, the text size and the sign of m(t) only."""
    return {"pattern": [list(kv) for kv in sp.pattern_key(result.params)], "large": bool(large),
            "exact": unpumped_percent(result)[1], "reversed": result.dynamics.m_true_at_delay < 0}


def _delay_parts(result) -> dict:
    m = result.dynamics.m_true_at_delay
    return {
        "opacity": round(min(abs(m), 1.0), 4),
        "colorscale": COLORSCALE if m >= 0 else REVERSED,
        "hovertemplate": ("x %{x:.0f} nm, y %{y:.0f} nm<br>m_z = %{z} % of M_s before the pump; now × m(t) = "
                          f"{m:.3f}<extra></extra>"),
        "title": f"t = {fmt(result.dynamics.delay_ps, 4)} ps: m(t) = {m:.3f} (true)",
    }


def _note(result) -> str:
    p = result.params
    kind = "stripes" if p["pattern"] == "stripes" else f"labyrinth (seed {p['seed']}, disorder {p['disorder']:g})"
    n = unpumped_percent(result)[0].shape[0]
    return (f"{kind}, P = {p['period_nm']:g} nm, wall δ = {p['wall_nm']:g} nm, up-fraction {p['duty']:g}; "
            f"field of view {result.field_of_view_nm:.0f} nm ({result.pixel_nm:.2f} nm pixels, shown at {n}²); "
            f"at {fmt(result.dynamics.delay_ps, 4)} ps the contrast is m(t) = {result.dynamics.m_true_at_delay:.3f}.")


def figure(result, *, large: bool = False) -> tuple[dict, str]:
    """Result -> (domain-map figure dict, note)."""
    parts = _delay_parts(result)
    x = axis_nm(result)
    heat = dict(
        type="heatmap", x=x, y=x, z=unpumped_percent(result)[0].tolist(), zmin=-100, zmax=100,
        colorscale=parts["colorscale"], opacity=parts["opacity"], name="m_z",
        colorbar=dict(title=dict(text="m(t)·m<sub>z</sub> (% of M<sub>s</sub>)", side="right"), tickvals=[-100, -50, 0, 50, 100], len=0.9),
        hovertemplate=parts["hovertemplate"],
    )
    layout = base_layout(large=large, uirevision="domains", hovermode="closest",
                         xaxis=axis("x (nm)", constrain="domain"),
                         yaxis=axis("y (nm)", scaleanchor="x", scaleratio=1, constrain="domain"),
                         margin=dict(l=70, r=20, t=36, b=55))
    layout["title"] = dict(text=parts["title"], x=0.02, y=0.98, font=dict(size=13 + (6 if large else 0)))
    return dict(data=[heat], layout=layout), _note(result)


def patch(result, *, large: bool = False) -> tuple[Patch, str]:
    """The delay-dependent parts of :func:`figure` for a figure of the same :func:`key`."""
    parts = _delay_parts(result)
    p = Patch()
    for name in ("opacity", "hovertemplate"):  # the colour scale's direction is part of the key
        p["data"][0][name] = parts[name]
    p["layout"]["title"]["text"] = parts["title"]
    return p, _note(result)


def layout() -> html.Section:
    return meng.panel(
        GRAPH, "Domain map at the delay",
        "Out-of-plane magnetisation m_z of the film (vermillion up, blue down) times m(t) at the chosen delay: "
        "the pump demagnetises the film uniformly in this model, so the contrast fades and recovers while the "
        "domains stay where they are.",
        "magnetic-domains-panel", patched=True,
    )


def register(app, cache) -> None:
    meng.register_figure(app, meng.make_engine(cache), GRAPH, figure, patcher=patch, key_of=key)
