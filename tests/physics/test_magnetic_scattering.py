"""Domain patterns and their scattering against the shared reference's laws (section 2, 5)."""
import math

import numpy as np
import pytest

from physics import domains
from physics import magnetic_scattering as ms


def sf(pattern="stripes", period=150.0, wall=0.0, duty=0.5, disorder=0.15, seed=1, n=512, periods=16):
    return ms.structure_factor(domains.generate(pattern, period, wall, duty, disorder, seed, n, periods))


def wall_form_factor(q, delta):
    x = math.pi * q * delta / 2.0
    return x / math.sinh(x)


def test_q1_is_two_pi_over_period_for_stripes():
    for period in (60.0, 150.0, 400.0):
        s = sf(period=period)
        assert s.q1_nm_inv == pytest.approx(2 * math.pi / period, rel=1e-6)
        assert s.resolution_limited  # a perfect stripe ring is one grid step wide


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_labyrinth_ring_centroid_within_one_percent(seed):
    s = sf("labyrinth", wall=10.0, seed=seed)
    assert s.q1_nm_inv == pytest.approx(2 * math.pi / 150.0, rel=0.01)
    assert not s.resolution_limited and 200.0 < s.correlation_length_nm < 800.0


def test_square_stripes_fifty_fifty_odd_orders_only():
    s = sf(n=512, periods=8)  # 64 pixels per period: sampling error of I3/I1 below 1 %
    assert s.harmonic_ratios["2"] == pytest.approx(0.0, abs=1e-12)
    assert s.harmonic_ratios["3"] == pytest.approx(1 / 9, rel=0.01)
    assert s.harmonic_ratios["5"] == pytest.approx(1 / 25, rel=0.03)


def test_duty_cycle_law():
    # 20 pixels per period, 12 up: continuous law sin²(2πD)/(4 sin²(πD)) = 0.0955; a 20-pixel grid
    # gives the discrete Dirichlet value sin²(2πD)/sin²(πD) · sin²(π/20)/sin²(2π/20) = 0.0979.
    s = sf(duty=0.6, n=400, periods=20)
    d = 0.6
    law = math.sin(2 * math.pi * d) ** 2 / (4 * math.sin(math.pi * d) ** 2)
    discrete = math.sin(2 * math.pi * d) ** 2 / math.sin(math.pi * d) ** 2 * math.sin(math.pi / 20) ** 2 \
        / math.sin(2 * math.pi / 20) ** 2
    assert law == pytest.approx(0.0955, abs=5e-5)
    assert s.harmonic_ratios["2"] == pytest.approx(discrete, rel=1e-6)
    assert s.harmonic_ratios["2"] == pytest.approx(0.098, abs=0.001)
    assert s.harmonic_ratios["2"] == pytest.approx(law, rel=0.03)


def test_wall_form_factor_damps_higher_orders():
    q1 = 2 * math.pi / 150.0
    for wall in (5.0, 10.0, 20.0):
        s = sf(wall=wall)
        expected = (1 / 9) * (wall_form_factor(3 * q1, wall) / wall_form_factor(q1, wall)) ** 2
        assert s.harmonic_ratios["3"] == pytest.approx(expected, rel=0.01)
    assert sf(wall=10.0).harmonic_ratios["3"] < sf(wall=0.0).harmonic_ratios["3"]


def test_uniform_demagnetisation_scales_root_integrated_intensity_exactly():
    pattern = domains.generate("labyrinth", 150.0, 10.0, 0.5, 0.15, 4, 256, 16)
    base = ms.structure_factor(pattern)
    for alpha in (0.3, 0.77):
        scaled = domains.DomainPattern(pattern.m_z * alpha, pattern.pixel_nm, "labyrinth", 150.0, 10.0, 0.5, 0.15, 4)
        s = ms.structure_factor(scaled)
        assert math.sqrt(s.profile_sum.sum()) / math.sqrt(base.profile_sum.sum()) == pytest.approx(alpha, rel=1e-12)
    # the cheap per-delay path does the same
    q, prof = ms.scaled_profile(base.q_nm_inv, base.profile_sum, 0.6, 1.0)
    assert math.sqrt(prof.sum() / base.profile_sum.sum()) == pytest.approx(0.6, rel=1e-12)


def test_parseval_sum_of_s_is_variance_of_m():
    pattern = domains.generate("labyrinth", 150.0, 10.0, 0.7, 0.15, 2, 256, 16)
    s = ms.structure_factor(pattern)
    assert s.variance == pytest.approx(float(np.var(pattern.m_z)), rel=1e-10)
    assert float(np.mean(pattern.m_z > 0)) == pytest.approx(0.7, abs=0.002)


def test_geometry_anchors():
    q1 = 2 * math.pi / 150.0
    assert q1 == pytest.approx(0.0419, abs=5e-5)
    assert ms.wavelength_nm(778.0) == pytest.approx(1.5936, abs=1e-4)
    assert math.degrees(ms.two_theta_rad(q1, 778.0)) == pytest.approx(0.609, abs=0.001)
    assert ms.detector_radius_mm(q1, 778.0, 0.5) == pytest.approx(5.31, abs=0.01)
    assert ms.q_from_radius_mm(ms.detector_radius_mm(q1, 778.0, 0.5), 778.0, 0.5) == pytest.approx(q1, rel=1e-12)


def test_deterministic_by_seed():
    a = domains.generate("labyrinth", 150.0, 10.0, 0.5, 0.15, 7, 128, 8)
    b = domains.generate("labyrinth", 150.0, 10.0, 0.5, 0.15, 7, 128, 8)
    c = domains.generate("labyrinth", 150.0, 10.0, 0.5, 0.15, 8, 128, 8)
    assert np.array_equal(a.m_z, b.m_z) and not np.array_equal(a.m_z, c.m_z)
    assert not a.m_z.flags.writeable


def test_stripe_walls_are_tanh():
    x = np.linspace(-30.0, 30.0, 601)
    m = domains.stripe_profile(x - 37.5, 150.0, 8.0, 0.5)  # the up-going wall sits at -DP/2 = -37.5 nm
    assert np.allclose(m, np.tanh(x / 8.0), atol=1e-3)


def test_too_few_pixels_per_period_is_a_parameter_error():
    from physics.parameters import ParameterError

    with pytest.raises(ParameterError, match="pixels per period"):
        domains.generate("stripes", 150.0, 0.0, 0.5, 0.1, 1, 64, 64)
