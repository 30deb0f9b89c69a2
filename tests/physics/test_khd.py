"""Kramers-Heisenberg-Dirac gain (Eqs. 3, 4): the paper's numbers, the transform limit, Eq. 4 versus Bloch."""
import numpy as np
import pytest

from physics import khd, model
from physics.constants import FLUORESCENCE_YIELD

H_EV_FS = 4.135667696
TL = 2 * np.log(2) / np.pi  # time-bandwidth product of a Gaussian, 0.441


def eq3(intensity_mj_cm2_fs, delta_ev, energy_ev=777.63):
    """Eq. 3 written out: n = I lambda^3 / (c Delta), SI units (0.1053 I (8 eV / Delta))."""
    lam_m = 1239.841984e-9 / energy_ev
    return intensity_mj_cm2_fs * 1e16 * lam_m**3 / (299792458.0 * delta_ev * 1.602176634e-19)


def test_n_pk_at_the_top_point():
    # paper: n_pk = 0.1053 I[mJ/cm^2/fs] (8 eV / Delta_pk), 31.6 at 300 mJ/cm^2/fs
    assert khd.photon_number(300.0, 8.0) == pytest.approx(31.6, abs=0.5)
    assert khd.photon_number(300.0, 4.0) == pytest.approx(63.3, abs=1.0)


@pytest.mark.parametrize("spike,bandwidth,duration,expected", [
    (8.0, 8.0, 25.0, 8.0),  # the paper's top point
    (8.0, 3.0, 25.0, 3.0),  # a spike is never broader than the spectrum (shifted preset: 3 eV)
    (1.0, 0.5, 1.0, TL * H_EV_FS / 1.0),  # ... nor narrower than the pulse's transform limit (1.82 eV)
    (20.0, 0.5, 1.0, np.hypot(0.5, TL * H_EV_FS)),  # a 1 fs pulse with 0.5 eV SASE is 1.89 eV wide
])
def test_effective_spike_bandwidth(spike, bandwidth, duration, expected):
    assert khd.effective_spike_bandwidth_ev(spike, bandwidth, duration) == pytest.approx(expected, rel=2e-3)


def test_n_pk_never_above_its_transform_limited_value():
    """All photons of a pulse in one transform-limited mode: 0.1053 I (8 eV / (0.441 h / tau))."""
    for fluence in (0.1, 100.0, 1e4):
        for tau in (1.0, 5.0, 25.0, 100.0):
            for spike in (1.0, 8.0, 20.0):
                for bw in (0.5, 8.0, 20.0):
                    n = khd.operating_point(fluence, tau, spike, bw)["n_pk"]
                    bound = eq3(fluence / tau, TL * H_EV_FS / tau)
                    assert n <= bound * 1.001
    # the example: 1 fs at 0.5 eV was 16x too high; now it is the transform-limited value
    n = khd.operating_point(1000.0, 1.0, 1.0, 0.5)["n_pk"]
    assert n == pytest.approx(eq3(1000.0, 1.824), rel=0.01)


def test_eq4_and_its_saturating_extension():
    n = khd.photon_number(300.0, 8.0)
    assert khd.eq4_stimulated_fraction(n) == pytest.approx(31.6 * 8e-3, rel=0.01)  # Eq. 4: n_pk Yf = 0.25
    s = khd.stimulated_fraction(n)
    assert s == pytest.approx(0.20, abs=0.01)  # "about 20 % stimulated RIXS per absorbed photon"
    assert 1.0 - s / khd.eq4_stimulated_fraction(n) == pytest.approx(0.21, abs=0.01)  # 21 % below Eq. 4
    small = np.array([1e-3, 1e-1])
    np.testing.assert_allclose(khd.stimulated_fraction(small), small * FLUORESCENCE_YIELD, rtol=1e-3)
    assert khd.stimulated_fraction(1e6) == pytest.approx(0.5)  # stimulated decay per core hole <= 1/2
    s = khd.stimulated_fraction(np.logspace(-2, 3, 50))
    assert np.all(np.diff(s) > 0) and np.all(s <= 0.5)
    assert khd.max_decay_gain() == pytest.approx(62.5)  # at most 1/(2 Yf): "about 50x the fluorescence yield"


def test_detected_enhancement_about_1e6():
    n = khd.photon_number(300.0, 8.0)
    lo, hi = khd.detected_enhancement(n, acceptance=np.array([1e-4, 1e-5]))
    assert 1e5 < lo < 1e6 < hi < 1e7


def test_eq4_cross_sections():
    spont, stim = khd.rixs_cross_sections_mb(5.0, 31.6, acceptance=1e-4)
    assert spont == pytest.approx(1e-4 * 8e-3 * 5.0)
    assert stim == pytest.approx(31.6 * 8e-3 * 5.0)


def test_khd_bloch_factor_two_routes_agree():
    """Eq. 4 over the Bloch rate: 4 Yf lambda^2 / sigma (41.7 Mb) and 4 pi Gamma_X / Gamma_XAS (Eq. 18)."""
    lam_cm = 1239.841984 / 777.63 * 1e-7
    assert khd.khd_bloch_factor() == pytest.approx(4 * 8e-3 * lam_cm**2 / 41.7e-18, rel=1e-9)
    assert khd.khd_bloch_factor() == pytest.approx(19.5, abs=0.2)
    assert khd.khd_bloch_factor_from_widths() == pytest.approx(4 * np.pi * 3.3 / 2.2, rel=1e-9)  # 18.85
    assert khd.khd_bloch_factor() == pytest.approx(khd.khd_bloch_factor_from_widths(), rel=0.05)


@pytest.mark.parametrize("params", [
    {},  # the paper's top point
    dict(center_ev=781.0, bandwidth_ev=3.0),  # the shifted preset (issue 11: 31.6 vs 84.4 before)
    dict(fluence_mj_cm2=1335.0, duration_fs=5.0),
    dict(fluence_mj_cm2=50.0, duration_fs=1.0, bandwidth_ev=0.5, spike_bandwidth_ev=1.0),
    dict(spectrum_mode="single", seed=3),
])
def test_one_operating_point_for_summary_channels_and_gain_figure(params):
    s = model.summary(model.evaluate(params))
    op = model.gain_operating_point(params)
    assert s["n_pk"] == op["n_pk"] and s["khd_stimulated_fraction"] == op["stimulated_fraction"]
    assert s["spike_bandwidth_ev"] == op["spike_bandwidth_ev"]
    p = model.validate_all(params)
    i = p["fluence_mj_cm2"] / p["duration_fs"]
    delta = min(max(p["spike_bandwidth_ev"], TL * H_EV_FS / p["duration_fs"]),
                np.hypot(p["bandwidth_ev"], TL * H_EV_FS / p["duration_fs"]))
    assert op["n_pk"] == pytest.approx(eq3(i, delta), rel=1e-6)


def test_shifted_preset_n_pk():
    assert model.gain_operating_point(dict(center_ev=781.0, bandwidth_ev=3.0))["n_pk"] == pytest.approx(84.4, rel=0.005)
