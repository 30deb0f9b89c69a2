"""Downloads: spectra CSV, curves CSV and the parameters as JSON (dcc.Download).

The CSV columns are produced by the same functions that feed the figures (``*_columns``), with
the same rounding, and the header repeats the key numbers exactly as the page shows them: what
you download is what you see.  PNG/SVG come from each graph's toolbar (no server involved).
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from dash import Input, Output, State, dcc, html, no_update

from physics import parameters

from . import engine as eng
from . import ids, mb_jobs
from .common import graph_config, round_sig, svg_config
from .difference import difference_columns
from .gain import khd_curve, mb_columns
from .model_spectra import model_columns
from .readouts import KPIS, kpi_values
from .spectra import spectra_columns
from .transmission import analytic_curve
from .url_state import encode_query

APP_TITLE = "Nonlinear X-ray Spectra Explorer"
IMAGE_FORMAT = "export-image-format"
PAPER = "Higley et al., Nat. Commun. 13, 5969 (2022)"


def _header(params: dict, note: str = "") -> list[list[str]]:
    rows = [[f"# {APP_TITLE} — model after {PAPER}"]]
    for p in parameters.PARAMETERS:
        rows.append([f"# {p.name}", str(params[p.name]), p.unit])
    if note:
        rows.append([f"# note: {note}"])
    return rows


def _write(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerows(rows)
    return buf.getvalue()


def _table(cols: dict[str, list]) -> list[list[Any]]:
    names = list(cols)
    return [names] + [list(r) for r in zip(*(cols[n] for n in names))]


def spectra_csv(result, note: str = "") -> str:
    """All spectral columns the three spectral figures draw, one row per grid energy."""
    rows = _header(dict(result.params), note)
    for (suffix, label, unit), value in zip(KPIS, (kpi_values(result)[s] for s, _, _ in KPIS)):
        rows.append([f"# {label}", value, unit if value != "absent" else ""])
    cols = dict(spectra_columns(result))
    for c in (difference_columns(result, "intensity"), difference_columns(result, "transmission"), model_columns(result)):
        cols.update({k: v for k, v in c.items() if k != "energy_ev"})
    return _write(rows + _table(cols))


def curves_csv(engine: eng.Engine, params: dict) -> str:
    """KHD, Maxwell-Bloch (if computed) and transmission curves, as plotted."""
    rows = _header(params)
    rows += [[], ["# KHD stimulated fraction (paper Eqs. 3-4)"]] + _table(khd_curve(params))
    key = eng.mb_key(params)
    gain, trans = engine.peek_mb(key)
    rows += [[], ["# Maxwell-Bloch three-level gain curve (Fig. 5)"]]
    rows += _table(mb_columns(gain)) if gain else [["# not computed yet for these parameters"]]
    rows += [[], ["# three-channel model peak transmission (Fig. 6, dashed)"]] + _table(analytic_curve(engine, params))
    rows += [[], ["# two-level Bloch peak transmission (Fig. 6)"]]
    if trans:
        rows += _table({"intensity_mj_cm2_fs": round_sig(trans["intensity_mj_cm2_fs"], 4),
                        "bloch_peak_transmission": round_sig(trans["peak_transmission"], 4),
                        "bloch_std": round_sig(trans["std"], 3)})
    else:
        rows += [["# not computed yet for these parameters"]]
    return _write(rows)


def params_json(spec, params: dict, gain_axis: Any = None, diff_units: Any = None) -> str:
    return json.dumps({
        "app": APP_TITLE, "paper": PAPER, "parameters": params,
        "units": {p.name: p.unit for p in parameters.PARAMETERS},
        "url_query": encode_query(spec, params, {"gain_axis": gain_axis, "diff_units": diff_units}),
    }, indent=2, ensure_ascii=False)


def _stem(params: dict) -> str:
    return f"xray_explorer_F{params['fluence_mj_cm2']:g}_tau{params['duration_fs']:g}fs_E{params['center_ev']:g}"


def make_callbacks(engine, spec):
    def download_spectra(n, params_data, upload_data):
        if not n:
            return no_update, ""
        result, note = eng.resolve(engine, params_data, upload_data)
        if result is None:
            return no_update, note or "Nothing to export."
        return dict(content=spectra_csv(result, note), filename=_stem(result.params) + "_spectra.csv",
                    type="text/csv"), ""

    def download_curves(n, params_data):
        if not n:
            return no_update, ""
        params, error = eng.params_from_store(params_data)
        if error:
            return no_update, error
        return dict(content=curves_csv(engine, params), filename=_stem(params) + "_curves.csv", type="text/csv"), ""

    def download_json(n, params_data, gain_axis, diff_units):
        if not n:
            return no_update, ""
        params, error = eng.params_from_store(params_data)
        if error:
            return no_update, error
        return dict(content=params_json(spec, params, gain_axis, diff_units), filename=_stem(params) + "_parameters.json",
                    type="application/json"), ""

    return download_spectra, download_curves, download_json


def image_configs(fmt: Any) -> tuple[dict, ...]:
    """Graph configs whose camera button writes ``fmt`` (png or svg; anything else -> png)."""
    fmt = fmt if fmt in ("png", "svg") else "png"
    return tuple((svg_config if fmt == "svg" else graph_config)(g.export_name) for g in ids.GRAPHS.values())


def layout() -> html.Section:
    return html.Section(
        [
            html.H2("Export"),
            html.Div([
                html.Button("Spectra CSV", id="export-spectra-button", className="button"),
                html.Button("Curves CSV", id="export-curves-button", className="button"),
                html.Button("Parameters JSON", id="export-json-button", className="button"),
            ], className="button-row"),
            html.Div([
                html.Span("Camera button saves figures as ", className="inline-label"),
                dcc.RadioItems(id=IMAGE_FORMAT, value="png", inline=True, className="radio compact",
                               options=[{"label": "PNG (slides)", "value": "png"}, {"label": "SVG (papers)", "value": "svg"}]),
            ], className="image-format", id="export-hint"),
            html.Div(id="export-message", className="notice", role="status"),
            dcc.Download(id="export-spectra-download"),
            dcc.Download(id="export-curves-download"),
            dcc.Download(id="export-json-download"),
        ],
        className="panel export", id="export-panel",
    )


def register(app, cache, spec) -> None:
    engine = eng.make_engine(cache)
    spectra_cb, curves_cb, json_cb = make_callbacks(engine, spec)
    app.callback(
        Output("export-spectra-download", "data"), Output("export-message", "children"),
        Input("export-spectra-button", "n_clicks"), State(ids.PARAMS, "data"), State(ids.UPLOAD_STORE, "data"),
        prevent_initial_call=True,
    )(spectra_cb)
    app.callback(
        Output("export-curves-download", "data"), Output("export-message", "children", allow_duplicate=True),
        Input("export-curves-button", "n_clicks"), State(ids.PARAMS, "data"),
        prevent_initial_call=True,
    )(curves_cb)
    app.callback(
        Output("export-json-download", "data"), Output("export-message", "children", allow_duplicate=True),
        Input("export-json-button", "n_clicks"), State(ids.PARAMS, "data"), State(ids.GAIN_AXIS, "value"),
        State(ids.DIFFERENCE_UNITS, "value"),
        prevent_initial_call=True,
    )(json_cb)
    app.callback(*[Output(g.id, "config") for g in ids.GRAPHS.values()], Input(IMAGE_FORMAT, "value"),
                 prevent_initial_call=True)(image_configs)


__all__ = ["spectra_csv", "curves_csv", "params_json", "layout", "register", "mb_jobs"]
