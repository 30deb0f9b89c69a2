"""Resonant charge and magnetic scattering factors of Co at the L3/L2 edges (Kramers-Kronig consistent).

Amplitude (Hannon-Trammell; van der Laan, C. R. Physique 9, 570 (2008)):
    f = f_c(E) (e'*·e) − i f_m(E) (e'*×e)·m + ...
Convention: Henke's, f = f' + i f'' with f'' > 0 for absorption (cross-section σ = 2 r0 λ f''),
so that a line's f' is negative below and positive above it - the convention of the Project Dyna
tables shipped with udkm1Dsim (``Co.mf``).

* magnetic factor f_m = m' + i m'': a sum of complex Voigt lines, a i conj(w(z)) / (σ √(2π)) with
  w the Faddeeva function and z = (E − E0 + iγ)/(σ√2); each line is analytic in one half plane, so
  m' and m'' are a Kramers-Kronig pair by construction.  Four lines (two at L3, two at L2) were
  fitted once (least squares, 770-806 eV, rms 0.18 e) to the Dyna Co table; the tests pin the
  published anchors: m'' minimum about −17.9 e near 777.95 eV, m' +11.1 e at 777.34 eV and −8.9 e
  at 779.17 eV, L2 m'' +6.1 e at 793.5 eV.  The amplitude is that of saturated Co metal.
* alignment with the Explorer's one absorption model (``physics.spectra``): the table's energy
  scale (Co metal, another beamline) is shifted so that the L3 m'' extremum sits at the maximum of
  the Co/Pd absorbance of :func:`physics.spectra.xas_absorbance` (777.63 eV), as in Co metal where
  the L3 XMCD and XAS maxima coincide within about 0.1 eV (an assumption; the shift is about
  −0.45 eV and is computed from spectra at call time, so it follows any refit of that shape).
* charge factor: f''_c(E) = σ_XAS(E) / (2 r0 λ) from :func:`physics.spectra.cross_section_mb` (the
  resonant part only, no copy of its numbers), f'_c by a numerical Kramers-Kronig transform.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.signal import hilbert
from scipy.special import wofz

from . import spectra
from .constants import BACKGROUND_TRANSMISSION, CO_DENSITY_ATOMS_NM3, HC_EV_NM
from .pulses import FWHM_PER_SIGMA

__all__ = [
    "R0_NM",
    "DYNA_CO_LINES",
    "voigt_line",
    "magnetic_factor",
    "alignment_shift_ev",
    "xas_maximum_ev",
    "charge_factor_imag",
    "charge_factor",
    "kramers_kronig_real",
    "mb_per_electron",
    "magnetic_phase",
    "saxs_efficiency",
    "best_energy_ev",
    "fm_maximum_ev",
    "peak_of_curve",
    "saxs_spectrum",
]

R0_NM = 2.8179403262e-6  # classical electron radius (CODATA)

# (area e·eV, centre eV, Gaussian sigma eV, Lorentzian half width eV) of each complex Voigt line,
# fitted once to the Project Dyna Co table (udkm1Dsim ``Co.mf``), in the table's energy frame.
DYNA_CO_LINES: tuple[tuple[float, float, float, float], ...] = (
    (-26.2625, 778.0284, 0.5641, 0.1170),  # L3 main
    (-17.5959, 779.1909, 0.0500, 1.1448),  # L3 high-energy shoulder (nearly Lorentzian)
    (9.9031, 793.4739, 0.8202, 0.0100),  # L2 main
    (15.8679, 795.7178, 1.1242, 1.3894),  # L2 high-energy tail
)


def voigt_line(energy_ev, area: float, center_ev: float, sigma_ev: float, gamma_ev: float) -> np.ndarray:
    """Complex Voigt line (Henke convention): imaginary part = ``area`` x unit-area Voigt profile,
    real part = its Kramers-Kronig partner (negative below the centre for a positive area)."""
    z = (np.asarray(energy_ev, dtype=float) - center_ev + 1j * gamma_ev) / (sigma_ev * math.sqrt(2.0))
    w = wofz(z) / (sigma_ev * math.sqrt(2.0 * math.pi))
    return area * (w.imag + 1j * w.real)


def _dyna_frame(energy_ev) -> np.ndarray:
    e = np.asarray(energy_ev, dtype=float)
    out = np.zeros(e.shape, dtype=complex)
    for line in DYNA_CO_LINES:
        out = out + voigt_line(e, *line)
    return out


def _argextremum(fn, lo: float, hi: float, sign: float) -> float:
    """Energy of the maximum of sign*fn on [lo, hi]: a 0.02 eV scan, then a bounded 1D search."""
    e = np.linspace(lo, hi, int(round((hi - lo) / 0.02)) + 1)
    i = int(np.argmax(sign * np.asarray(fn(e), dtype=float)))
    a, b = e[max(i - 1, 0)], e[min(i + 1, len(e) - 1)]
    res = minimize_scalar(lambda x: -sign * float(fn(np.array([x]))[0]), bounds=(a, b), method="bounded",
                          options={"xatol": 1e-6})
    return float(res.x)


def xas_maximum_ev() -> float:
    """Maximum of the Explorer's Co/Pd absorbance (``spectra.xas_absorbance``), found numerically."""
    return _argextremum(spectra.xas_absorbance, 775.0, 781.0, +1.0)


def _alignment_shift() -> float:
    return xas_maximum_ev() - _argextremum(lambda e: _dyna_frame(e).imag, 775.0, 781.0, -1.0)


_ALIGNMENT_SHIFT_EV = _alignment_shift()  # a constant derived from spectra at import (~1 ms), not mutable state


def alignment_shift_ev() -> float:
    """Energy shift from the Dyna frame to the sample frame: XAS maximum − L3 m'' minimum (about −0.45 eV)."""
    return _ALIGNMENT_SHIFT_EV


def magnetic_factor(energy_ev, aligned: bool = True) -> np.ndarray:
    """Complex resonant magnetic factor f_m = m' + i m'' of Co in electrons per atom.

    ``aligned=True`` (default): on the sample's energy scale (see module docstring);
    ``aligned=False``: in the frame of the published Dyna table (for its anchors).
    """
    e = np.asarray(energy_ev, dtype=float)
    return _dyna_frame(e - alignment_shift_ev()) if aligned else _dyna_frame(e)


def mb_per_electron(energy_ev) -> np.ndarray:
    """2 r0 λ in Mb: the cross-section of one electron of f'' (0.0898 Mb at 778 eV)."""
    lam_nm = HC_EV_NM / np.asarray(energy_ev, dtype=float)
    return 2.0 * R0_NM * lam_nm * 1e4  # 1 nm^2 = 1e4 Mb


def charge_factor_imag(energy_ev) -> np.ndarray:
    """f''_c(E) = σ_XAS(E) / (2 r0 λ): the Explorer's resonant Co/Pd absorption in electrons per atom."""
    return spectra.cross_section_mb(energy_ev) / mb_per_electron(energy_ev)


def kramers_kronig_real(energy_ev, imag, pad_factor: int = 4) -> np.ndarray:
    """Real part from the imaginary part (Henke convention) on a uniform energy grid:

        f'(E) = −(2/π) P∫ ε f''(ε) / (ε² − E²) dε
              = H[f''](E) − (1/π) ∫ f''(ε) / (ε + E) dε,

    H the Hilbert transform (1/π) P∫ f''(ε)/(E − ε) dε, done with an FFT on a zero-padded grid;
    f'' is taken as zero outside the grid, so a non-decaying f'' (an edge step) should be tapered
    to zero at the grid ends by the caller.  The second (non-resonant image) term is a smooth
    correction done by quadrature.
    """
    e = np.asarray(energy_ev, dtype=float)
    f2 = np.asarray(imag, dtype=float)
    n = len(e)
    padded = np.zeros(pad_factor * n)
    padded[:n] = f2
    h = np.imag(hilbert(padded))[:n]
    # The image term is smooth in E (ε + E ≈ 2E): evaluate it at a few nodes and interpolate.
    nodes = np.linspace(e[0], e[-1], 17)
    image = np.trapezoid(f2[None, :] / (e[None, :] + nodes[:, None]), e, axis=1) / math.pi
    return h - np.interp(e, nodes, image)


def charge_factor(energy_ev, margin_ev: float = 150.0, taper_ev: float = 50.0, step_ev: float = 0.05) -> np.ndarray:
    """Complex resonant charge factor f_c = f'_c + i f''_c (electrons per atom) at ``energy_ev``.

    f''_c from :func:`charge_factor_imag` on a grid extending ``margin_ev`` beyond the requested
    energies, its edge steps tapered to zero over the last ``taper_ev`` (cos²), then
    :func:`kramers_kronig_real`.  Only the resonant part: the non-resonant f' (about Z) is a constant.
    """
    e_req = np.asarray(energy_ev, dtype=float)
    lo, hi = float(e_req.min()) - margin_ev, float(e_req.max()) + margin_ev
    grid = np.arange(lo, hi + step_ev / 2, step_ev)
    f2 = charge_factor_imag(grid)
    x = np.clip((grid - (hi - taper_ev)) / taper_ev, 0.0, 1.0)
    f2 = f2 * np.cos(0.5 * math.pi * x) ** 2  # taper the continuum step at the high end
    f1 = kramers_kronig_real(grid, f2)
    return np.interp(e_req, grid, f1) + 1j * charge_factor_imag(e_req)


def magnetic_phase(energy_ev, thickness_nm: float) -> np.ndarray:
    """φ_m = r0 λ ρ d f_m: the magnetic part of the phase (and attenuation) the film imprints
    (n − 1 = −r0 λ² ρ f / 2π integrated over d).  The magnetically scattered fraction of the
    transmitted beam is |φ_m|² var(m) in the first Born approximation."""
    lam = HC_EV_NM / np.asarray(energy_ev, dtype=float)
    return R0_NM * lam * CO_DENSITY_ATOMS_NM3 * thickness_nm * magnetic_factor(energy_ev)


def saxs_efficiency(energy_ev, thickness_nm: float, bandwidth_ev: float = 0.0) -> np.ndarray:
    """Magnetic-SAXS spectrum: scattered fraction per incident photon and per unit var(m),

        η(E) = T_bg · T(E) · |r0 λ ρ d f_m(E)|²,    T(E) = exp(−σ_XAS(E) ρ d)  (physics.spectra),

    averaged over a Gaussian band of FWHM ``bandwidth_ev`` (0: monochromatic).  T_bg = 0.55 is the
    non-resonant transmission of the first page's sample (Pd, Ta, SiN; Higley et al. 2022).
    """
    e = np.asarray(energy_ev, dtype=float)
    if bandwidth_ev <= 0.0:
        return _efficiency(e, thickness_nm)
    # Gauss-Hermite average over the band (20 nodes are exact to < 1e-4 for these line widths).
    x, w = np.polynomial.hermite_e.hermegauss(20)
    sigma = bandwidth_ev / FWHM_PER_SIGMA
    vals = _efficiency(e[..., None] + sigma * x, thickness_nm)
    return vals @ (w / w.sum())


def _efficiency(energy_ev, thickness_nm):
    return (BACKGROUND_TRANSMISSION * spectra.resonant_transmission(energy_ev, thickness_nm)
            * np.abs(magnetic_phase(energy_ev, thickness_nm)) ** 2)


def best_energy_ev(thickness_nm: float, bandwidth_ev: float = 0.0, lo_ev: float = 770.0, hi_ev: float = 785.0) -> float:
    """Photon energy of the largest magnetic-SAXS signal η(E) at the L3 edge for this thickness."""
    return _argextremum(lambda e: saxs_efficiency(e, thickness_nm, bandwidth_ev), lo_ev, hi_ev, +1.0)


def peak_of_curve(energy_ev, values) -> float:
    """Energy of the maximum of a sampled curve (uniform grid), refined by a parabola through 3 points."""
    e = np.asarray(energy_ev, dtype=float)
    y = np.asarray(values, dtype=float)
    i = int(np.clip(np.argmax(y), 1, len(e) - 2))
    denom = y[i - 1] - 2.0 * y[i] + y[i + 1]
    shift = 0.5 * (y[i - 1] - y[i + 1]) / denom if denom != 0 else 0.0
    return float(e[i] + np.clip(shift, -1.0, 1.0) * (e[1] - e[0]))


def fm_maximum_ev(lo_ev: float = 770.0, hi_ev: float = 785.0) -> float:
    """Energy of the |f_m| maximum at L3 (sample frame)."""
    return _argextremum(lambda e: np.abs(magnetic_factor(e)), lo_ev, hi_ev, +1.0)


def saxs_spectrum(energy_grid_ev, thickness_nm: float, bandwidth_ev: float = 0.0) -> np.ndarray:
    """:func:`saxs_efficiency` on a uniform grid, the band average done as one convolution
    (``spectra.convolve_gaussian``; fast, edges padded) - for figures and the best energy."""
    e = np.asarray(energy_grid_ev, dtype=float)
    return spectra.convolve_gaussian(_efficiency(e, thickness_nm), float(e[1] - e[0]), bandwidth_ev)
