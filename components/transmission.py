"""Peak resonant transmission versus intensity (paper Fig. 6).

Two-level optical Bloch equations with statistical SASE pulses, propagated slice by slice
through the 25 nm Co film (background job), compared with the analytic three-channel model's
own peak transmission at the same pulse settings (instant).  The paper's numbers: 32 % at low
intensity, about 62 % at 300 mJ/cm^2/fs.  Clicking a curve sets the fluence (I x duration).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from dash import Input, Output, State, html

from physics import maxwell_bloch, model

from . import engine as eng
from . import ids, mb_jobs
from .common import (
    COLOR,
    as_figure,
    axis,
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

GRAPH = ids.GRAPHS["transmission"].id
NOTE = ids.GRAPHS["transmission"].note


def analytic_curve(engine: eng.Engine, params: dict) -> dict[str, list]:
    """The channel model's intrinsic peak transmission vs intensity (memoized; no fluence in the key)."""
    return engine.analytic_transmission(params)


def figure_dict(params: dict, analytic: dict, bloch_curve: dict | None, *, current_t: float,
                spontaneous_t: float | None = None, mb_note: str = "", large: bool = False) -> dict:
    """Params + curves -> Fig. 6 as a figure dict (pure).

    The paper's two numbers (32 % at low intensity, about 62 % at 300 mJ/cm²/fs), the three-channel
    model for this pulse, and two two-level Bloch curves on the same SASE pulses: the atomic dipole
    (bleaches little) and the Eq. 4 (KHD) stimulated rate (``maxwell_bloch.TRANSMISSION_MODELS``,
    docs/maxwell_bloch.md); intensities above the paper's highest measured one are shaded."""
    tau = params["duration_fs"]
    low, top = maxwell_bloch.paper_fig6_points()
    data = [
        scatter([top["intensity_mj_cm2_fs"]], [top["peak_transmission"]], top["label"], mode="markers",
                marker=dict(color=COLOR["measured"], size=12, symbol="square"),
                hovertemplate="paper Fig. 6: %{y:.2f} at %{x} mJ/cm²/fs<extra></extra>"),
        scatter(analytic["intensity_mj_cm2_fs"], analytic["analytic_peak_transmission"], "three-channel model (this pulse)",
                mode="lines", line=dict(color=COLOR["nonlinear"], width=2.5, dash="dash"),
                hovertemplate="channel model: T = %{y:.3f} at %{x:.3g} mJ/cm²/fs<extra></extra>"),
    ]
    i_now = params["fluence_mj_cm2"] / tau
    op_x, op_y, op_t = [i_now], [current_t], ["channel model"]
    if bloch_curve is not None:
        xs = np.asarray(bloch_curve["intensity_mj_cm2_fs"], float)
        n = bloch_curve.get("n_pulses", "?")
        for key, std_key, name, color, dash in (
                ("khd_peak_transmission", "khd_std", f"Bloch, Eq. 4 rate ({n} pulses)", COLOR["mb"], "solid"),
                ("peak_transmission", "std", f"Bloch, atomic dipole ({n} pulses)", COLOR["khd"], "solid")):
            if key not in bloch_curve:
                continue
            t = np.asarray(bloch_curve[key], float)
            data.append(scatter(
                round_each(xs, 4), round_each(t, 4), name, mode="lines+markers",
                line=dict(color=color, width=2.5, dash=dash), marker=dict(size=7),
                error_y=dict(type="data", array=round_each(bloch_curve[std_key], 3), visible=True, thickness=1),
                hovertemplate=name.split(" (")[0] + ": T = %{y:.3f} at %{x:.3g} mJ/cm²/fs<extra></extra>"))
            if xs.min() <= i_now <= xs.max():
                op_x.append(i_now)
                op_y.append(float(np.interp(math.log10(i_now), np.log10(xs), t)))
                op_t.append(name.split(" (")[0])
    elif mb_note:
        data.append(scatter([None], [None], pending_name("two-level Bloch curves", mb_note)[:90], mode="lines",
                            hoverinfo="skip", line=dict(color=COLOR["khd"], width=2.5, dash="dot")))
    data.append(scatter(op_x, op_y, "at the sliders", mode="markers", text=op_t, legendgroup="op",
                        marker=dict(color=COLOR["operating"], size=14, symbol="star", line=dict(color="white", width=1)),
                        hovertemplate="%{text} at the sliders: T = %{y:.3f} (%{x:.3g} mJ/cm²/fs)<extra></extra>"))
    layout = base_layout(
        large=large, uirevision="transmission", hovermode="closest", clickmode="event",
        xaxis=axis("Intensity (mJ/cm²/fs)", type="log", range=[-2, 3], exponentformat="power"),
        yaxis=axis("Peak transmission (L3 max.)", range=[0.2, 1.0]),
    )
    layout["shapes"] += [hline(low["peak_transmission"], color=COLOR["spontaneous"],
                               name=f"paper: {low['peak_transmission']:.0%} at low intensity"),
                         beyond_measured(model.measured_range()["intensity_max_mj_cm2_fs"], in_legend=False),
                         vline(i_now, color=COLOR["operating"], legendgroup="op")]
    if spontaneous_t is not None:
        layout["shapes"].append(hline(spontaneous_t, color=COLOR["spontaneous"], dash="dash",
                                      name=f"film model, low intensity: {spontaneous_t:.3f}"))
    return dict(data=data, layout=layout)


def build_figure(params: dict, analytic: dict, bloch_curve: dict | None, *, current_t: float,
                 spontaneous_t: float | None = None, mb_note: str = "", large: bool = False) -> go.Figure:
    return as_figure(figure_dict(params, analytic, bloch_curve, current_t=current_t, spontaneous_t=spontaneous_t,
                                 mb_note=mb_note, large=large))


def fluence_from_click(click: Any, params_data: Any):
    """Click (x = intensity) -> fluence slider value; no_update for anything unusable."""
    return eng.fluence_from_click(click, params_data, x_is_intensity=True)


def layout() -> html.Section:
    return figure_panel(
        [html.H2("Peak transmission vs intensity (Fig. 6)"), mb_jobs.status(mb_jobs.TRANSMISSION_STATUS)],
        GRAPH, NOTE, ids.GRAPHS["transmission"].export_name,
        "Resonant transmission at the L3 maximum (background excluded) versus intensity I = F/τ. Solid: "
        "two-level optical Bloch equations with statistical SASE pulses propagated through the film (bars: "
        "shot-to-shot spread), with the atomic dipole (it bleaches little: 0.35 at 300 mJ/cm²/fs) and with the "
        "paper's Eq. 4 (KHD) stimulated rate, which reaches about 0.58 without a free parameter "
        "(docs/maxwell_bloch.md). Dashed: the analytic three-channel model for the same pulse. Horizontal lines: "
        "the paper's 32 % and the measured film's low-intensity value. Shaded: intensities beyond the paper's "
        "measurements, where the models are extrapolated. The star and the dotted vertical line mark the sliders' operating point. "
        "Click to set the fluence.",
        "transmission-panel", loading=False, key_numbers=("kpi-nonlinear-peak-card", "kpi-intensity-card"),
    )


def make_update(engine):
    def update(params_data, ready, large):
        params, error = eng.params_from_store(params_data)
        if error:
            return message_figure(error, large=is_large(large)), error
        try:
            analytic = analytic_curve(engine, params)
            result = engine.evaluate(params)
            summary = model.summary(result)
        except ValueError as exc:
            return message_figure(str(exc), large=is_large(large)), str(exc)
        current_t = summary["nonlinear_peak_transmission"]
        curve, why = mb_jobs.curve_for(engine, "transmission", eng.mb_key(params), ready)
        note = f"Channel model at the sliders: T = {current_t:.3f}."
        if curve is not None:
            parts = [f"{label} {np.interp(math.log10(300.0), np.log10(curve['intensity_mj_cm2_fs']), curve[k]):.2f}"
                     for k, label in (("peak_transmission", "atomic dipole"), ("khd_peak_transmission", "Eq. 4 rate"))
                     if k in curve]
            note += (f" Bloch at 300 mJ/cm²/fs: {', '.join(parts)} (low-intensity limit "
                     f"{curve['linear_transmission']:.3f}).")
        extrapolation = result.extrapolation.get("note") if isinstance(result.extrapolation, dict) else ""
        if extrapolation:
            note += " " + extrapolation
        return figure_dict(params, analytic, curve, current_t=current_t,
                           spontaneous_t=summary["spontaneous_peak_transmission"], mb_note=why,
                           large=is_large(large)), note
    return update


def register(app, cache) -> None:
    eng.register_figure(app, "transmission", make_update(eng.make_engine(cache)),
                        Input(ids.MB_TRANSMISSION_STORE, "data"), Input(ids.LARGE, "value"))
    app.callback(
        Output(ids.FLUENCE_SLIDER, "value", allow_duplicate=True),
        Input(GRAPH, "clickData"), State(ids.PARAMS, "data"),
        prevent_initial_call=True,
    )(fluence_from_click)
