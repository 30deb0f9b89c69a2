"""``python -m physics``: the public command-line contract."""
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_KEYS = {
    "spontaneous_peak_transmission", "nonlinear_peak_transmission", "l3_peak_energy_ev", "stim_rixs_peak",
    "stim_rexs_peak", "redistribution_peak", "redistribution_lobe_area", "n_pk", "khd_stimulated_fraction",
    "features_ev", "khd_stimulated_fraction_eq4", "spike_bandwidth_ev", "rixs_photons_per_absorbed",
    "electron_temperature_final_k", "in_measured_range", "extrapolation_note", "net_gain_mechanism",
}


def run(*args):
    return subprocess.run([sys.executable, "-m", "physics", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_summary_json_contract():
    out = run("summary", "--fluence-mj-cm2", "7500", "--duration-fs", "25", "--center-ev", "777", "--bandwidth-ev", "8", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert SUMMARY_KEYS <= set(data)
    assert set(data["features_ev"]) == {"alpha", "beta", "gamma"}
    assert data["n_pk"] == pytest.approx(31.6, abs=0.5)
    assert data["spontaneous_peak_transmission"] < data["nonlinear_peak_transmission"] <= 1.0
    assert data["in_measured_range"] is True and data["extrapolation_note"] == ""


def test_spectra_csv_and_json():
    out = run("spectra", "--center-ev", "781", "--bandwidth-ev", "3", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["energy_ev", "incident", "spontaneous_transmission", "nonlinear_transmission", "stim_rixs",
                       "stim_rexs", "redistribution", "difference"]
    assert len(rows) == 602 and float(rows[1][0]) == 765.0 and float(rows[-1][0]) == 795.0
    js = json.loads(run("spectra", "--format", "json").stdout)
    assert len(js["energy_ev"]) == 601 and set(js) == set(rows[0])


@pytest.mark.parametrize("args,needle", [
    (("summary", "--fluence-mj-cm2", "nan"), "fluence_mj_cm2"),
    (("summary", "--duration-fs", "1000"), "1 to 100 fs"),
    (("spectra", "--center-ev", "abc"), "center_ev"),
    (("summary", "--pulses", "2.5"), "whole number"),
    (("summary", "--spectrum-mode", "both"), "one of mean, single"),
])
def test_bad_values_exit_nonzero_without_traceback(args, needle):
    out = run(*args)
    assert out.returncode == 2
    assert needle in out.stderr and "Traceback" not in out.stderr


def test_help_is_for_students():
    out = run("summary", "--help")
    assert out.returncode == 0 and "--fluence-mj-cm2" in out.stdout and "--spike-bandwidth-ev" in out.stdout
    top = run("--help")
    assert "stimulated" in top.stdout and "Examples" in top.stdout


def test_text_summary():
    out = run("summary")
    assert out.returncode == 0 and re.search(r"spontaneous 0\.34\d -> nonlinear 0\.\d{3}", out.stdout)
    far = run("summary", "--fluence-mj-cm2", "10000", "--duration-fs", "1")
    assert far.returncode == 0 and "Outside the paper's measured range" in far.stdout
