"""scattering_model.evaluate: one call returns every figure's data, consistently."""
import numpy as np
import pytest

from physics import scattering_model as sm
from physics import scattering_parameters as sp


@pytest.fixture(scope="module")
def default_result():
    p = sp.TABLE.defaults()
    return sm.evaluate(p, sm.prepare_pattern(p))


def test_prepared_pattern_gives_the_same_result(default_result):
    p = sp.TABLE.defaults()
    again = sm.evaluate(p)
    assert sm.summary(again) == sm.summary(default_result)
    assert np.array_equal(again.image.counts, default_result.image.counts)


def test_switching_fel_to_plasma_turns_the_drop_into_a_smaller_step(default_result):
    steps = default_result.dynamics.steps
    true_drop = 1 - default_result.dynamics.m_true.min()
    assert steps["fel"] == pytest.approx(true_drop, abs=0.01) and steps["slicing"] == pytest.approx(true_drop, abs=0.01)
    assert 0.15 < steps["plasma"] < 0.25 < 0.3 < steps["fel"]
    assert steps["synchrotron"] < steps["plasma"]
    assert default_result.dynamics.chosen == "plasma" and default_result.dynamics.t_min_ps > 3.0


def test_detector_image_and_profiles_scale_with_the_measured_m(default_result):
    r = default_result
    a2 = r.dynamics.m_measured_at_delay**2
    assert np.allclose(r.image.counts, r.image.counts_before * a2, rtol=1e-5)
    assert np.allclose(r.profiles.after, r.profiles.before * a2)
    assert r.image.counts.shape[0] <= 256 and r.image.domain_map.shape[0] <= 256
    assert np.abs(r.image.domain_map).max() == pytest.approx(r.dynamics.m_true_at_delay, rel=0.01)
    assert r.profiles.ring_radius_mm == pytest.approx(5.3, abs=0.1)
    assert set(r.profiles.harmonic_ratios) == {"2", "3", "5"}


def test_ring_shift_knob_moves_q1_at_the_delay():
    p = dict(sp.TABLE.defaults(), ring_shift_percent=-3.0, ring_shift_tau_ps=10.0, delay_ps=100.0, source="fel")
    r = sm.evaluate(p)
    assert r.profiles.q1_at_delay_nm_inv < r.profiles.q1_nm_inv * 0.985
    assert r.image.q_nm_inv[-1] < r.image.q_before_nm_inv[-1]
    dyn = r.dynamics
    assert dyn.q1_true_nm_inv[0] == pytest.approx(r.profiles.q1_nm_inv, rel=1e-12)
    assert dyn.q1_true_nm_inv.min() < 0.98 * r.profiles.q1_nm_inv
    # the 0.1 ps FEL probe follows the 10 ps ring shift closely
    assert np.max(np.abs(dyn.q1_measured_nm_inv - dyn.q1_true_nm_inv)) < 2e-3 * r.profiles.q1_nm_inv


def test_m3tm_option_and_every_source_curve():
    p = dict(sp.TABLE.defaults(), dynamics_model="m3tm", absorbed_fluence_mj_cm2=3.0, source="custom",
             resolution_ps=2.0)
    r = sm.evaluate(p)
    assert set(r.dynamics.m_measured) == {"fel", "plasma", "synchrotron", "slicing", "custom"}
    assert 0.6 < r.dynamics.m_true.min() < 0.9 and r.dynamics.electron_k.max() > 1000.0
    assert r.dynamics.m_measured["custom"].min() > r.dynamics.m_true.min()


def test_spectrum_and_self_demagnetisation_fields(default_result):
    s = default_result.spectrum
    assert s.best_energy_ev < s.fm_max_energy_ev and len(s.energy_ev) == len(s.efficiency_band) == len(s.xas)
    sd = default_result.self_demag
    assert sd.sources["fel"]["retained"] < 0.99 < sd.sources["plasma"]["retained"]
    assert set(sd.retained) >= {5.0, 25.0, 100.0}


def test_result_survives_a_pickle_round_trip_and_stays_read_only(default_result):
    """The view caches results (flask-caching pickles them): every inner table must pickle, and
    stay immutable."""
    import pickle

    back = pickle.loads(pickle.dumps(default_result))
    assert back.dynamics.steps == default_result.dynamics.steps
    assert back.sources["plasma"].provenance == default_result.sources["plasma"].provenance
    assert back.budget.counts_per_pulse == default_result.budget.counts_per_pulse
    with pytest.raises(TypeError):
        back.dynamics.steps["plasma"] = 0.0
