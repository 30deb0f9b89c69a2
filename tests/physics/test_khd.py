"""Kramers-Heisenberg-Dirac gain (Eqs. 3, 4)."""
import numpy as np
import pytest

from physics import khd
from physics.constants import FLUORESCENCE_YIELD


def test_n_pk_at_the_top_point():
    assert khd.photon_number(300.0, 8.0) == pytest.approx(31.6, abs=0.5)
    assert khd.photon_number(300.0, 4.0) == pytest.approx(63.3, abs=1.0)


def test_stimulated_fraction_limits():
    n = np.array([1e-3, 1e-1])
    assert np.allclose(khd.stimulated_fraction(n), n * FLUORESCENCE_YIELD, rtol=1e-3)  # linear: n_pk Yf
    assert khd.stimulated_fraction(1e6) == pytest.approx(0.5)  # saturates at 1/2
    s = khd.stimulated_fraction(np.logspace(-2, 3, 50))  # beyond ~1e4 it equals 0.5 in floating point
    assert np.all(np.diff(s) > 0) and np.all(s <= 0.5)


def test_headline_about_20_percent_about_20x_yf():
    s = khd.stimulated_fraction(khd.photon_number(300.0, 8.0))
    assert s == pytest.approx(0.20, abs=0.01)
    assert s / FLUORESCENCE_YIELD == pytest.approx(25.0, abs=2.0)  # "about 20x" the fluorescence yield


def test_detected_enhancement_about_1e6():
    n = khd.photon_number(300.0, 8.0)
    lo, hi = khd.detected_enhancement(n, acceptance=np.array([1e-4, 1e-5]))
    assert 1e5 < lo < 1e6 < hi < 1e7
    assert khd.max_decay_gain() == pytest.approx(62.5)


def test_eq4_cross_sections():
    spont, stim = khd.rixs_cross_sections_mb(5.0, 31.6, acceptance=1e-4)
    assert spont == pytest.approx(1e-4 * 8e-3 * 5.0)
    assert stim == pytest.approx(31.6 * 8e-3 * 5.0)
