"""SASE pulses (Pfeifer 2010) and unit conversions."""
import numpy as np
import pytest

from physics import pulses


def test_field_conversion_matches_paper():
    # 1 J/cm^2/fs <-> 8.68e10 V/m (paper, Methods)
    assert pulses.peak_field_v_m(1000.0) == pytest.approx(8.68e10, rel=0.005)
    assert pulses.intensity_mj_cm2_fs(7500.0, 25.0) == pytest.approx(300.0)


def test_photons_per_mode_eq3():
    assert pulses.photons_per_mode(300.0, 8.0) == pytest.approx(31.6, abs=0.5)
    assert pulses.photons_per_mode(300.0, 4.0) == pytest.approx(2 * pulses.photons_per_mode(300.0, 8.0))
    f = pulses.fluence_from_photons_per_mode(31.64, 25.0)
    assert f == pytest.approx(7500.0, rel=0.002)


def test_sase_reproducible_by_seed():
    a = pulses.sase_pulses(5.0, 4.0, 3, seed=11)
    b = pulses.sase_pulses(5.0, 4.0, 3, seed=11)
    c = pulses.sase_pulses(5.0, 4.0, 3, seed=12)
    assert np.array_equal(a.envelope, b.envelope)
    assert not np.allclose(np.abs(a.envelope), np.abs(c.envelope))


@pytest.mark.parametrize("duration_fs", [5.0, 25.0])
def test_sase_pulses_carry_the_requested_fluence(duration_fs):
    p = pulses.sase_pulses(duration_fs, 8.0, 10, seed=3)
    intensity = p.intensity_mj_cm2_fs(1335.0)  # mJ/cm^2/fs
    fluence = intensity.sum(axis=-1) * p.dt_fs
    assert np.allclose(fluence, 1335.0, rtol=1e-9)
    # and the field envelope gives the same intensity through I = c eps0 |E|^2 / 2
    field = p.field_v_m(1335.0)
    i_w_m2 = 299792458.0 * 8.8541878128e-12 * np.abs(field) ** 2 / 2
    assert np.allclose(i_w_m2, intensity * 1e16)


def test_pulse_length_and_spikes():
    p = pulses.sase_pulses(25.0, 4.0, 200, seed=5)
    mean_i = np.mean(np.abs(p.envelope) ** 2, axis=0)
    above = p.t_fs[mean_i >= mean_i.max() / 2]
    assert above[-1] - above[0] == pytest.approx(25.0, rel=0.1)  # ensemble FWHM = the pulse length
    # a single SASE shot is spiky: its peak intensity exceeds the smooth mean's by far
    assert (np.abs(p.envelope[0]) ** 2).max() > 1.5 * mean_i.max()


def test_mean_spectrum_is_the_ensemble_mean_and_sign_convention():
    e = np.linspace(765, 795, 601)
    p = pulses.sase_pulses(5.0, 4.0, 400, seed=2, carrier_ev=778.0, center_ev=776.0)
    shots = pulses.shot_spectra(p, e)
    assert np.trapezoid(shots[0], e) == pytest.approx(1.0, rel=0.01)
    mean = shots.mean(axis=0)
    # trap 2: a spectrum centred 2 eV below the carrier must come out at 776 eV, not 780 eV
    centroid = np.trapezoid(mean * e, e) / np.trapezoid(mean, e)
    assert centroid == pytest.approx(776.0, abs=0.1)
    model = pulses.mean_spectrum(e, 776.0, 4.0, 5.0)
    assert np.abs(mean - model).max() < 0.1 * model.max()
    assert np.trapezoid(model, e) == pytest.approx(1.0, rel=1e-3)
