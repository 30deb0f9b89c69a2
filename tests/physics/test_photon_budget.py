"""Photon budget arithmetic against hand calculations."""
import math

import numpy as np
import pytest

from physics import magnetic_factors as mf
from physics import photon_budget as pb
from physics import scattering_model as sm
from physics import spectra


def test_acquisition_time_hand_calculation():
    # R = 1000 counts/s, ΔM = 0.1, SNR 5: σ_M = 1/(2 sqrt(R t)) = ΔM/5 -> t = 25 / (4 * 1000 * 0.01) = 0.625 s
    assert float(pb.acquisition_time_s(1000.0, 0.1, 5.0)) == pytest.approx(0.625, rel=1e-12)
    assert float(pb.acquisition_time_s(0.0, 0.1, 5.0)) == math.inf
    assert pb.m_noise(1000.0, 0.625) == pytest.approx(0.02, rel=1e-12)
    assert pb.ring_counts_per_pulse(1e5, 0.006, 0.6, 0.5) == pytest.approx(180.0, rel=1e-12)


def test_poisson_noise_of_the_simulated_trace():
    m = np.full(20000, 0.8)
    noisy = pb.noisy_trace(m, 400.0, 1.0, seed=3)  # 400 counts unpumped -> σ_M = 1/(2*20) = 0.025
    assert np.std(noisy) == pytest.approx(0.025, rel=0.05) and np.mean(noisy) == pytest.approx(0.8, abs=0.002)
    assert np.array_equal(noisy, pb.noisy_trace(m, 400.0, 1.0, seed=3))
    big = pb.noisy_trace(np.full(2000, 0.5), 1e14, 1.0, seed=1)  # normal limit for huge counts
    assert np.std(big) == pytest.approx(0.5 / math.sqrt(1e14), rel=0.1)


def test_counts_in_the_model_follow_the_hand_formula():
    params = dict(pattern="stripes", wall_nm=0.0, duty=0.5, source="custom", photons_per_pulse=1e6, rep_rate_hz=500.0,
                  bandwidth_ev=0.01, energy_ev=777.6, thickness_nm=25.0, delta_m=0.1, snr=5.0)
    r = sm.evaluate(params)
    # 50/50 square stripes: var(m) = 1 and the first order holds 8/π² of it (Fourier series, ±1 orders)
    first = 8.0 / math.pi**2
    e = 777.6
    phase = 2.8179403262e-6 * (1239.841984 / e) * 91.0 * 25.0 * abs(mf.magnetic_factor(e))
    eta = 0.55 * float(spectra.resonant_transmission(e, 25.0)) * phase**2
    retained = r.self_demag.sources["custom"]["retained"]
    assert retained == pytest.approx(1.0, abs=1e-6)  # 1e6 photons in 100 µm: no self-demagnetisation
    assert r.first_order_fraction == pytest.approx(first, rel=0.01)
    expected = 1e6 * eta * first
    assert r.budget.counts_per_pulse == pytest.approx(expected, rel=0.01)
    assert r.budget.counts_per_second == pytest.approx(500.0 * r.budget.counts_per_pulse, rel=1e-12)
    assert r.budget.acquisition_time_s == pytest.approx(25.0 / (4 * r.budget.counts_per_second * 0.01), rel=1e-12)
