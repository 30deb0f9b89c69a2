"""Exports load with one call of pandas or numpy: one table per file, the column names on the first
line, comma-free ``# key = value`` header lines, ``nan`` where a curve has no point, and the source of
the incident spectrum in the file name and the header."""
from __future__ import annotations

import base64
import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dash import no_update

from components import difference, engine, export, gain, model_spectra, readouts, spectra, transmission, upload
from pages.spectra import SPEC
from physics import parameters
from tests.web.conftest import free_port

HEADER_LINE = re.compile(r"# [a-z0-9_]+ = [^,\n]*")


def load_all_ways(path: Path):
    """The one-call loaders the export promises; each must work on its own."""
    df = pd.read_csv(path, comment="#")
    arr = np.loadtxt(path, delimiter=",", skiprows=1)
    rec = np.genfromtxt(path, delimiter=",", names=True)
    return df, arr, rec


def header(text: str) -> dict[str, str]:
    lines = text.splitlines()
    meta = [ln for ln in lines if ln.startswith("#")]
    for ln in meta:
        assert HEADER_LINE.fullmatch(ln), ln  # comma-free "# key = value"
    assert not lines[0].startswith("#") and all(not ln.startswith("#") for ln in lines[1 + len(meta):])
    return dict(ln[2:].split(" = ", 1) for ln in meta)


def check_table(path: Path, expect_columns: list[str]):
    text = path.read_text(encoding="utf-8")
    meta = header(text)
    df, arr, rec = load_all_ways(path)
    assert list(df.columns) == expect_columns
    assert arr.shape == df.shape and list(rec.dtype.names) == expect_columns
    np.testing.assert_array_equal(arr, df.to_numpy(dtype=float))
    return df, meta


def test_spectra_csv_is_one_table_with_the_plotted_numbers(top, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(export.spectra_csv(top, "", "model SASE pulse"), encoding="utf-8")
    cols = list(spectra.spectra_columns(top))
    for c in (difference.difference_columns(top, "intensity"), difference.difference_columns(top, "transmission"),
              model_spectra.model_columns(top)):
        cols += [k for k in c if k != "energy_ev"]
    df, meta = check_table(path, cols)
    assert len(df) == 601 and df["energy_ev"].iloc[0] == 765.0 and df["energy_ev"].iloc[-1] == 795.0
    fig = spectra.figure_dict(top)
    nl = next(t for t in fig["data"] if t["name"] == "nonlinear (this intensity)")
    assert df["transmitted_nonlinear_mj_cm2_ev"].tolist() == nl["y"]
    shown = readouts.kpi_values(top)
    assert meta["peak_transmission_nonlinear"] == shown["nonlinear-peak"]
    assert meta["alpha_energy_ev"] == shown["alpha"] and meta["incident_spectrum"] == "model SASE pulse"
    assert meta["fluence_mj_cm2"] == "7500" and meta["duration_fs"] == "25"


def test_gain_and_transmission_csv_merge_their_curves_with_nan(app_and_cache, tmp_path):
    app, cache = app_and_cache
    eng = engine.make_engine(cache)
    p = dict(parameters.defaults(), n_pulses=2, seed=11)  # a key no other test computes
    with app.server.app_context():
        before = export.gain_csv(eng, p)
        eng.mb_gain(engine.mb_key(p))  # now the Maxwell-Bloch curve is cached, as after the page showed it
        after = export.gain_csv(eng, p)
        trans = export.transmission_csv(eng, p)
    cols = ["fluence_mj_cm2", "intensity_mj_cm2_fs", "khd_eq4_stimulated_fraction", "khd_stimulated_fraction", "mb_efficiency",
            "mb_efficiency_std", "mb_stimulated_fraction"]
    (tmp_path / "g0.csv").write_text(before)
    df0, meta0 = check_table(tmp_path / "g0.csv", cols)
    assert df0["mb_efficiency"].isna().all() and meta0["maxwell_bloch"].startswith("not computed yet")
    (tmp_path / "g1.csv").write_text(after)
    df1, meta1 = check_table(tmp_path / "g1.csv", cols)
    assert meta1["maxwell_bloch"] == "2 SASE pulses"
    khd = gain.khd_curve(p)
    on_khd = df1.dropna(subset=["khd_stimulated_fraction"])
    assert on_khd["khd_stimulated_fraction"].tolist() == khd["khd_stimulated_fraction"]
    on_mb = df1.dropna(subset=["mb_efficiency"])
    curve = gain.mb_columns(_mb(app, eng, p))
    assert on_mb["mb_efficiency"].tolist() == curve["mb_efficiency"]
    assert np.allclose(df1["intensity_mj_cm2_fs"], df1["fluence_mj_cm2"] / 25.0, rtol=1e-3)
    assert df1["fluence_mj_cm2"].is_monotonic_increasing
    (tmp_path / "t.csv").write_text(trans)
    dft, metat = check_table(tmp_path / "t.csv", ["intensity_mj_cm2_fs", "analytic_peak_transmission",
                                                  "bloch_peak_transmission", "bloch_std",
                                                  "bloch_eq4_peak_transmission", "bloch_eq4_std"])
    with app.server.app_context():
        analytic = transmission.analytic_curve(eng, p)
    assert dft.dropna(subset=["analytic_peak_transmission"])["analytic_peak_transmission"].tolist() == \
        analytic["analytic_peak_transmission"]


def _mb(app, eng, p):
    with app.server.app_context():
        return eng.mb_gain(engine.mb_key(p))


def test_header_values_never_hold_commas_or_newlines():
    assert export.header_value("a, b\nc") == "a; b c"
    assert export.header_value(7500.0) == "7500" and export.header_value(0.8) == "0.8"
    assert export.header_value(float("nan")) == "nan"
    with pytest.raises(ValueError):
        export.write_table({"a,b": [1]}, [])
    with pytest.raises(ValueError):
        export.write_table({"a": [1]}, [("Bad Key", 1)])
    text = export.write_table({"x": [1.0, None, float("inf")]}, [("note", "one, two")])
    assert text == "x\n# note = one; two\n1\nnan\nnan\n"


def _upload(name="ref.csv"):
    rows = "energy_ev,intensity\n" + "\n".join(f"{770 + 0.5 * k},{1 + k % 3}" for k in range(30))
    url = "data:text/csv;base64," + base64.b64encode(rows.encode()).decode()
    store, _ = upload.handle_upload({"contents": url, "filename": name})
    assert store is not no_update
    return store


def test_file_names_and_headers_say_the_source(app_and_cache):
    app, cache = app_and_cache
    eng = engine.make_engine(cache)
    spectra_cb, gain_cb, trans_cb, json_cb = export.make_callbacks(eng, SPEC)
    p = parameters.defaults()
    with app.server.app_context():
        model_file, _ = spectra_cb(1, p, None)
        up_file, _ = spectra_cb(1, p, _upload("my ref, 2024.csv"))
        js, _ = json_cb(1, p, "fluence", "intensity", _upload("beam.csv"))
        g, _ = gain_cb(1, p)
        t, _ = trans_cb(1, p)
    assert model_file["filename"] == "xray_explorer_F7500_tau25fs_E777_model-pulse_spectra.csv"
    assert up_file["filename"] == "xray_explorer_F7500_tau25fs_E777_upload-my-ref-2024_spectra.csv"
    assert "# incident_spectrum = uploaded file my ref; 2024.csv" in up_file["content"]
    assert model_file["content"] != up_file["content"]
    assert js["filename"].endswith("_upload-beam_parameters.json")
    assert json.loads(js["content"])["incident_spectrum"] == "uploaded file beam.csv"
    assert g["filename"].endswith("_model-pulse_gain_curves.csv")
    assert t["filename"].endswith("_model-pulse_transmission_curves.csv")
    with app.server.app_context():
        out, msg = spectra_cb(1, {"fluence_mj_cm2": "x"}, None)
    assert out is no_update and "notice-body error" in json.dumps(msg.to_plotly_json(), default=str)


@pytest.mark.browser
def test_every_download_loads_with_pandas_and_numpy(dash_duo, browser_app):
    """The real downloads (buttons in the page) read with one pandas and one numpy call each."""
    dash_duo.start_server(browser_app, port=free_port())
    dash_duo.wait_for_text_to_equal("#kpi-nonlinear-peak", "0.615", timeout=30)
    folder = Path(dash_duo.download_path)
    got = {}
    for kind, (button, _, _) in export.BUTTONS.items():
        dash_duo.find_element("#" + button).click()
        end = time.time() + 30
        while time.time() < end:
            files = [f for f in folder.iterdir() if f not in got.values() and not f.name.endswith(".crdownload")]
            if files:
                got[kind] = files[0]
                break
            time.sleep(0.1)
        assert kind in got, f"no {kind} download"
    assert got["spectra"].name.endswith("_model-pulse_spectra.csv")
    for kind in ("spectra", "gain", "transmission"):
        df = pd.read_csv(got[kind], comment="#")
        arr = np.loadtxt(got[kind], delimiter=",", skiprows=1)
        assert arr.shape == df.shape and df.shape[0] > 10, kind
        assert np.isfinite(arr[:, 0]).all()
    assert pd.read_csv(got["spectra"], comment="#").shape == (601, 20)
    data = json.loads(got["json"].read_text(encoding="utf-8"))
    assert data["parameters"]["fluence_mj_cm2"] == 7500.0 and data["incident_spectrum"] == "model SASE pulse"
    assert not math.isnan(float(pd.read_csv(got["gain"], comment="#")["khd_stimulated_fraction"].iloc[0]))
    assert dash_duo.get_logs() == []
