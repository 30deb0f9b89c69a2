"""Stimulated-RIXS gain versus fluence or intensity (paper Fig. 5a/b).

* KHD (Eqs. 3-4): stimulated fraction per core hole s = (1 - exp(-2 n_pk Yf))/2, analytic and
  instant, for the current pulse length and spike bandwidth.
* Maxwell-Bloch (three-level, statistical SASE pulses, thin slab): the paper's efficiency
  extraction (gain in 775-777 eV over the linearly absorbed 777-779 eV) with the shot-to-shot
  spread, from a background job (see mb_jobs); a placeholder says when it is still computing.
* Measured points (5.2 +- 1.9 % at 5 fs, 3.3 +- 0.8 % at 25 fs), the model-derived 20 % at
  300 mJ/cm^2/fs, the fluorescence yield Yf and the band of spontaneous RIXS a spectrometer of
  acceptance dOmega/4pi = 1e-5..1e-4 collects (Yf dOmega/4pi): the ~1e6 enhancement is the gap.
Clicking anywhere on a curve sets the fluence there.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html

from physics import maxwell_bloch, model, parameters
from physics.constants import FLUORESCENCE_YIELD

from . import engine as eng
from . import ids, mb_jobs
from .common import (
    BAND_FILL,
    COLOR,
    as_figure,
    base_layout,
    beyond_measured,
    figure_panel,
    hline,
    is_large,
    message_figure,
    pending_name,
    round_each,
    scatter,
    vline,
)
from .common import axis as axis_  # 'axis' is this figure's fluence/intensity switch

GRAPH = ids.GRAPHS["gain"].id
NOTE = ids.GRAPHS["gain"].note
AXIS = ids.GAIN_AXIS
AXIS_CHOICES = ("fluence", "intensity")
ACCEPTANCE = (1e-5, 1e-4)  # spectrometer dOmega/4pi bracket (paper)
KHD_POINTS = 121


def khd_curve(params: dict) -> dict[str, list]:
    """Both KHD forms on a dense fluence grid (``maxwell_bloch.khd_curves``, the same effective spike
    bandwidth as the channel model): the paper's Eq. 4, n_pk Yf, and the saturating extension."""
    p = parameters.BY_NAME["fluence_mj_cm2"]
    fl = np.geomspace(p.minimum, p.maximum, KHD_POINTS)
    k = maxwell_bloch.khd_curves(params["duration_fs"], params["spike_bandwidth_ev"], params["bandwidth_ev"], fl)
    return {"fluence_mj_cm2": round_each(k["fluence_mj_cm2"], 4),
            "intensity_mj_cm2_fs": round_each(k["intensity_mj_cm2_fs"], 4),
            "khd_eq4_stimulated_fraction": round_each(k["eq4"], 4),
            "khd_stimulated_fraction": round_each(k["saturating"], 4)}


def khd_at(params: dict) -> float:
    """The KHD stimulated fraction at the sliders (the KPI card and ``summary`` read the same function)."""
    return float(model.gain_operating_point(params)["stimulated_fraction"])


def log_interp(x: float, xs, ys) -> float | None:
    """Interpolate a positive curve in log-log space; None outside its range."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    ok = (xs > 0) & (ys > 0) & np.isfinite(ys)
    if ok.sum() < 2 or not (xs[ok].min() <= x <= xs[ok].max()):
        return None
    return float(10 ** np.interp(math.log10(x), np.log10(xs[ok]), np.log10(ys[ok])))


def mb_columns(curve: dict) -> dict[str, list]:
    return {
        "fluence_mj_cm2": round_each(curve["fluence_mj_cm2"], 4),
        "intensity_mj_cm2_fs": round_each(curve["intensity_mj_cm2_fs"], 4),
        "mb_efficiency": round_each(curve["efficiency"], 4),
        "mb_efficiency_std": round_each(curve["efficiency_std"], 4),
        "mb_stimulated_fraction": round_each(curve["stimulated_fraction"], 4),
    }


RHO33_VISIBLE = 0.05  # ρ33 per core hole is drawn only where it differs from the efficiency by more than 5 %


def _placeholder(name: str, color: str) -> dict:
    """A legend entry without data: says in the legend why a curve is not drawn (yet)."""
    return scatter([None], [None], name[:90], mode="lines", line=dict(color=color, width=2.5, dash="dot"),
                   hoverinfo="skip")


def figure_dict(params: dict, mb_curve: dict | None, *, axis: str = "fluence", mb_note: str = "",
                large: bool = False) -> dict:
    """Params (+ MB curve or None) -> Fig. 5 as a figure dict (pure).

    Everything that is drawn is named in the legend above the plot, reference lines included;
    nothing is written on top of the data."""
    axis = axis if axis in AXIS_CHOICES else "fluence"
    xkey = "fluence_mj_cm2" if axis == "fluence" else "intensity_mj_cm2_fs"
    xunit = "mJ/cm²" if axis == "fluence" else "mJ/cm²/fs"
    tau = params["duration_fs"]
    data = []
    k = khd_curve(params)
    data.append(scatter(k[xkey], k["khd_eq4_stimulated_fraction"], "KHD, paper's Eq. 4 (n_pk·Yf)",
                        line=dict(color=COLOR["khd"], width=3),
                        hovertemplate=f"KHD Eq. 4: %{{y:.3g}} at %{{x:.4g}} {xunit}<extra></extra>"))
    data.append(scatter(k[xkey], k["khd_stimulated_fraction"], "KHD saturating (extension)",
                        line=dict(color=COLOR["khd"], width=2, dash="dash"),
                        hovertemplate=f"KHD saturating: %{{y:.3g}} at %{{x:.4g}} {xunit}<extra></extra>"))
    if mb_curve is not None:
        m = mb_columns(mb_curve)
        eff = np.asarray(m["mb_efficiency"], float)
        std = np.asarray(m["mb_efficiency_std"], float)
        data.append(scatter(
            m[xkey], m["mb_efficiency"], f"Maxwell-Bloch ({mb_curve.get('n_pulses', '?')} SASE pulses)",
            mode="lines+markers", line=dict(color=COLOR["mb"], width=2.5), marker=dict(size=6),
            error_y=dict(type="data", array=round_each(np.minimum(std, 0.9 * eff), 3), visible=True, thickness=1),
            hovertemplate=f"MB efficiency: %{{y:.3g}} at %{{x:.4g}} {xunit}<extra></extra>"))
        frac = np.asarray(m["mb_stimulated_fraction"], float)
        ok = (eff > 0) & np.isfinite(frac)
        # Drawn only when it can be told apart from the efficiency curve (it is mostly within 0.1 %).
        if ok.any() and float(np.max(np.abs(frac[ok] / eff[ok] - 1.0))) > RHO33_VISIBLE:
            data.append(scatter(
                m[xkey], m["mb_stimulated_fraction"], "Maxwell-Bloch ρ33 per core hole", mode="lines",
                line=dict(color=COLOR["mb"], width=1.5, dash="dot"),
                hovertemplate=f"MB per-atom fraction: %{{y:.3g}} at %{{x:.4g}} {xunit}<extra></extra>"))
    elif mb_note:
        data.append(_placeholder(pending_name("Maxwell-Bloch curve", mb_note), COLOR["mb"]))
    for pt, symbol in zip(maxwell_bloch.measured_points(), ("square", "square-open", "triangle-up")):
        data.append(scatter(
            [pt[xkey]], [pt["efficiency"]], f"measured {pt['duration_fs']:g} fs (paper)", mode="markers",
            error_y=dict(type="data", array=[pt["efficiency_err"]], visible=True, thickness=2),
            marker=dict(color=COLOR["measured"], size=11, symbol=symbol, line=dict(color=COLOR["measured"], width=2)),
            hovertemplate=f"measured {pt['duration_fs']:g} fs: %{{y:.3g}} at %{{x:.4g}} {xunit}<extra></extra>"))
    md = maxwell_bloch.model_derived_point()
    mdx = md["intensity_mj_cm2_fs"] * (tau if axis == "fluence" else 1.0)
    data.append(scatter([mdx], [md["stimulated_fraction"]],
                        f"paper's model, {md['stimulated_fraction']:.0%}",
                        mode="markers", marker=dict(color=COLOR["stim_rexs"], size=12, symbol="diamond"),
                        hovertemplate=f"paper model: %{{y:.2f}} at %{{x:.4g}} {xunit}<extra></extra>"))
    # Operating point of the sliders (the dotted vertical line belongs to it).
    x_now = params["fluence_mj_cm2"] if axis == "fluence" else params["fluence_mj_cm2"] / tau
    op_x, op_y, op_t = [x_now], [khd_at(params)], ["KHD"]
    if mb_curve is not None:
        y_mb = log_interp(params["fluence_mj_cm2"], mb_curve["fluence_mj_cm2"], mb_curve["efficiency"])
        if y_mb is not None:
            op_x.append(x_now), op_y.append(y_mb), op_t.append("Maxwell-Bloch")
    data.append(scatter(op_x, op_y, "at the sliders", mode="markers", text=op_t, legendgroup="op",
                        marker=dict(color=COLOR["operating"], size=14, symbol="star", line=dict(color="white", width=1)),
                        hovertemplate=f"%{{text}} at the sliders: %{{y:.3g}} (%{{x:.4g}} {xunit})<extra></extra>"))
    xr = [-1, 4] if axis == "fluence" else [-3, 4]
    layout = base_layout(
        large=large, uirevision=f"gain-{axis}", hovermode="closest", clickmode="event",
        xaxis=axis_(f"{'Fluence' if axis == 'fluence' else 'Intensity'} ({xunit})", type="log", range=xr,
                    exponentformat="power"),
        yaxis=axis_("Stimulated RIXS per absorbed photon", type="log", range=[-8, 0], exponentformat="power"),
    )
    # Spectrometer acceptance band and fluorescence yield: the scale of spontaneous emission.
    lo, hi = ACCEPTANCE[0] * FLUORESCENCE_YIELD, ACCEPTANCE[1] * FLUORESCENCE_YIELD
    layout["shapes"] += [
        dict(type="rect", xref="x domain", yref="y", x0=0, x1=1, y0=lo, y1=hi, fillcolor=BAND_FILL,
             line=dict(width=0), layer="below", showlegend=True,
             name="spectrometer's spontaneous RIXS"),
        hline(FLUORESCENCE_YIELD, color=COLOR["rixs"], name=f"fluorescence yield Yf = {FLUORESCENCE_YIELD:g}"),
        vline(x_now, color=COLOR["operating"], legendgroup="op"),
        beyond_measured(model.measured_range()["intensity_max_mj_cm2_fs"] * (tau if axis == "fluence" else 1.0),
                        in_legend=False),
    ]
    return dict(data=data, layout=layout)


def build_figure(params: dict, mb_curve: dict | None, *, axis: str = "fluence", mb_note: str = "",
                 large: bool = False) -> go.Figure:
    return as_figure(figure_dict(params, mb_curve, axis=axis, mb_note=mb_note, large=large))


def fluence_from_click(click: Any, axis: Any, params_data: Any):
    """Click on the gain figure (x = fluence or intensity, per the axis switch) -> fluence slider value."""
    return eng.fluence_from_click(click, params_data, x_is_intensity=(axis == "intensity"))


def layout(axis: str = AXIS_CHOICES[0]) -> html.Section:
    return figure_panel(
        [html.H2("Stimulated RIXS gain (Fig. 5)"),
         dcc.RadioItems(id=AXIS, value=axis, inline=True, className="radio compact",
                        options=[{"label": "vs fluence", "value": "fluence"},
                                 {"label": "vs intensity", "value": "intensity"}]),
         mb_jobs.status(mb_jobs.GAIN_STATUS)],
        GRAPH, NOTE, ids.GRAPHS["gain"].export_name,
        "Stimulated RIXS per absorbed photon. KHD: the paper's photon-number estimate, Eq. 4 (n_pk·Yf, solid), and "
        "this project's extension saturating at ½ per core hole (dashed), with the spike bandwidth capped by the "
        "pulse's transform limit. "
        "Maxwell-Bloch: three-level model with statistical SASE pulses (the paper's 775-777 eV over 777-779 eV "
        "extraction; bars: shot-to-shot spread; its ρ33 per core hole is drawn only where it differs from the "
        "efficiency by more than 5 %). Squares: the paper's measured points; diamond: the paper's model-derived 20 % at "
        "300 mJ/cm²/fs. The shaded band is what a spectrometer "
        "collects spontaneously, Yf·dΩ/4π for an acceptance dΩ/4π = 10⁻⁵–10⁻⁴; the gap to the curves is the stimulated "
        "enhancement. Shaded: beyond the paper's measurements (above 374 mJ/cm²/fs). The star and the dotted "
        "line mark the sliders' operating point. Click a curve to set the fluence.",
        "gain-panel", loading=False, key_numbers=("kpi-khd-card",),
    )


def make_update(engine):
    def update(params_data, ready, axis, large):
        params, error = eng.params_from_store(params_data)
        if error:
            return message_figure(error, large=is_large(large)), error
        key = eng.mb_key(params)
        curve, why = mb_jobs.curve_for(engine, "gain", key, ready)
        note = f"KHD at the sliders: {khd_at(params):.3g} stimulated RIXS per core hole."
        if curve is not None:
            y = log_interp(params["fluence_mj_cm2"], curve["fluence_mj_cm2"], curve["efficiency"])
            if y is not None:
                note += f" Maxwell-Bloch efficiency: {y:.3g}."
        axis = axis if axis in AXIS_CHOICES else "fluence"
        return figure_dict(params, curve, axis=axis, mb_note=why, large=is_large(large)), note
    return update


def register(app, cache) -> None:
    eng.register_figure(app, "gain", make_update(eng.make_engine(cache)),
                        Input(ids.MB_GAIN_STORE, "data"), Input(AXIS, "value"), Input(ids.LARGE, "value"))
    app.callback(
        Output(ids.FLUENCE_SLIDER, "value", allow_duplicate=True),
        Input(GRAPH, "clickData"), State(AXIS, "value"), State(ids.PARAMS, "data"),
        prevent_initial_call=True,
    )(fluence_from_click)
