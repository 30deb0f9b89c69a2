"""Co L3/L2 resonant factors: published Dyna anchors, Kramers-Kronig consistency, the one absorption model."""
import math

import numpy as np
import pytest

from physics import magnetic_factors as mf
from physics import spectra


def test_published_dyna_co_anchors():
    # Project Dyna Co table (udkm1Dsim Co.mf), shared reference section 2.4; model fitted once, tolerance 0.5 e
    e = np.linspace(776.0, 780.0, 40001)
    f = mf.magnetic_factor(e, aligned=False)
    i = int(np.argmin(f.imag))
    assert f.imag[i] == pytest.approx(-17.9, abs=0.5) and e[i] == pytest.approx(777.95, abs=0.2)
    assert mf.magnetic_factor(777.34, aligned=False).real == pytest.approx(11.1, abs=0.5)
    assert mf.magnetic_factor(779.17, aligned=False).real == pytest.approx(-8.9, abs=0.5)
    assert mf.magnetic_factor(793.5, aligned=False).imag == pytest.approx(6.1, abs=0.5)


def test_magnetic_factor_is_kramers_kronig_consistent():
    # an independent numerical transform of m'' reproduces the analytic m'
    e = np.arange(650.0, 950.0, 0.02)
    f = mf.magnetic_factor(e, aligned=False)
    kk = mf.kramers_kronig_real(e, f.imag)
    window = (e > 770.0) & (e < 800.0)
    assert np.max(np.abs(kk[window] - f.real[window])) < 0.05  # electrons, against peaks of 11-18 e


def test_kramers_kronig_transform_on_a_lorentzian():
    e = np.arange(500.0, 1100.0, 0.01)
    gamma = 0.5
    f2 = gamma / ((e - 778.0) ** 2 + gamma**2)
    exact = (e - 778.0) / ((e - 778.0) ** 2 + gamma**2)  # Henke convention: f' < 0 below the line
    kk = mf.kramers_kronig_real(e, f2)
    w = (e > 770) & (e < 786)
    # the image term -(1/π)∫f2/(ε+E) is part of the exact f' of a positive-frequency line
    image = math.pi / (math.pi * (2 * 778.0))
    assert np.max(np.abs(kk[w] - (exact[w] - image))) < 2e-3


def test_charge_factor_is_the_explorers_absorption():
    e = spectra.energy_grid()
    assert mf.mb_per_electron(778.0) == pytest.approx(0.0898, abs=2e-4)  # 2 r0 λ at 778 eV
    assert 6.25 / mf.mb_per_electron(778.0) == pytest.approx(70.0, abs=0.5)  # 6.25 Mb <-> f2 about 70 e
    assert np.allclose(mf.charge_factor_imag(e) * mf.mb_per_electron(e), spectra.cross_section_mb(e), rtol=1e-12)
    fc = mf.charge_factor(e)
    peak = e[np.argmax(fc.imag)]
    # dispersive f' of the white line: its minimum lies below the absorption maximum and it rises
    # through the maximum (the edge step's Kramers-Kronig partner keeps it negative nearby)
    at = {d: fc.real[np.searchsorted(e, peak + d)] for d in (-0.7, 0.0, 1.0)}
    assert at[-0.7] < at[0.0] < at[1.0]
    window = (e > peak - 3.0) & (e < peak + 3.0)
    assert e[window][np.argmin(fc.real[window])] < peak
    # the XMCD amplitude relative to the charge absorption is a plausible Co value (0.2-0.45)
    assert 0.2 < abs(mf.magnetic_factor(e).imag).max() / fc.imag.max() < 0.45


def test_aligned_to_the_explorers_absorption_maximum():
    e = np.linspace(776.5, 779.0, 25001)
    xas_max = e[np.argmax(spectra.xas_absorbance(e))]
    assert mf.xas_maximum_ev() == pytest.approx(xas_max, abs=2e-4)
    m_min = e[np.argmin(mf.magnetic_factor(e).imag)]
    assert m_min == pytest.approx(xas_max, abs=0.01)
    assert abs(mf.alignment_shift_ev()) < 1.0


def test_best_energy_moves_below_the_fm_maximum_as_the_film_thickens():
    fm_max = mf.fm_maximum_ev()
    best = [mf.best_energy_ev(d) for d in (2.0, 25.0, 100.0)]
    assert best[0] == pytest.approx(fm_max, abs=0.05)  # thin film: |f_m|² decides
    assert best[0] > best[1] > best[2] and best[2] < fm_max - 0.5


def test_saxs_efficiency_is_the_born_formula():
    e, d = 777.6, 25.0
    lam = 1239.841984 / e
    phase = 2.8179403262e-6 * lam * 91.0 * d * abs(mf.magnetic_factor(e))
    expected = 0.55 * float(spectra.resonant_transmission(e, d)) * phase**2
    assert float(mf.saxs_efficiency(e, d)) == pytest.approx(expected, rel=1e-12)
    grid = spectra.energy_grid()
    band = mf.saxs_spectrum(grid, d, 1.0)
    assert float(np.interp(e, grid, band)) == pytest.approx(float(mf.saxs_efficiency(e, d, 1.0)), rel=0.01)
