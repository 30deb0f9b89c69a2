"""Downloads: one table per CSV file (spectra, gain curves, transmission curves) and the parameters
as JSON (dcc.Download).

Each CSV loads with one call, ``pd.read_csv(path, comment="#")`` or
``np.loadtxt(path, delimiter=",", skiprows=1)``: the first line holds the column names (with
units), then ``# key = value`` lines (comma-free, so no CSV quoting ever turns them into data), then
the numbers, ``nan`` where a curve has no point.  The columns come from the functions that feed the
figures (``*_columns``) with the same rounding, and the header repeats the key numbers exactly as
the page shows them: what you download is what you see.  The file name says where the incident
spectrum came from (``model-pulse`` or ``upload-<file>``).  PNG/SVG come from each graph's toolbar.
"""
from __future__ import annotations

import json
import re
from types import MappingProxyType
from typing import Any, Mapping

from dash import Input, Output, State, dcc, html, no_update

from physics import parameters

from . import engine as eng
from . import ids, mb_jobs
from .common import graph_config, notice, round_each, svg_config
from .difference import difference_columns
from .downloads import header_value, write_table  # noqa: F401 - header_value: part of this module's API
from .gain import khd_curve, mb_columns
from .model_spectra import model_columns
from .readouts import KPIS, kpi_values
from .spectra import spectra_columns
from .transmission import analytic_curve
from .url_state import encode_query

APP_TITLE = "Nonlinear X-ray Spectra Explorer"
IMAGE_FORMAT = "export-image-format"
PAPER = "Higley et al., Nat. Commun. 13, 5969 (2022)"
PAPER_PLAIN = "D. J. Higley et al. Nat. Commun. 13 5969 (2022)"  # comma-free, for CSV headers
MESSAGE = "export-message"
BUTTONS = MappingProxyType({  # file kind -> (button id, download id, button text)
    "spectra": ("export-spectra-button", "export-spectra-download", "Spectra CSV"),
    "gain": ("export-gain-button", "export-gain-download", "Gain curves CSV (Fig. 5)"),
    "transmission": ("export-transmission-button", "export-transmission-download", "Transmission CSV (Fig. 6)"),
    "json": ("export-json-button", "export-json-download", "Parameters JSON"),
})
# Header keys of the key numbers (readouts.KPIS): machine names with units, as the columns have.
KPI_KEYS = MappingProxyType({
    "nonlinear-peak": "peak_transmission_nonlinear",
    "spontaneous-peak": "peak_transmission_spontaneous",
    "intensity": "intensity_mj_cm2_fs",
    "npk": "photons_per_mode_n_pk",
    "khd": "khd_stimulated_fraction",
    "te": "electron_temperature_k",
    "alpha": "alpha_energy_ev",
    "beta": "beta_energy_ev",
    "gamma": "gamma_energy_ev",
})
MODEL_SOURCE = "model-pulse"
NOT_COMPUTED = "not computed yet for these parameters (its columns are nan; download again once the figure shows it)"


# --- writing ---------------------------------------------------------------------------------

def merge_on(x_name: str, *tables: Mapping[str, list]) -> dict[str, list]:
    """Outer join of tables on their common x column; nan where a table has no point at that x."""
    xs = sorted({float(x) for t in tables for x in t[x_name] if x is not None})
    out: dict[str, list] = {x_name: xs}
    for t in tables:
        at = {float(x): i for i, x in enumerate(t[x_name]) if x is not None}
        for col, values in t.items():
            if col != x_name:
                out[col] = [values[at[x]] if x in at else None for x in xs]
    return out


# --- content -----------------------------------------------------------------------------------

def source_of(upload_data: Any) -> tuple[str, str]:
    """(file-name part, header text) of the incident spectrum: the model pulse or an upload."""
    incident, _ = eng.incident_from_store(upload_data)
    if incident is None:
        return MODEL_SOURCE, "model SASE pulse"
    name = upload_data.get("name") if isinstance(upload_data, Mapping) else None
    name = name if isinstance(name, str) and name else "upload"
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name.rsplit(".", 1)[0]).strip("-")[:40] or "file"
    return f"upload-{slug}", f"uploaded file {name}"


def _meta(params: Mapping[str, Any], table: str, source: str, note: str = "") -> list[tuple[str, Any]]:
    meta: list[tuple[str, Any]] = [("app", APP_TITLE), ("model_after", PAPER_PLAIN), ("table", table),
                                   ("incident_spectrum", source)]
    meta += [(p.name, params[p.name]) for p in parameters.PARAMETERS]
    if note:
        meta.append(("note", note))
    return meta


def spectra_csv(result, note: str = "", source: str = "model SASE pulse") -> str:
    """All spectral columns the three spectral figures draw, one row per grid energy."""
    meta = _meta(dict(result.params), "transmitted spectra; difference and channels; model spectra (Figs. 2-3)",
                 source, note)
    values = kpi_values(result)
    meta += [(KPI_KEYS[suffix], values[suffix]) for suffix, _, _ in KPIS]
    cols = dict(spectra_columns(result))
    for c in (difference_columns(result, "intensity"), difference_columns(result, "transmission"), model_columns(result)):
        cols.update({k: v for k, v in c.items() if k != "energy_ev"})
    return write_table(cols, meta)


def gain_csv(engine: eng.Engine, params: dict) -> str:
    """Fig. 5 as one table on fluence: KHD (dense grid) and Maxwell-Bloch (its own grid), nan between."""
    khd = khd_curve(params)
    gain, _ = engine.peek_mb(eng.mb_key(params))
    if gain:
        mb = mb_columns(gain)
    else:
        mb = {"fluence_mj_cm2": [], "mb_efficiency": [], "mb_efficiency_std": [], "mb_stimulated_fraction": []}
    khd = {k: v for k, v in khd.items() if k != "intensity_mj_cm2_fs"}
    mb = {k: v for k, v in mb.items() if k != "intensity_mj_cm2_fs"}
    cols = merge_on("fluence_mj_cm2", khd, mb)
    # Intensity is fluence / duration for every row (both curves), so it is a column of its own.
    cols = {"fluence_mj_cm2": cols["fluence_mj_cm2"],
            "intensity_mj_cm2_fs": round_each([f / params["duration_fs"] for f in cols["fluence_mj_cm2"]], 4),
            **{k: v for k, v in cols.items() if k != "fluence_mj_cm2"}}
    meta = _meta(params, "stimulated RIXS per absorbed photon vs fluence (Fig. 5)", "model SASE pulse")
    meta.append(("maxwell_bloch", f"{gain['n_pulses']} SASE pulses" if gain else NOT_COMPUTED))
    return write_table(cols, meta)


def transmission_csv(engine: eng.Engine, params: dict) -> str:
    """Fig. 6 as one table on intensity: the channel model and the two-level Bloch curve."""
    analytic = {k: v for k, v in analytic_curve(engine, params).items() if k != "in_measured_range"}
    _, trans = engine.peek_mb(eng.mb_key(params))
    bloch = {"intensity_mj_cm2_fs": [], "bloch_peak_transmission": [], "bloch_std": [],
             "bloch_eq4_peak_transmission": [], "bloch_eq4_std": []}
    if trans:
        bloch = {"intensity_mj_cm2_fs": round_each(trans["intensity_mj_cm2_fs"], 4),
                 "bloch_peak_transmission": round_each(trans["peak_transmission"], 4),
                 "bloch_std": round_each(trans["std"], 3),
                 "bloch_eq4_peak_transmission": round_each(trans.get("khd_peak_transmission", []), 4),
                 "bloch_eq4_std": round_each(trans.get("khd_std", []), 3)}
    cols = merge_on("intensity_mj_cm2_fs", analytic, bloch)
    meta = _meta(params, "peak resonant transmission vs intensity (Fig. 6); bloch = atomic dipole; bloch_eq4 = "
                 "the paper's Eq. 4 (KHD) stimulated rate", "model SASE pulse")
    meta.append(("bloch", f"{trans['n_pulses']} SASE pulses" if trans else NOT_COMPUTED))
    return write_table(cols, meta)


def params_json(spec, params: dict, gain_axis: Any = None, diff_units: Any = None,
                source: str = "model SASE pulse") -> str:
    return json.dumps({
        "app": APP_TITLE, "paper": PAPER, "parameters": params,
        "units": {p.name: p.unit for p in parameters.PARAMETERS},
        "incident_spectrum": source,
        "url_query": encode_query(spec, params, {"gain_axis": gain_axis, "diff_units": diff_units}),
    }, indent=2, ensure_ascii=False)


def file_name(params: dict, source_slug: str, what: str, ext: str) -> str:
    return (f"xray_explorer_F{params['fluence_mj_cm2']:g}_tau{params['duration_fs']:g}fs_E{params['center_ev']:g}"
            f"_{source_slug}_{what}.{ext}")


# --- callbacks --------------------------------------------------------------------------------

def _failed(text: str):
    return no_update, notice(text, "error", target=MESSAGE)


def make_callbacks(engine, spec):
    def download_spectra(n, params_data, upload_data):
        if not n:
            return no_update, ""
        result, note = eng.resolve(engine, params_data, upload_data)
        if result is None:
            return _failed(note or "Nothing to export.")
        slug, source = source_of(upload_data)
        return dict(content=spectra_csv(result, note, source), filename=file_name(result.params, slug, "spectra", "csv"),
                    type="text/csv"), ""

    def curve_download(build, what: str):
        """A curves CSV (always the model pulse: uploads do not enter the Maxwell-Bloch curves)."""
        def download(n, params_data):
            if not n:
                return no_update, ""
            params, error = eng.params_from_store(params_data)
            if error:
                return _failed(error)
            return dict(content=build(engine, params), filename=file_name(params, MODEL_SOURCE, what, "csv"),
                        type="text/csv"), ""
        return download

    download_gain = curve_download(gain_csv, "gain_curves")
    download_transmission = curve_download(transmission_csv, "transmission_curves")

    def download_json(n, params_data, gain_axis, diff_units, upload_data):
        if not n:
            return no_update, ""
        params, error = eng.params_from_store(params_data)
        if error:
            return _failed(error)
        slug, source = source_of(upload_data)
        return dict(content=params_json(spec, params, gain_axis, diff_units, source),
                    filename=file_name(params, slug, "parameters", "json"), type="application/json"), ""

    return download_spectra, download_gain, download_transmission, download_json


def image_configs(fmt: Any) -> tuple[dict, ...]:
    """Graph configs whose camera button writes ``fmt`` (png or svg; anything else -> png)."""
    fmt = fmt if fmt in ("png", "svg") else "png"
    return tuple((svg_config if fmt == "svg" else graph_config)(g.export_name) for g in ids.GRAPHS.values())


def layout() -> html.Section:
    return html.Section(
        [
            html.H2("Export"),
            html.Div([html.Button(text, id=button, className="button", type="button")
                      for button, _, text in BUTTONS.values()], className="button-row"),
            html.P("One table per CSV file: pandas.read_csv(path, comment='#') or "
                   "numpy.loadtxt(path, delimiter=',', skiprows=1) reads it.", className="hint"),
            html.Div([
                html.Span("Camera button saves figures as ", className="inline-label", id="export-image-label"),
                dcc.RadioItems(id=IMAGE_FORMAT, value="png", inline=True, className="radio compact",
                               options=[{"label": "PNG (slides)", "value": "png"}, {"label": "SVG (papers)", "value": "svg"}]),
            ], className="image-format", id="export-hint"),
            html.Div(id=MESSAGE, className="notice", role="status"),
            *[dcc.Download(id=download) for _, download, _ in BUTTONS.values()],
        ],
        className="panel export", id="export-panel",
    )


def register(app, cache, spec) -> None:
    engine = eng.make_engine(cache)
    spectra_cb, gain_cb, transmission_cb, json_cb = make_callbacks(engine, spec)
    b = BUTTONS
    app.callback(
        Output(b["spectra"][1], "data"), Output(MESSAGE, "children"),
        Input(b["spectra"][0], "n_clicks"), State(ids.PARAMS, "data"), State(ids.UPLOAD_STORE, "data"),
        prevent_initial_call=True,
    )(spectra_cb)
    for kind, cb in (("gain", gain_cb), ("transmission", transmission_cb)):
        app.callback(
            Output(b[kind][1], "data"), Output(MESSAGE, "children", allow_duplicate=True),
            Input(b[kind][0], "n_clicks"), State(ids.PARAMS, "data"),
            prevent_initial_call=True,
        )(cb)
    app.callback(
        Output(b["json"][1], "data"), Output(MESSAGE, "children", allow_duplicate=True),
        Input(b["json"][0], "n_clicks"), State(ids.PARAMS, "data"), State(ids.GAIN_AXIS, "value"),
        State(ids.DIFFERENCE_UNITS, "value"), State(ids.UPLOAD_STORE, "data"),
        prevent_initial_call=True,
    )(json_cb)
    app.callback(*[Output(g.id, "config") for g in ids.GRAPHS.values()], Input(IMAGE_FORMAT, "value"),
                 prevent_initial_call=True)(image_configs)


__all__ = ["spectra_csv", "gain_csv", "transmission_csv", "params_json", "write_table", "merge_on", "layout",
           "register", "mb_jobs"]
