"""Difference spectrum and its three-channel decomposition (paper Figs. 2c-h and 3b-c).

What a measurement sees is the change of transmitted *intensity*, nonlinear minus spontaneous
(= incident x 0.55 x the change of transmission).  The model splits it exactly into stimulated
RIXS (gain near 774.5 eV, alpha), stimulated REXS (gain at the resonance, gamma) and the
hot-electron redistribution (loss below E_F, beta; gain above).  The toggle shows the same
channels as changes of transmission in units of the XAS maximum (Fig. 3b-c), which do not
depend on where the pulse has photons.
"""
from __future__ import annotations

from types import MappingProxyType

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


FEATURE_TICK_COLOR = MappingProxyType({"alpha": COLOR["stim_rixs"], "beta": COLOR["redistribution"],
                                       "gamma": COLOR["stim_rexs"]})
FEATURES_AXIS = "xaxis3"  # top axis whose ticks are the feature energies (not 'xaxis2': the zoom link's)


STAGGER_EV = 1.5  # closer features than this alternate between two label rows (phones: ~9 px per eV)


def _staggered(present: list[tuple[str, float]]) -> list[str]:
    """Tick letters; a letter within STAGGER_EV of the one before it goes one row up."""
    out, raised = [], False
    for i, (name, x) in enumerate(present):
        raised = (not raised) if i and x - present[i - 1][1] < STAGGER_EV else False
        out.append(FEATURE_LABEL[name] + ("<br> " if raised else ""))
    return out


def feature_axis(result, large: bool = False) -> dict:
    """The top axis: a tick and a letter at each feature energy (outside the data, never on it).

    Absent features are named in the axis title, so the figure itself says what is missing."""
    pos = [(n, result.features_ev.get(n)) for n in ("alpha", "beta", "gamma")]
    present = [(n, x) for n, x in pos if x is not None]
    absent = [FEATURE_LABEL[n] for n, x in pos if x is None]
    title = "features" + (f" (absent: {' '.join(absent)})" if absent else "")
    return dict(
        overlaying="x", side="top", matches="x", anchor="y", showgrid=False, zeroline=False, showline=False,
        ticks="outside", ticklen=8, tickcolor=COLOR["difference"], automargin=True, tickangle=0,
        tickvals=[x for _, x in present], ticktext=_staggered(present),
        tickfont=dict(size=16 if not large else 22), title=dict(text=title, standoff=2, font=dict(size=11 if not large else 16)),
    )


def figure_dict(result, *, units: str = "intensity", large: bool = False) -> dict:
    """ModelResult -> difference spectrum with its channels; α/β/γ as ticks on the top edge (pure)."""
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
    ytitle = "Intensity change (mJ/cm²/eV)" if units == "intensity" else "ΔT (units of XAS maximum)"
    layout = base_layout(large=large, uirevision="energy", xaxis=axis("Photon energy (eV)", range=list(ENERGY_RANGE_EV)),
                         yaxis=axis(ytitle))
    layout[FEATURES_AXIS] = feature_axis(result, large)
    # Plotly draws an axis only for a subplot with a trace: an empty one carries the top axis.
    data.append(scatter([x[0], x[-1]], [None, None], "", xaxis="x3", showlegend=False, hoverinfo="skip"))
    layout["shapes"] += [hline(0.0, color=COLOR["reference"], dash="solid", width=1),
                         vline(float(result.params["center_ev"]), color=COLOR["operating"],
                               name=f"pulse centre {float(result.params['center_ev']):g} eV")]
    # Short ticks hanging from the top edge at the feature energies, in the colour of their channel.
    for name in ("alpha", "beta", "gamma"):
        pos = result.features_ev.get(name)
        if pos is not None:
            layout["shapes"].append(dict(type="line", xref="x", yref="y domain", x0=pos, x1=pos, y0=0.95, y1=1.0,
                                         line=dict(color=FEATURE_TICK_COLOR[name], width=3), showlegend=False))
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
        "(green), stimulated REXS (orange) and hot-electron redistribution (purple: loss below E_F = 777.5 eV, "
        "gain above). Ticks on the top edge mark the features, with their energies below the figure: "
        "α, the largest intensity gain from stimulated RIXS and redistribution below β; β, the deepest loss "
        "of REXS and redistribution within 2.5 eV below E_F; γ, the largest total gain above E_F − 0.5 eV. "
        "The intensity view multiplies each change of transmission by the incident pulse: no photons, no signal.",
        "difference-panel", key_numbers=("kpi-alpha-card", "kpi-beta-card", "kpi-gamma-card"),
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
