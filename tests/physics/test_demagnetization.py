"""Demagnetisation dynamics: exp x Gauss, the measured trace, two-temperature + M3TM invariants."""
import math

import numpy as np
import pytest
from scipy.integrate import quad

from physics import demagnetization as dm

SHAPE = dict(amplitude_fast=0.2, tau_demag_ps=0.2, tau_recovery_ps=3.0, amplitude_slow=0.2, tau_slow_ps=1000.0)


def numerical_exp_gauss(t, tau, sigma):
    g = lambda s: math.exp(-s / tau) * math.exp(-0.5 * ((t - s) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))  # noqa: E731
    return quad(g, 0.0, max(t, 0.0) + 40 * sigma + 40 * tau, points=[max(t, 0.0)], limit=400)[0]


@pytest.mark.parametrize("tau,fwhm", [(0.2, 0.1), (3.0, 9.0), (0.2, 9.0), (1000.0, 50.0), (0.05, 0.1)])
def test_exp_gauss_formula_matches_numerical_convolution(tau, fwhm):
    sigma = fwhm / 2.3548200450309493
    for t in (-5 * sigma, -sigma, 0.0, 0.3 * sigma, sigma, 3 * tau, 5 * sigma + 2 * tau):
        assert dm.exp_gauss(t, tau, sigma) == pytest.approx(numerical_exp_gauss(t, tau, sigma), abs=1e-3)


def test_exp_gauss_is_finite_everywhere_and_has_the_right_limits():
    t = np.array([-1e5, -50.0, 0.0, 50.0, 1e5])
    v = dm.exp_gauss(t, 0.2, 0.04)
    assert np.all(np.isfinite(v)) and v[0] == 0.0 and v[-1] == 0.0
    assert dm.exp_gauss(1.0, 2.0, 0.0) == pytest.approx(math.exp(-0.5))
    assert dm.exp_gauss(0.0, math.inf, 1.0) == pytest.approx(0.5)


def test_measured_trace_analytic_equals_numerical_sqrt_irf_m2():
    t = np.linspace(-20.0, 80.0, 401)
    fine = np.concatenate([np.linspace(-80.0, -1e-4, 400), np.linspace(0.0, 5.0, 10001),
                           np.geomspace(5.001, 500, 3000)])
    m = dm.double_exponential(fine, **SHAPE)
    for fwhm in (0.1, 9.0, 50.0):
        analytic = dm.measured_double_exponential(t, fwhm, **SHAPE)
        numeric = dm.measured_trace(t, fine, m, fwhm)
        assert np.max(np.abs(analytic - numeric)) < 1e-3


def test_resolution_hides_the_fast_drop():
    t = dm.delay_grid_ps(400)
    true_min = dm.double_exponential(t, **SHAPE).min()
    fel = dm.measured_double_exponential(t, 0.1, **SHAPE).min()
    plasma = dm.measured_double_exponential(t, 9.0, **SHAPE).min()
    assert fel == pytest.approx(true_min, abs=0.01)
    assert 1 - plasma < 0.7 * (1 - fel)  # the 9 ps probe sees a smaller step
    assert dm.measured_double_exponential(np.array([-20.0]), 9.0, **SHAPE)[0] == pytest.approx(1.0, abs=1e-6)


def test_mean_field_equilibrium():
    tc = 1388.0
    temps = np.array([100.0, 300.0, 900.0, 1300.0, 1387.0, 1500.0])
    m = dm.mean_field_magnetization(temps, tc)
    below = temps < tc
    assert np.allclose(m[below], np.tanh(m[below] * tc / temps[below]), atol=1e-9)
    assert m[-1] == 0.0 and np.all(np.diff(m) <= 0)


@pytest.mark.parametrize("fluence", [1.0, 3.0])
def test_m3tm_energy_balance_and_long_time_equilibrium(fluence):
    mat = dm.CO_M3TM
    r = dm.solve_m3tm(fluence, 25.0, 1388.0, t_end_ps=300.0)
    stored = mat.gamma_e_j_m3_k2 / 2 * (r.electron_k[-1] ** 2 - 300.0**2) + mat.c_p_j_m3_k * (r.lattice_k[-1] - 300.0)
    assert stored / r.deposited_j_m3 == pytest.approx(1.0, abs=1e-4)
    assert r.deposited_j_m3 == pytest.approx(fluence * 10.0 / 25e-9, rel=1e-12)
    m_eq = dm.mean_field_magnetization(r.lattice_k[-1], 1388.0) / dm.mean_field_magnetization(300.0, 1388.0)
    assert r.m[-1] == pytest.approx(float(m_eq), abs=2e-4)
    assert r.electron_k[-1] == pytest.approx(r.lattice_k[-1], abs=0.5)
    assert r.m.min() < r.m[-1]  # ultrafast quench below the final equilibrium


def test_m3tm_with_heat_sink_balances_the_outflow():
    mat = dm.CO_M3TM
    r = dm.solve_m3tm(2.0, 25.0, 1388.0, tau_sink_ps=200.0, t_end_ps=2000.0)
    stored = mat.gamma_e_j_m3_k2 / 2 * (r.electron_k[-1] ** 2 - 300.0**2) + mat.c_p_j_m3_k * (r.lattice_k[-1] - 300.0)
    assert (stored + r.sink_j_m3[-1]) / r.deposited_j_m3 == pytest.approx(1.0, abs=1e-4)
    assert r.m[-1] == pytest.approx(1.0, abs=1e-3)  # cooled back after 10 sink times


def test_ring_shift_knob_and_delay_axis():
    t = dm.delay_grid_ps(500)
    assert t[0] == pytest.approx(-20.0) and t[-1] == pytest.approx(2000.0) and np.all(np.diff(t) > 0)
    assert np.diff(t).min() < 0.05 and np.diff(t).max() > 20.0
    s = dm.ring_shift_factor(t, -2.0, 100.0, 1000.0)
    assert s[t < 0].tolist() == [1.0] * int(np.sum(t < 0)) and s.min() > 0.98
    assert np.all(dm.ring_shift_factor(t, 0.0, 100.0, 1000.0) == 1.0)
