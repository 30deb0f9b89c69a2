"""Spontaneous spectra against the paper's published numbers (Eq. 2, Fig. 3a)."""
import numpy as np
import pytest

from physics import spectra

E = spectra.energy_grid(0.001)


def _half_max_points(y):
    i = int(np.argmax(y))
    yn = y / y[i]
    lo = np.interp(0.5, yn[:i], E[:i])
    hi = np.interp(0.5, yn[i:][::-1], E[i:][::-1])
    return E[i], lo, hi


def test_resonant_peak_transmission_is_32_percent_at_777_6():
    t = spectra.resonant_transmission(E)
    i = int(np.argmin(t))
    assert t[i] == pytest.approx(0.32, abs=0.01)
    assert E[i] == pytest.approx(777.6, abs=0.2)


def test_l3_half_maximum_points():
    peak, lo, hi = _half_max_points(spectra.xas_absorbance(E))
    assert peak == pytest.approx(777.63, abs=0.05)
    assert lo == pytest.approx(776.9, abs=0.2)
    assert hi == pytest.approx(779.0, abs=0.2)


def test_post_edge_step_l2_and_nothing_below_775():
    a = spectra.xas_absorbance(E)
    at = lambda e: float(np.interp(e, E, a))  # noqa: E731
    assert at(786.0) == pytest.approx(0.13, abs=0.02)
    assert abs(at(788.0) - at(785.0)) < 0.01  # flat from about 785 eV
    l2 = (E > 788) & (E < 795)
    assert E[l2][np.argmax(a[l2])] == pytest.approx(792.5, abs=0.3)
    assert a[l2].max() == pytest.approx(0.39, abs=0.03)
    assert a[E < 775].max() < 0.03


def test_cross_section_from_eq2():
    assert spectra.sigma_peak_mb() == pytest.approx(5.0, abs=0.05)
    # Beer-Lambert: doubling the Co thickness squares the transmission
    assert spectra.resonant_transmission(777.63, 50.0) == pytest.approx(0.32**2, rel=0.01)


def test_rixs_emission_shape():
    r = spectra.rixs_emission(E)
    peak, lo, hi = _half_max_points(r)
    assert peak == pytest.approx(776.6, abs=0.2)
    assert hi - lo == pytest.approx(3.6, abs=0.2)
    assert float(np.interp(peak - 6.0, E, r)) == pytest.approx(0.3, abs=0.05)  # long low-energy tail
    assert r.max() == pytest.approx(1.0, abs=1e-6)


def test_resolution_convolution_keeps_area_and_flat_lines():
    e = spectra.energy_grid()
    step = e[1] - e[0]
    y = spectra.xas_absorbance(e)
    c = spectra.convolve_gaussian(y, step, 0.8)
    assert np.trapezoid(c, e) == pytest.approx(np.trapezoid(y, e), rel=0.005)
    assert c.max() < y.max()  # a sharp line is lowered ...
    assert np.allclose(spectra.convolve_gaussian(np.full(50, 3.0), step, 2.0), 3.0)  # ... a flat one is not
    assert np.array_equal(spectra.convolve_gaussian(y, step, 0.0), y)
    # FWHM of a delta becomes the resolution
    d = np.zeros_like(e)
    d[300] = 1.0
    g = spectra.convolve_gaussian(d, step, 0.8)
    above = e[g >= g.max() / 2]
    assert above[-1] - above[0] == pytest.approx(0.8, abs=step)
