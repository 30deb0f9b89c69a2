"""The three channels and the full analytic evaluation against the paper (Figs. 2, 3, 6)."""
import numpy as np
import pytest

from physics import channels, model, spectra
from physics.constants import BACKGROUND_TRANSMISSION

TOP = dict(fluence_mj_cm2=7500.0, duration_fs=25.0, center_ev=777.0, bandwidth_ev=8.0)  # 300 mJ/cm^2/fs


@pytest.fixture(scope="module")
def top():
    return model.summary(model.evaluate(TOP))


def test_pulse_covers_772_782(top):
    r = model.evaluate(TOP)
    s = r.incident_spectrum / r.incident_spectrum.max()
    assert float(np.interp(772.0, r.energy_ev, s)) > 0.2 and float(np.interp(782.0, r.energy_ev, s)) > 0.2


def test_top_point_channel_sizes(top):
    assert top["intensity_mj_cm2_fs"] == pytest.approx(300.0)
    assert top["stim_rixs_peak"] == pytest.approx(0.18, abs=0.02)
    assert top["stim_rexs_peak"] == pytest.approx(0.18, abs=0.02)
    assert top["redistribution_peak"] == pytest.approx(0.20, abs=0.02)
    assert top["redistribution_lobe_area"] == pytest.approx(0.08, abs=0.01)
    assert 0.59 <= top["nonlinear_peak_transmission"] <= 0.64
    assert top["spontaneous_peak_transmission"] == pytest.approx(0.32, abs=0.01)
    assert top["l3_peak_energy_ev"] == pytest.approx(777.6, abs=0.2)
    assert top["electron_temperature_k"] == pytest.approx(7000.0, rel=0.01)  # kT = 0.6 eV


def test_top_point_features_near_the_paper(top):
    f = top["features_ev"]
    assert f["alpha"] == pytest.approx(774.5, abs=1.5)
    assert f["beta"] == pytest.approx(776.5, abs=0.5)
    assert f["gamma"] == pytest.approx(778.0, abs=0.5)
    assert f["alpha"] < f["beta"] < f["gamma"]


@pytest.mark.parametrize("duration_fs", [5.0, 25.0])
def test_low_fluence_spectra_agree_within_one_percent(duration_fs):
    r = model.evaluate(dict(fluence_mj_cm2=10.0, duration_fs=duration_fs))
    assert np.abs(r.nonlinear_transmission - r.spontaneous_transmission).max() < 0.01
    assert np.abs(r.transmitted_nonlinear - r.transmitted_spontaneous).max() < 0.01 * r.transmitted_spontaneous.max()


def test_shifted_pulse_loses_alpha_and_shows_stronger_beta():
    ref = model.evaluate(TOP)
    shifted = model.evaluate(dict(TOP, center_ev=781.0, bandwidth_ev=3.0))
    assert ref.features_ev["alpha"] is not None
    assert shifted.features_ev["alpha"] is None
    # no RIXS gain offsets the redistribution loss any more: the change at beta turns into a loss
    assert shifted.feature_strength["beta"] < 0 < ref.feature_strength["beta"]
    assert shifted.feature_strength["beta"] < ref.feature_strength["beta"] - 0.1
    # the stimulated-RIXS channel itself collapses when no photons near 776 eV can stimulate it
    assert np.abs(shifted.channels.stim_rixs).max() < 0.2 * np.abs(ref.channels.stim_rixs).max()


def test_channel_signs_and_shapes():
    r = model.evaluate(TOP).channels
    e = r.energy_ev
    assert r.stim_rixs.min() >= 0 and r.stim_rexs.min() >= 0  # both stimulated channels are gains
    assert e[np.argmax(r.stim_rixs)] == pytest.approx(776.6, abs=0.3)  # spontaneous RIXS shape
    assert e[np.argmax(r.stim_rexs)] == pytest.approx(777.63, abs=0.3)  # XAS shape
    below, above = e < 777.5, e > 777.5
    assert r.redistribution[below].max() <= 1e-12 and r.redistribution[above].min() >= -1e-12  # loss below E_F
    # REXS can at most remove the absorption
    assert np.all(r.stim_rexs <= 1.0 - r.spontaneous + 1e-12)


def test_nonlinear_transmission_rises_with_intensity():
    peaks = [model.summary(model.evaluate(dict(TOP, fluence_mj_cm2=f)))["nonlinear_peak_transmission"]
             for f in (10.0, 100.0, 1000.0, 7500.0, 10000.0)]
    assert np.all(np.diff(peaks) > 0)
    assert peaks[0] == pytest.approx(0.32, abs=0.005)


def test_hot_electron_temperature_law():
    # Sommerfeld: T_e^2 - T0^2 is proportional to the absorbed energy
    eta = channels.CALIBRATION.thermalized_fraction
    t1 = channels.hot_electron_temperature_k(1.0, eta)
    t4 = channels.hot_electron_temperature_k(4.0, eta)
    assert (t4**2 - 300**2) == pytest.approx(4 * (t1**2 - 300**2), rel=1e-9)
    # the cascade window: a 5 fs pulse deposits its whole fluence, a 25 fs pulse only 10 fs worth
    assert channels.cascade_fluence_mj_cm2(1500.0, 5.0) == 1500.0
    assert channels.cascade_fluence_mj_cm2(7500.0, 25.0) == pytest.approx(3000.0)
    # 5 fs at the same intensity: less energy in the window, cooler electrons, smaller redistribution
    short = model.summary(model.evaluate(dict(TOP, fluence_mj_cm2=1500.0, duration_fs=5.0)))
    assert short["electron_temperature_k"] < 7000.0 and 0.05 < short["redistribution_peak"] < 0.2


def test_no_resonant_photons_no_channels():
    r = model.summary(model.evaluate(dict(center_ev=765.0, bandwidth_ev=0.5)))
    assert r["stim_rixs_peak"] < 1e-3 and r["stim_rexs_peak"] < 2e-3 and r["redistribution_peak"] < 0.01
    assert r["features_ev"] == {"alpha": None, "beta": None, "gamma": None}


def test_difference_definition_and_background():
    r = model.evaluate(TOP)
    t = model.spectra_table(r)
    assert list(t) == list(model.SPECTRA_COLUMNS)
    assert np.allclose(t["difference"], t["incident"] * BACKGROUND_TRANSMISSION
                       * (t["nonlinear_transmission"] - t["spontaneous_transmission"]))
    assert np.allclose(t["nonlinear_transmission"], t["spontaneous_transmission"] + t["stim_rixs"]
                       + t["stim_rexs"] + t["redistribution"])
    # the incident column is the spectral fluence: its area is the fluence
    assert np.trapezoid(t["incident"], t["energy_ev"]) == pytest.approx(7500.0, rel=0.02)


def test_resolution_zero_gives_the_sample_transmission():
    r = model.evaluate(dict(TOP, resolution_ev=0.0))
    assert np.allclose(r.spontaneous_transmission, spectra.resonant_transmission(r.energy_ev), atol=1e-9)
    wide = model.evaluate(dict(TOP, resolution_ev=2.0))
    assert wide.spontaneous_transmission.min() > r.spontaneous_transmission.min() + 0.02  # broadened dip


def test_single_shot_is_seeded_and_spiky():
    a = model.evaluate(dict(TOP, spectrum_mode="single", seed=4, resolution_ev=0.0))
    b = model.evaluate(dict(TOP, spectrum_mode="single", seed=4, resolution_ev=0.0))
    c = model.evaluate(dict(TOP, spectrum_mode="single", seed=5, resolution_ev=0.0))
    mean = model.evaluate(dict(TOP, resolution_ev=0.0))
    assert np.array_equal(a.incident, b.incident) and not np.allclose(a.incident, c.incident)
    assert a.incident.max() > 1.3 * mean.incident.max()


def test_uploaded_incident_replaces_the_model_pulse():
    e = spectra.energy_grid()
    flat = np.ones_like(e)
    r = model.evaluate(TOP, incident=flat)
    assert np.allclose(r.incident_spectrum, 1.0 / 30.0, rtol=1e-3)
    with pytest.raises(ValueError, match="no photons"):
        model.evaluate(TOP, incident=np.zeros_like(e))


def test_calibration_constants_are_physical():
    cal = channels.CALIBRATION
    assert 0.8 < cal.k_rexs < 1.0  # 18 % REXS needs ~90 % of the KHD stimulated fraction
    assert 0.0 < cal.thermalized_fraction < 0.2  # only a small part of 15 eV/atom is thermal within 10 fs
    assert cal.k_rixs > 0 and cal.k_redistribution > 0
