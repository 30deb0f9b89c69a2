"""Spontaneous (low-fluence) spectra of the Co/Pd multilayer at the Co L3/L2 edges.

* XAS (paper Eq. 2, Fig. 3a): the optical depth of the 25 nm film is an analytic fit to the
  measured synchrotron transmission of the paper's sample (16 points, background removed;
  every point within 0.01): three Gaussian lines and an erf edge step for L3, one line and a step
  for L2.  Gaussians and erf steps are smooth and have closed-form Kramers-Kronig partners (Dawson
  function).  A Voigt with the full 0.43 eV core-hole Lorentzian is too absorbing at the onset
  (0.03 at 776.25 eV): the measured onset is steeper than those Lorentzian wings allow.
  The fit reproduces the published shape facts without being fitted to them: maximum at
  777.62 eV, half maxima 776.90/779.02 eV, post-edge 0.13, L2 0.40 at 792.75 eV.
* Cross-section: sigma(E) = OD(E) / (rho_a d); at the L3 maximum 4.68 Mb (T = 0.345 through 25 nm;
  the paper rounds this to 32 %, sigma about 5.0 Mb).
* RIXS: the Co metal emission shape used in the paper (Nilsson et al.): maximum near 776.6 eV,
  FWHM 3.6 eV, a long low-energy tail (0.3 of the maximum six eV below it).
* The spectrometer resolution (Gaussian FWHM) as a convolution on a uniform grid.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from .constants import (
    CO_DENSITY_ATOMS_NM3,
    CO_THICKNESS_NM_DEFAULT,
    L3_PEAK_EV,
    MEASURED_TRANSMISSION_25NM,
    RIXS_MAIN,
    RIXS_TAIL,
    XAS_FIT_THICKNESS_NM,
    XAS_L2_LINES,
    XAS_L2_STEP,
    XAS_L3_LINES,
    XAS_L3_STEP,
)
from .pulses import FWHM_PER_SIGMA

__all__ = [
    "ENERGY_MIN_EV",
    "ENERGY_MAX_EV",
    "energy_grid",
    "xas_absorbance",
    "xas_l3",
    "rixs_emission",
    "sigma_peak_mb",
    "cross_section_mb",
    "optical_depth",
    "l3_optical_depth",
    "resonant_transmission",
    "convolve_gaussian",
    "line_shape",
    "measured_transmission_points",
]

ENERGY_MIN_EV = 765.0
ENERGY_MAX_EV = 795.0
ENERGY_STEP_EV = 0.05


def energy_grid(step_ev: float = ENERGY_STEP_EV) -> np.ndarray:
    """The photon-energy grid of the Explorer: 765-795 eV (601 points at 0.05 eV)."""
    n = int(round((ENERGY_MAX_EV - ENERGY_MIN_EV) / step_ev)) + 1
    return np.linspace(ENERGY_MIN_EV, ENERGY_MAX_EV, n)


def line_shape(energy_ev, center, hwhm_low, hwhm_high, lorentz_fraction):
    """Asymmetric (split) pseudo-Voigt with unit height: different half widths below/above."""
    x = np.asarray(energy_ev, dtype=float) - center
    w = np.where(x < 0.0, hwhm_low, hwhm_high)
    u = (x / w) ** 2
    return lorentz_fraction / (1.0 + u) + (1.0 - lorentz_fraction) * np.exp(-math.log(2.0) * u)


def _edge(energy_ev, lines, step):
    """Optical depth of one edge of the fitted film: Gaussian lines plus an erf step."""
    e = np.asarray(energy_ev, dtype=float)
    od = step[0] * 0.5 * (1.0 + erf((e - step[1]) / (math.sqrt(2.0) * step[2])))
    for height, center, sigma in lines:
        od = od + height * np.exp(-0.5 * ((e - center) / sigma) ** 2)
    return od


def _film_od_l3(energy_ev):
    return _edge(energy_ev, XAS_L3_LINES, XAS_L3_STEP)


def _film_od(energy_ev):
    return _film_od_l3(energy_ev) + _edge(energy_ev, XAS_L2_LINES, XAS_L2_STEP)


def _film_od_max() -> float:
    e = np.linspace(L3_PEAK_EV - 1.0, L3_PEAK_EV + 1.0, 20001)
    return float(_film_od(e).max())


_OD_MAX = _film_od_max()  # a constant (the fitted film's L3 maximum, 1.064), not mutable state


def xas_absorbance(energy_ev):
    """Normalised Co L3/L2 absorbance a(E): 1 at the L3 maximum (777.62 eV). Paper Fig. 3a."""
    return _film_od(energy_ev) / _OD_MAX


def xas_l3(energy_ev):
    """The L3 part (white line + L3 continuum step) of :func:`xas_absorbance`, same units.

    Photons absorbed here create 2p3/2 core holes, whose decay feeds the L3 RIXS channel.
    """
    return _film_od_l3(energy_ev) / _OD_MAX


def _rixs_raw(energy_ev):
    main = line_shape(energy_ev, *RIXS_MAIN)
    center, hwhm, height = RIXS_TAIL
    x = (np.asarray(energy_ev, dtype=float) - center) / hwhm
    return main + height * np.exp(-math.log(2.0) * x**2)


_RIXS_MAX = float(_rixs_raw(np.linspace(770.0, 782.0, 24001)).max())


def rixs_emission(energy_ev):
    """Co metal spontaneous RIXS/emission shape with unit maximum (near 776.6 eV). Fig. 3a."""
    return _rixs_raw(energy_ev) / _RIXS_MAX


def sigma_peak_mb() -> float:
    """Peak resonant cross-section (Eq. 2): OD_max / (rho_a d) of the fitted film, 4.68 Mb.

    The measured 25 nm film transmits 0.345 at the maximum; the paper rounds this to 32 %
    (sigma about 5.0 Mb).
    """
    sigma_nm2 = _OD_MAX / (CO_DENSITY_ATOMS_NM3 * XAS_FIT_THICKNESS_NM)
    return sigma_nm2 * 1e4  # 1 nm^2 = 1e-14 cm^2 = 1e4 Mb


def cross_section_mb(energy_ev):
    """Resonant Co absorption cross-section sigma_XAS(E) in Mb per atom."""
    return sigma_peak_mb() * xas_absorbance(energy_ev)


def optical_depth(energy_ev, thickness_nm: float = CO_THICKNESS_NM_DEFAULT):
    """sigma_XAS(E) rho_a d (dimensionless)."""
    return _film_od(energy_ev) * (thickness_nm / XAS_FIT_THICKNESS_NM)


def l3_optical_depth(energy_ev, thickness_nm: float = CO_THICKNESS_NM_DEFAULT):
    """The L3 part of :func:`optical_depth` (absorption that creates 2p3/2 core holes)."""
    return _film_od_l3(energy_ev) * (thickness_nm / XAS_FIT_THICKNESS_NM)


def resonant_transmission(energy_ev, thickness_nm: float = CO_THICKNESS_NM_DEFAULT):
    """Spontaneous resonant transmission, Eq. 2: T(E) = exp(-sigma_XAS(E) rho_a d)."""
    return np.exp(-optical_depth(energy_ev, thickness_nm))


def measured_transmission_points() -> tuple[np.ndarray, np.ndarray]:
    """The 16 measured resonant transmissions of the 25 nm film the XAS is fitted to (energy eV, T),
    for overlaying on the spectra figures."""
    e, t = np.array(MEASURED_TRANSMISSION_25NM, dtype=float).T
    return e, t


def convolve_gaussian(values, step_ev: float, fwhm_ev: float, axis: int = -1):
    """Convolve samples on a uniform grid with a unit-area Gaussian of the given FWHM.

    Edges are padded with the edge value so that a flat spectrum stays flat.  A FWHM below
    half a grid step returns the input unchanged.
    """
    values = np.asarray(values, dtype=float)
    if fwhm_ev <= 0.5 * step_ev:
        return values
    sigma_pts = fwhm_ev / FWHM_PER_SIGMA / step_ev
    half = int(math.ceil(4.0 * sigma_pts))
    k = np.arange(-half, half + 1)
    kernel = np.exp(-0.5 * (k / sigma_pts) ** 2)
    kernel /= kernel.sum()
    moved = np.moveaxis(values, axis, -1)
    padded = np.concatenate(
        [np.repeat(moved[..., :1], half, axis=-1), moved, np.repeat(moved[..., -1:], half, axis=-1)], axis=-1
    )
    flat = padded.reshape(-1, padded.shape[-1])
    out = np.stack([np.convolve(row, kernel, mode="valid") for row in flat]).reshape(moved.shape)
    return np.moveaxis(out, -1, axis)
