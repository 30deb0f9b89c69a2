"""Key numbers of the magnetic-scattering page, as text (what a beamtime plan quotes).

The same formatted strings go into the header of every CSV download (``magnetic_export``), so a
file states exactly the numbers on screen.  Formulas: q1 = 2π/P (centroid of the first-order ring),
ring radius L tan 2θ, ξ = 2π/FWHM, counts per pulse N_ph η(E) I_1 L_self, time per delay
t = SNR²/(4 R ΔM²), measured M = sqrt(IRF ⊗ m²) (see the panels' modules).
"""
from __future__ import annotations

from dash import Input, Output, html

from . import ids
from . import magnetic_engine as meng
from .common import fmt
from .magnetic_budget import duration_text

# (id suffix, label, unit, key in file headers); the order is the display order.
KPIS = (
    ("q1", "Ring position q₁", "nm⁻¹", "q1_nm_inv"),
    ("radius", "Ring radius on the detector", "mm", "ring_radius_mm"),
    ("xi", "Correlation length ξ = 2π/FWHM", "nm", "correlation_length_nm"),
    ("i3", "Harmonic ratio I₃/I₁", "", "harmonic_ratio_3"),
    ("best-energy", "Best photon energy", "eV", "best_energy_ev"),
    ("counts", "Ring photons per pulse", "", "ring_photons_per_pulse"),
    ("time", "Time per delay for ΔM", "", "time_per_delay"),
    ("m-delay", "M seen at the delay", "", "m_measured_at_delay"),
    ("step", "Step the probe sees", "", "step_seen"),
    ("kept", "Scattering the probe keeps", "", "self_demag_retained"),
)


def kpi_values(result) -> dict[str, str]:
    """Formatted KPI strings (the page and the CSV headers both use these)."""
    pr, b, d = result.profiles, result.budget, result.dynamics
    i3 = pr.harmonic_ratios.get("3")
    return {
        "q1": fmt(pr.q1_nm_inv, 4),
        "radius": f"{pr.ring_radius_mm:.2f}",
        "xi": "resolution-limited" if pr.resolution_limited else f"{pr.correlation_length_nm:.0f}",
        "i3": fmt(i3, 3),
        "best-energy": f"{result.spectrum.best_energy_ev:.2f}",
        "counts": fmt(b.counts_per_pulse, 3),
        "time": duration_text(b.acquisition_time_s),
        "m-delay": f"{d.m_measured_at_delay:.3f}",
        "step": f"{d.steps[d.chosen]:.3f}",
        "kept": f"{result.self_demag.sources[d.chosen]['retained']:.3f}",
    }


def kpi_header(result) -> list[tuple[str, str]]:
    """(file-header key, value as shown) in display order: a download states the numbers on screen."""
    v = kpi_values(result)
    return [(file_key, v[key]) for key, _, _, file_key in KPIS]


def layout() -> html.Section:
    cards = [html.Div([html.Div(label, className="kpi-label"),
                       html.Div([html.Span("—", id=f"mag-kpi-{key}", className="kpi-value"),
                                 html.Span(f" {unit}" if unit else "", className="kpi-unit")])],
                      className="kpi") for key, label, unit, _ in KPIS]
    return html.Section([html.Div(cards, className="kpi-row"), html.P(id="mag-kpi-note", className="figure-note")],
                        className="panel kpis", id="magnetic-kpi-panel", **{"aria-label": "key numbers"})


def make_update(engine: meng.Engine):
    def update(record):
        result, note = meng.resolve(engine, record)
        if result is None:
            return ("—",) * len(KPIS) + (note,)
        v = kpi_values(result)
        d, p = result.dynamics, result.params
        text = (f"{result.source.label} at {fmt(d.delay_ps, 4)} ps, {p['energy_ev']:g} eV, {p['thickness_nm']:g} nm Co; "
                f"ΔM = {p['delta_m']:g} at SNR {p['snr']:g}.")
        return tuple(v[k] for k, *_ in KPIS) + (text,)
    return update


def register(app, cache) -> None:
    app.callback(*[Output(f"mag-kpi-{k}", "children") for k, *_ in KPIS], Output("mag-kpi-note", "children"),
                 Input(ids.MAG_RESULT, "data"))(make_update(meng.make_engine(cache)))
