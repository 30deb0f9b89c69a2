"""Downloads of the magnetic-scattering page: one CSV per table, the parameters as JSON, and the
PNG/SVG format of every graph's camera button.

The columns come from the same functions that feed the figures (``*_columns``, same rounding) and
the header repeats every parameter and the key numbers exactly as the page shows them: what you
download is what you see.  The probe source is in the file name.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

from dash import Input, Output, State, dcc, html, no_update

from physics import probe_sources
from physics import scattering_parameters as sp

from . import downloads, ids
from . import magnetic_engine as meng
from .common import notice
from .magnetic_budget import budget_columns
from .magnetic_dynamics import dynamics_columns
from .magnetic_profile import profile_columns
from .magnetic_readouts import kpi_header
from .magnetic_selfdemag import selfdemag_columns
from .magnetic_sources import source_rows
from .magnetic_spectrum import spectrum_columns
from .url_state import encode_query
from .validation import choice

APP_TITLE = "Nonlinear X-ray Spectra Explorer — magnetic scattering"
PAPER_PLAIN = "L. Lunin et al. Light Sci. Appl. 14 394 (2025)"  # comma-free, for CSV headers
TABLE_MENU = "magnetic-export-table"
CSV_BUTTON = "magnetic-export-csv-button"
JSON_BUTTON = "magnetic-export-json-button"
CSV_DOWNLOAD = "magnetic-export-csv-download"
JSON_DOWNLOAD = "magnetic-export-json-download"
MESSAGE = "magnetic-export-message"
IMAGE_FORMAT = "magnetic-export-image-format"


def sources_columns(result) -> dict[str, list]:
    rows = source_rows(result)
    keys = [k for k in rows[0] if k != "provenance"]
    cols = {k: [r[k] for r in rows] for k in keys}
    for k in rows[0]["provenance"]:
        cols[f"provenance_{k}"] = [r["provenance"][k] for r in rows]
    return cols


# table key -> (menu label, columns of a result)
TABLES = MappingProxyType({
    "dynamics": ("M(t) and q1(t): true and per source", dynamics_columns),
    "profile": ("Radial profile before/after", profile_columns),
    "spectrum": ("Magnetic-SAXS spectrum and XAS", spectrum_columns),
    "budget": ("Acquisition time vs ΔM per source", budget_columns),
    "selfdemag": ("Self-demagnetisation vs probe fluence", selfdemag_columns),
    "sources": ("Probe sources: numbers and provenance", sources_columns),
})


def header(result, table: str) -> list[tuple[str, Any]]:
    """Every parameter and the key numbers as shown, under lower-case keys."""
    p = result.params
    rows: list[tuple[str, Any]] = [("app", APP_TITLE), ("model_after", PAPER_PLAIN), ("table", TABLES[table][0]),
                                   ("source_label", result.source.label)]
    rows += [(name, p[name]) for name in (q.name for q in sp.PARAMETERS)]
    rows += kpi_header(result)
    rows.append(("note", "model output for planning; published numbers and assumptions as marked in the page"))
    return rows


def table_csv(result, table: str) -> str:
    return downloads.write_table(TABLES[table][1](result), header(result, table))


def stem(params: dict) -> str:
    return downloads.file_stem("magnetic", params["source"], params["pattern"], f"P{params['period_nm']:g}nm",
                               f"E{params['energy_ev']:g}eV", f"t{params['delay_ps']:g}ps")


def params_json(spec, params: dict) -> str:
    source = probe_sources.source_for(params)
    return downloads.json_text({
        "app": APP_TITLE, "paper": "Lunin et al., Light Sci. Appl. 14, 394 (2025)", "parameters": params,
        "units": {q.name: q.unit for q in sp.PARAMETERS},
        "source": source.as_dict(),
        "url_query": encode_query(spec, params),
    })


def make_callbacks(engine: meng.Engine, spec):
    def download_csv(n, table, record):
        if not n:
            return no_update, ""
        table = choice(table, tuple(TABLES))  # client data: anything else -> the first table
        result, note = meng.resolve(engine, record)
        if result is None:
            return no_update, notice(note or "Nothing to export.", "error", target=MESSAGE)
        return downloads.download(table_csv(result, table), f"{stem(result.params)}_{table}.csv", "text/csv"), ""

    def download_json(n, params_data):
        if not n:
            return no_update, ""
        params, error = meng.params_from_store(params_data)
        if error:
            return no_update, notice(error, "error", target=MESSAGE)
        return downloads.download(params_json(spec, params), f"{stem(params)}_parameters.json", "application/json"), ""

    return download_csv, download_json


def image_configs(fmt: Any) -> tuple[dict, ...]:
    return downloads.image_configs(fmt, [g.export_name for g in ids.MAG_GRAPHS.values()])


def layout() -> html.Section:
    return html.Section(
        [
            html.H2("Export"),
            html.Label("Table", htmlFor=TABLE_MENU, className="inline-label"),
            dcc.Dropdown(id=TABLE_MENU, options=[{"label": v[0], "value": k} for k, v in TABLES.items()],
                         value="dynamics", clearable=False, searchable=False, className="export-menu"),
            html.Div([
                html.Button("Table CSV", id=CSV_BUTTON, className="button"),
                html.Button("Parameters JSON", id=JSON_BUTTON, className="button"),
            ], className="button-row"),
            html.Div([
                html.Span("Camera button saves figures as ", className="inline-label"),
                dcc.RadioItems(id=IMAGE_FORMAT, value="png", inline=True, className="radio compact",
                               options=[{"label": "PNG (slides)", "value": "png"},
                                        {"label": "SVG (papers)", "value": "svg"}]),
            ], className="image-format"),
            html.P("CSV: one table per file, the column names, then '# key = value' lines (pandas: "
                   "read_csv(path, comment='#')).", className="hint"),
            html.Div(id=MESSAGE, className="notice", role="status"),
            dcc.Download(id=CSV_DOWNLOAD),
            dcc.Download(id=JSON_DOWNLOAD),
        ],
        className="panel export", id="magnetic-export-panel",
    )


def register(app, cache, spec) -> None:
    csv_cb, json_cb = make_callbacks(meng.make_engine(cache), spec)
    app.callback(
        Output(CSV_DOWNLOAD, "data"), Output(MESSAGE, "children"),
        Input(CSV_BUTTON, "n_clicks"), State(TABLE_MENU, "value"), State(ids.MAG_RESULT, "data"),
        prevent_initial_call=True,
    )(csv_cb)
    app.callback(
        Output(JSON_DOWNLOAD, "data"), Output(MESSAGE, "children", allow_duplicate=True),
        Input(JSON_BUTTON, "n_clicks"), State(ids.MAG_PARAMS, "data"),
        prevent_initial_call=True,
    )(json_cb)
    app.callback(*[Output(g.id, "config") for g in ids.MAG_GRAPHS.values()], Input(IMAGE_FORMAT, "value"),
                 prevent_initial_call=True)(image_configs)
