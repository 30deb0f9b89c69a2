"""Key numbers (KPIs) of the current state, as text: what a lecture or a beamtime plan quotes.

The same formatted strings go into the CSV header (export.py) so that a download states exactly
the numbers on screen.
"""
from __future__ import annotations

import math

from dash import Input, Output, html

from physics import model
from physics.parameters import BY_NAME

from . import engine as eng
from . import ids
from .common import FEATURE_LABEL, FEATURE_MEANING

# (id suffix, label, unit); the order is the display order.
KPIS = (
    ("nonlinear-peak", "Peak transmission, nonlinear", ""),
    ("spontaneous-peak", "Peak transmission, spontaneous", ""),
    ("intensity", "Intensity F/τ", "mJ/cm²/fs"),
    ("npk", "Photons per mode n_pk", ""),
    ("khd", "KHD stimulated fraction", ""),
    ("te", "Hot-electron temperature", "K"),
    ("alpha", "Energy of α (stimulated-RIXS gain)", "eV"),
    ("beta", "Energy of β (redistribution loss)", "eV"),
    ("gamma", "Energy of γ (stimulated-REXS gain)", "eV"),
)


def kpi_values(result: model.ModelResult) -> dict[str, str]:
    """Formatted KPI strings (the page and the CSV both use these)."""
    s = model.summary(result)
    out = {
        "nonlinear-peak": f"{s['nonlinear_peak_transmission']:.3f}",
        "spontaneous-peak": f"{s['spontaneous_peak_transmission']:.3f}",
        "intensity": f"{s['intensity_mj_cm2_fs']:.4g}",
        "npk": f"{s['n_pk']:.3g}",
        "khd": f"{s['khd_stimulated_fraction']:.3g}",
        "te": f"{s['electron_temperature_k']:.0f}",
    }
    for name in ("alpha", "beta", "gamma"):
        pos = s["features_ev"].get(name)
        out[name] = f"{pos:.2f}" if pos is not None else "absent"
    return out


def layout() -> html.Section:
    cards = []
    for suffix, label, unit in KPIS:
        cards.append(html.Div(
            [html.Div(label, className="kpi-label"),
             html.Div([html.Span("—", id=f"kpi-{suffix}", className="kpi-value"),
                       html.Span(f" {unit}" if unit else "", className="kpi-unit", id=f"kpi-{suffix}-unit")])],
            className="kpi", title=FEATURE_MEANING.get(suffix, label), id=f"kpi-{suffix}-card",
        ))
    return html.Section([html.Div(cards, className="kpi-row"), html.P(id="kpi-note", className="figure-note")],
                        className="panel kpis", id="kpi-panel", **{"aria-label": "key numbers"})


def make_update(engine):
    """(params, upload) -> KPI texts, the α/β/γ unit labels and a note (flat tuple)."""
    def update(params_data, upload_data):
        result, note = eng.resolve(engine, params_data, upload_data)
        if result is None:
            return ("—",) * len(KPIS) + ("",) * 3 + (note,)
        v = kpi_values(result)
        units = tuple("" if v[n] == "absent" else " eV" for n in ("alpha", "beta", "gamma"))
        return tuple(v[s] for s, _, _ in KPIS) + units + (note,)
    return update


INTENSITY = "controls-intensity"


def intensity_line() -> html.Div:
    """I = F/tau, updated in the browser (also while either slider is dragged)."""
    return html.Div(id=INTENSITY, className="derived", role="status")


def register(app, cache) -> None:
    fluence, duration = BY_NAME["fluence_mj_cm2"], BY_NAME["duration_fs"]
    f_id, d_id = ids.FLUENCE_SLIDER, ids.control(ids.SPECTRA, "duration_fs", ids.SLIDER)
    app.clientside_callback(
        "function (f, d) { return window.dash_clientside.explorer.intensity(f, d, f, d, "
        f"{math.log10(fluence.minimum)!r}, {math.log10(fluence.maximum)!r}, "
        f"{duration.minimum!r}, {duration.maximum!r}); }}",
        Output(INTENSITY, "children"),
        Input(f_id, "value"), Input(d_id, "value"),  # while dragging: assets/explorer.js liveControls
    )
    engine = eng.make_engine(cache)
    app.callback(
        *[Output(f"kpi-{s}", "children") for s, _, _ in KPIS],
        *[Output(f"kpi-{n}-unit", "children") for n in ("alpha", "beta", "gamma")],
        Output("kpi-note", "children"),
        Input(ids.LIVE["kpis"].store, "data"), Input(ids.UPLOAD_STORE, "data"),
    )(make_update(engine))


__all__ = ["KPIS", "kpi_values", "layout", "register", "FEATURE_LABEL"]
