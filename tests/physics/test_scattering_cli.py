"""``python -m physics scattering``: the public command-line contract of the second page."""
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_KEYS = {"q1_nm_inv", "ring_radius_mm", "ring_fwhm_nm_inv", "correlation_length_nm", "harmonic_ratios",
                "best_energy_ev", "counts_per_pulse", "acquisition_time_s"}


def run(*args):
    return subprocess.run([sys.executable, "-m", "physics", "scattering", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_summary_json_contract():
    out = run("summary", "--pattern", "stripes", "--period-nm", "150", "--wall-nm", "0", "--duty", "0.5",
              "--energy-ev", "778", "--detector-m", "0.5", "--grid-n", "512", "--periods-in-view", "8", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert SUMMARY_KEYS <= set(data) and set(data["harmonic_ratios"]) == {"2", "3", "5"}
    assert data["q1_nm_inv"] == pytest.approx(2 * math.pi / 150, rel=1e-6)
    assert data["ring_radius_mm"] == pytest.approx(5.31, abs=0.01)
    assert data["harmonic_ratios"]["3"] == pytest.approx(1 / 9, rel=0.02)


def test_dynamics_json_contract():
    out = run("dynamics", "--source", "fel", "--amplitude-fast", "0.2", "--tau-demag-ps", "0.2", "--tau-recovery-ps",
              "3", "--amplitude-slow", "0.2", "--tau-slow-ps", "1000", "--grid-n", "128", "--periods-in-view", "8",
              "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"points", "min_m_measured", "t_min_ps"} <= set(data) and data["source"] == "fel"
    pts = data["points"]
    assert set(pts[0]) == {"t_ps", "m_true", "m_measured"} and pts[0]["t_ps"] == pytest.approx(-20.0)
    assert min(p["m_measured"] for p in pts) == pytest.approx(data["min_m_measured"])
    assert 0.0 < data["t_min_ps"] < 2.0 and data["min_m_measured"] < 0.7


@pytest.mark.parametrize("args,needle", [
    (("summary", "--period-nm", "nan"), "period_nm"),
    (("summary", "--source", "hhg"), "one of fel, plasma, synchrotron, slicing, custom"),
    (("dynamics", "--seed", "1.5"), "whole number"),
    (("summary", "--grid-n", "64", "--periods-in-view", "64"), "pixels per period"),
])
def test_bad_values_exit_2_with_one_line(args, needle):
    out = run(*args)
    assert out.returncode == 2 and needle in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_presets_and_parameters_listing():
    out = run("parameters", "--json")
    names = {r["name"] for r in json.loads(out.stdout)}
    assert {"period_nm", "source", "delay_ps", "resolution_ps"} <= names
    presets = json.loads(run("presets", "--json").stdout)
    assert "fegd_illustrative" in presets and "ILLUSTRATIVE" in presets["fegd_illustrative"]["description"]
