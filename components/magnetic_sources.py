"""Probe sources compared, with where every number comes from (published or an editable assumption).

The input numbers and their provenance are ``physics.probe_sources`` (e.g. the plasma source's
9 ps and 1 eV are published by Lunin et al. 2025, its flux and repetition rate are not); the
derived columns are this state's model results: ring photons per pulse and per second, the time
per delay to resolve ΔM, the step each probe records, the scattering it keeps (self-demagnetisation).
Does not depend on the delay.
"""
from __future__ import annotations

from dash import Input, Output, State, html

from . import ids
from . import magnetic_engine as meng
from .common import fmt
from .magnetic_budget import duration_text
from .magnetic_dynamics import SOURCE_COLOR

TABLE_ID = "magnetic-sources-table"
NOTE_ID = "magnetic-sources-note"
PUBLISHED_MARK = "✓"
ASSUMPTION_MARK = "*"
INPUTS = (("resolution_ps", "time resolution", "ps"), ("photons_per_pulse", "photons / pulse on sample", ""),
          ("rep_rate_hz", "repetition rate", "Hz"), ("bandwidth_ev", "bandwidth", "eV"), ("spot_um", "spot", "µm"),
          ("pulse_fs", "X-ray pulse", "fs"))
DERIVED = ("ring photons / pulse", "ring photons / s", "time per delay for ΔM", "step it sees", "scattering kept")


def provenance_cell(source, key: str) -> html.Td:
    """A number with its provenance: ✓ published (with reference) or * assumption, also as a tooltip."""
    text = str(source.provenance.get(key, "assumption"))
    published = text.startswith("published")
    mark = PUBLISHED_MARK if published else ASSUMPTION_MARK
    return html.Td([fmt(float(getattr(source, key)), 3), html.Span(mark, className="prov-mark")], title=text,
                   className="published" if published else "assumption", **{"aria-label": f"{fmt(float(getattr(source, key)), 3)}, {text}"})


def source_rows(result) -> list[dict]:
    """Every source's numbers (inputs and derived) as plain values (tests and exports)."""
    rows = []
    for name, s in result.sources.items():
        b = result.budget.per_source[name]
        rows.append(dict(source=name, label=s.label, **{k: float(getattr(s, k)) for k, _, _ in INPUTS},
                         counts_per_pulse=b["counts_per_pulse"], counts_per_second=b["counts_per_second"],
                         acquisition_time_s=b["acquisition_time_s"], measured_step=b["measured_step"],
                         self_retained=b["self_retained"],
                         provenance={k: str(s.provenance.get(k, "assumption")) for k, _, _ in INPUTS}))
    return rows


def table(result) -> html.Table:
    head = html.Tr([html.Th("source", scope="col"),
                    *[html.Th(f"{label}{f' ({unit})' if unit else ''}", scope="col") for _, label, unit in INPUTS],
                    *[html.Th(label, scope="col", className="derived-col") for label in DERIVED]])
    body = []
    for name, s in result.sources.items():
        b = result.budget.per_source[name]
        chosen = name == result.dynamics.chosen
        body.append(html.Tr(
            [html.Th([html.Span("●", style={"color": SOURCE_COLOR.get(name, "#7F7F7F")}, className="swatch"), s.label],
                     scope="row"),
             *[provenance_cell(s, k) for k, _, _ in INPUTS],
             html.Td(fmt(b["counts_per_pulse"], 3), className="derived-col"),
             html.Td(fmt(b["counts_per_second"], 3), className="derived-col"),
             html.Td(duration_text(b["acquisition_time_s"]), className="derived-col"),
             html.Td(f"{b['measured_step']:.2f}", className="derived-col"),
             html.Td(f"{b['self_retained']:.3f}", className="derived-col")],
            className="chosen" if chosen else None))
    return html.Table([html.Thead(head), html.Tbody(body)], className="sources-table")


def layout() -> html.Section:
    return html.Section([
        html.H2("Probe sources compared: published numbers and assumptions"),
        html.Div(html.P("Loading…"), id=TABLE_ID, className="table-scroll", tabIndex="0",
                 role="region", **{"aria-label": "probe sources table"}),
        html.P([f"{PUBLISHED_MARK} published (hover for the reference) — {ASSUMPTION_MARK} editable assumption, not a "
                "published number (choose the custom source to change it). Derived columns: this model for the "
                "current sample, energy and ΔM; the chosen source is highlighted."], className="caption"),
        html.P(id=NOTE_ID, className="figure-note", role="status"),
    ], className="panel", id="magnetic-sources-panel")


def make_update(engine: meng.Engine):
    def update(_static, record):
        result, note = meng.resolve(engine, record)
        if result is None:
            return html.P(note or "No valid parameters."), note
        return table(result), ""
    return update


def register(app, cache) -> None:
    app.callback(Output(TABLE_ID, "children"), Output(NOTE_ID, "children"),
                 Input(ids.MAG_STATIC, "data"), State(ids.MAG_RESULT, "data"))(make_update(meng.make_engine(cache)))
