"""Difference spectrum and its three-channel decomposition (paper Figs. 2c-h and 3b-c).

What a measurement sees is the change of transmitted *intensity*, nonlinear minus spontaneous
(= incident x 0.55 x the change of transmission).  The model splits it exactly into stimulated
RIXS (gain near 774.5 eV, alpha), stimulated REXS (gain at the resonance, gamma) and the
hot-electron redistribution (loss below E_F, beta; gain above).  The toggle shows the same
channels as changes of transmission in units of the XAS maximum (Fig. 3b-c), which do not
depend on where the pulse has photons.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from dash import Input, dcc, html

from physics.constants import BACKGROUND_TRANSMISSION

from . import engine as eng
from . import ids
from .common import (
    CHANNELS,
    COLOR,
    ENERGY_RANGE_EV,
    FEATURE_LABEL,
    FEATURE_MEANING,
    as_figure,
    axis,
    base_layout,
    figure_panel,
    hline,
    is_large,
    label,
    message_figure,
    round_energy,
    round_sig,
    scatter,
    vline,
)

GRAPH = ids.GRAPHS["difference"].id
NOTE = ids.GRAPHS["difference"].note
UNITS = ids.DIFFERENCE_UNITS
UNIT_CHOICES = ("intensity", "transmission")
def difference_columns(result, units: str = "intensity") -> dict[str, list]:
    """The numbers drawn (and exported): total change and the three channel contributions."""
    if units == "transmission":
        scale = 1.0 / result.channels.a_max  # dT in units of the XAS maximum (Fig. 3b-c)
        suffix = "_dT_per_xas_max"
        total = (result.nonlinear_transmission - result.spontaneous_transmission) * scale
    else:
        scale = result.incident * BACKGROUND_TRANSMISSION  # intensity change, mJ/cm^2/eV (Fig. 2)
        suffix = "_mj_cm2_ev"
        total = result.difference
    cols = {"energy_ev": round_energy(result.energy_ev), "difference" + suffix: round_sig(total)}
    for key, _ in CHANNELS:
        cols[key + suffix] = round_sig(getattr(result, key) * scale)
    return cols


def feature_text(result) -> str:
    parts = []
    for name in ("alpha", "beta", "gamma"):
        pos = result.features_ev.get(name)
        where = f"{pos:.2f} eV" if pos is not None else "absent"
        parts.append(f"{FEATURE_LABEL[name]} ({FEATURE_MEANING[name]}): {where}")
    return "; ".join(parts)


def figure_dict(result, *, units: str = "intensity", large: bool = False) -> dict:
    """ModelResult -> difference spectrum with channels and alpha/beta/gamma markers (pure)."""
    units = units if units in UNIT_CHOICES else "intensity"
    cols = difference_columns(result, units)
    keys = list(cols)
    x = cols["energy_ev"]
    unit = "mJ/cm²/eV" if units == "intensity" else "of XAS max"
    hover = f"%{{y:.3g}} {unit}"
    data = []
    for (key, name), col in zip(CHANNELS, keys[2:]):
        data.append(scatter(x, cols[col], name, line=dict(color=COLOR[key], width=2, dash="dash"), hovertemplate=hover))
    total = cols[keys[1]]
    data.append(scatter(x, total, "total (nonlinear − spontaneous)", line=dict(color=COLOR["difference"], width=3),
                        hovertemplate=hover))
    e = np.asarray(x)
    mx, my, mt = [], [], []
    for name in ("alpha", "beta", "gamma"):
        pos = result.features_ev.get(name)
        if pos is None:
            continue
        i = int(np.argmin(np.abs(e - pos)))
        mx.append(x[i])
        my.append(total[i])
        mt.append(FEATURE_LABEL[name])
    data.append(scatter(mx, my, "features α β γ", mode="markers+text", text=mt, textposition="top center",
                        marker=dict(size=12, color="white", line=dict(color="black", width=2), symbol="circle"),
                        textfont=dict(size=16 if not large else 22),
                        hovertemplate="%{text} at %{x:.2f} eV<extra></extra>"))
    ytitle = "Intensity change (mJ/cm²/eV)" if units == "intensity" else "ΔT (units of XAS maximum)"
    layout = base_layout(large=large, uirevision="energy", xaxis=axis("Photon energy (eV)", range=list(ENERGY_RANGE_EV)),
                         yaxis=axis(ytitle))
    layout["shapes"] += [hline(0.0, color="#999", dash="solid", width=1),
                         vline(float(result.params["center_ev"]), color=COLOR["operating"])]
    absent = [FEATURE_LABEL[n] for n in ("alpha", "beta", "gamma") if result.features_ev.get(n) is None]
    if absent:
        layout["annotations"].append(label(f"absent: {' '.join(absent)}", x=0.99, y=0.97, xanchor="right",
                                           color=COLOR["nonlinear"]))
    return dict(data=data, layout=layout)


def build_figure(result, *, units: str = "intensity", large: bool = False) -> go.Figure:
    return as_figure(figure_dict(result, units=units, large=large))


def layout(units: str = UNIT_CHOICES[0]) -> html.Section:
    return figure_panel(
        [html.H2("Difference spectrum and channels (Figs. 2c-h, 3b-c)"),
         dcc.RadioItems(id=UNITS, value=units, inline=True, className="radio compact",
                        options=[{"label": "intensity change", "value": "intensity"},
                                 {"label": "change of transmission", "value": "transmission"}])],
        GRAPH, NOTE, ids.GRAPHS["difference"].export_name,
        "Nonlinear minus spontaneous transmitted spectrum (black) and its exact split into stimulated RIXS "
        "(green, α ≈ 774.5 eV), stimulated REXS (orange, γ at the resonance) and hot-electron redistribution "
        "(purple: loss β below E_F = 777.5 eV, gain above). The intensity view multiplies each change of "
        "transmission by the incident pulse: no photons, no signal.",
        "difference-panel",
    )


def make_update(engine):
    def update(params_data, upload_data, units, large):
        result, note = eng.resolve(engine, params_data, upload_data)
        if result is None:
            return message_figure(note or "No valid parameters.", large=is_large(large)), note
        units = units if units in UNIT_CHOICES else "intensity"
        text = feature_text(result) + (f" — {note}" if note else "")
        return figure_dict(result, units=units, large=is_large(large)), text
    return update


def register(app, cache) -> None:
    eng.register_figure(app, "difference", make_update(eng.make_engine(cache)),
                        Input(ids.UPLOAD_STORE, "data"), Input(UNITS, "value"), Input(ids.LARGE, "value"))
