"""Spontaneous (low-fluence) spectra of the Co/Pd multilayer at the Co L3/L2 edges.

* XAS: a model of the measured synchrotron absorbance of the paper's sample - an asymmetric
  L3 white line (maximum 777.63 eV, half maximum at 776.9 and 779.0 eV: steep onset, slower
  fall), an erf post-edge step of about 0.13 of the L3 maximum (flat from about 785 eV) and the
  L2 line at 792.5 eV (about 0.39 of the L3 maximum).  Tabulated atomic data have no white line,
  so the shape is parametrised here; the constants were fitted once to those published facts and
  the tests pin them.
* Cross-section: sigma(E) = sigma_peak * a(E), with sigma_peak set by Eq. 2 so that the resonant
  transmission at the L3 maximum is 32 % for 25 nm of Co (sigma_peak about 5.0 Mb).
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
    SPONTANEOUS_PEAK_TRANSMISSION,
)
from .pulses import FWHM_PER_SIGMA

__all__ = [
    "energy_grid",
    "xas_absorbance",
    "xas_l3",
    "rixs_emission",
    "sigma_peak_mb",
    "cross_section_mb",
    "optical_depth",
    "resonant_transmission",
    "convolve_gaussian",
    "line_shape",
]

ENERGY_MIN_EV = 765.0
ENERGY_MAX_EV = 795.0
ENERGY_STEP_EV = 0.05

# Fitted once (least squares) to: maximum 777.63 eV, half maxima 776.9/779.0 eV, post-edge 0.13
# at 786 eV, L2 0.39 at 792.5 eV.  Widths are half widths at half maximum of each side.
_L3 = dict(center=777.5792, hwhm_low=0.68748, hwhm_high=1.23030, lorentz_fraction=0.25, height=0.969705)
_L3_STEP = dict(center=778.1129, width=1.21986, height=0.13)
_L2 = dict(center=792.5, hwhm_low=1.0, hwhm_high=1.6, lorentz_fraction=0.25, height=0.26)
_L2_STEP = dict(center=793.0, width=1.0, height=0.06)
# RIXS: main split pseudo-Voigt plus the low-energy tail (fitted to the published facts).
_RIXS = dict(center=776.6247, hwhm_low=1.91664, hwhm_high=1.49102, lorentz_fraction=0.3)
_RIXS_TAIL = dict(center=770.9667, hwhm=2.48395, height=0.278071)


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


def _step(energy_ev, center, width, height):
    return height * 0.5 * (1.0 + erf((np.asarray(energy_ev, dtype=float) - center) / width))


def _xas_raw(energy_ev, include_l2: bool = True):
    a = _L3["height"] * line_shape(energy_ev, _L3["center"], _L3["hwhm_low"], _L3["hwhm_high"], _L3["lorentz_fraction"])
    a = a + _step(energy_ev, **_L3_STEP)
    if include_l2:
        a = a + _L2["height"] * line_shape(energy_ev, _L2["center"], _L2["hwhm_low"], _L2["hwhm_high"], _L2["lorentz_fraction"])
        a = a + _step(energy_ev, **_L2_STEP)
    return a


def _normaliser() -> float:
    e = np.linspace(L3_PEAK_EV - 1.0, L3_PEAK_EV + 1.0, 20001)
    return float(_xas_raw(e).max())


_XAS_MAX = _normaliser()  # a constant (the model's L3 maximum), not mutable state


def xas_absorbance(energy_ev):
    """Normalised Co L3/L2 absorbance a(E): 1 at the L3 maximum (777.63 eV). Paper Fig. 3a."""
    return _xas_raw(energy_ev) / _XAS_MAX


def xas_l3(energy_ev):
    """The L3 part (white line + L3 continuum step) of :func:`xas_absorbance`, same units.

    Photons absorbed here create 2p3/2 core holes, whose decay feeds the L3 RIXS channel.
    """
    return _xas_raw(energy_ev, include_l2=False) / _XAS_MAX


def rixs_emission(energy_ev):
    """Co metal spontaneous RIXS/emission shape with unit maximum (near 776.6 eV). Fig. 3a."""
    main = line_shape(energy_ev, _RIXS["center"], _RIXS["hwhm_low"], _RIXS["hwhm_high"], _RIXS["lorentz_fraction"])
    x = (np.asarray(energy_ev, dtype=float) - _RIXS_TAIL["center"]) / _RIXS_TAIL["hwhm"]
    tail = _RIXS_TAIL["height"] * np.exp(-math.log(2.0) * x**2)
    return (main + tail) / _RIXS_MAX


def _rixs_normaliser() -> float:
    e = np.linspace(770.0, 782.0, 24001)
    main = line_shape(e, _RIXS["center"], _RIXS["hwhm_low"], _RIXS["hwhm_high"], _RIXS["lorentz_fraction"])
    tail = _RIXS_TAIL["height"] * np.exp(-math.log(2.0) * ((e - _RIXS_TAIL["center"]) / _RIXS_TAIL["hwhm"]) ** 2)
    return float((main + tail).max())


_RIXS_MAX = _rixs_normaliser()


def sigma_peak_mb() -> float:
    """Peak resonant cross-section from Eq. 2: T = exp(-sigma rho_a d) = 0.32 for d = 25 nm.

    sigma = -ln(0.32) / (91 nm^-3 * 25 nm) = 5.01e-4 nm^2 = 5.01 Mb.
    """
    sigma_nm2 = -math.log(SPONTANEOUS_PEAK_TRANSMISSION) / (CO_DENSITY_ATOMS_NM3 * CO_THICKNESS_NM_DEFAULT)
    return sigma_nm2 * 1e4  # 1 nm^2 = 1e-14 cm^2 = 1e4 Mb


def cross_section_mb(energy_ev):
    """Resonant Co absorption cross-section sigma_XAS(E) in Mb per atom."""
    return sigma_peak_mb() * xas_absorbance(energy_ev)


def optical_depth(energy_ev, thickness_nm: float = CO_THICKNESS_NM_DEFAULT):
    """sigma_XAS(E) rho_a d (dimensionless)."""
    return cross_section_mb(energy_ev) * 1e-4 * CO_DENSITY_ATOMS_NM3 * thickness_nm


def resonant_transmission(energy_ev, thickness_nm: float = CO_THICKNESS_NM_DEFAULT):
    """Spontaneous resonant transmission, Eq. 2: T(E) = exp(-sigma_XAS(E) rho_a d)."""
    return np.exp(-optical_depth(energy_ev, thickness_nm))


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
