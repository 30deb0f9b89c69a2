"""Kramers-Heisenberg-Dirac (KHD) stimulated-RIXS gain (paper Eqs. 1, 3, 4).

* Photon number per mode (Eq. 3): n_pk = I lambda^3 / (c Delta_pk) = 0.1053 I[mJ/cm^2/fs] (8 eV/Delta_pk).
  The spike bandwidth that enters is :func:`effective_spike_bandwidth_ev`: never broader than the
  pulse's spectrum and never narrower than the transform limit of the pulse, so n_pk never exceeds
  its transform-limited value (all photons of the pulse in one mode).
* Eq. 4 (the paper's KHD): spontaneous RIXS per atom into the detector (dOmega/4pi) Yf sigma_XAS,
  stimulated RIXS n_pk Yf sigma_XAS; stimulated RIXS per core hole n_pk Yf
  (:func:`eq4_stimulated_fraction`, linear and unbounded: 0.25 at 300 mJ/cm^2/fs).
* Saturating extension (this project's, labelled as such): once the final-state and core-hole
  populations equalise, stimulated emission and absorption balance, so the stimulated decay
  probability per core hole saturates at 1/2.  s = (1 - exp(-2 n_pk Yf)) / 2
  (:func:`stimulated_fraction`) has the Eq. 4 slope and the limit 1/2; 0.199 at 300 mJ/cm^2/fs
  ("about 20 % stimulated RIXS per absorbed photon"), 21 % below Eq. 4 there.
* KHD versus Bloch: for the same matrix elements the Eq. 4 stimulated rate exceeds the optical-Bloch
  rate sigma_atom Phi of a two-level atom by 4 Yf lambda^2 / sigma_atom = 4 pi Gamma_X / Gamma_XAS(L3)
  (Eq. 18): 19.5 with Yf = 0.008 and 41.7 Mb, 18.9 from the widths 3.3 / 2.2 meV
  (:func:`khd_bloch_factor`).
* Detected enhancement: a spectrometer sees the spontaneous fraction dOmega/4pi of the
  fluorescence but all of the stimulated emission (it is emitted along the beam), so
  gain = s / ((dOmega/4pi) Yf): about 1e6 for dOmega/4pi = 1e-5..1e-4 (two-sided bracket).
"""
from __future__ import annotations

import math

import numpy as np

from .constants import (
    ATOMIC_PEAK_CROSS_SECTION_MB,
    FLUORESCENCE_YIELD,
    GAMMA_X_EV,
    GAMMA_XAS_L3_EV,
    L3_PEAK_EV,
    wavelength_nm,
)
from .pulses import photons_per_mode, transform_limited_bandwidth_ev

__all__ = [
    "photon_number",
    "effective_spike_bandwidth_ev",
    "transform_limited_photon_number",
    "operating_point",
    "eq4_stimulated_fraction",
    "stimulated_fraction",
    "linear_stimulated_fraction",
    "rixs_cross_sections_mb",
    "detected_enhancement",
    "max_decay_gain",
    "khd_bloch_factor",
    "khd_bloch_factor_from_widths",
]


def photon_number(intensity_mj_cm2_fs, spike_bandwidth_ev=8.0, energy_ev=L3_PEAK_EV):
    """n_pk, the number of photons per mode in a SASE spike of the given bandwidth (Eq. 3)."""
    return photons_per_mode(intensity_mj_cm2_fs, spike_bandwidth_ev, energy_ev)


def effective_spike_bandwidth_ev(spike_bandwidth_ev, bandwidth_ev, duration_fs):
    """The spike bandwidth that enters Eq. 3 for a real pulse (the one rule, used everywhere).

    A spike is never broader than the pulse's spectrum, whose FWHM is sqrt(B^2 + B_TL^2) for the
    SASE model (B the SASE bandwidth, B_TL the transform limit of the pulse length), and never
    narrower than B_TL (a 1 fs pulse is at least 1.8 eV wide whatever the slider says):
        Delta = min(max(Delta_pk, B_TL), sqrt(B^2 + B_TL^2)).
    """
    b_tl = transform_limited_bandwidth_ev(duration_fs)
    spectral = np.hypot(np.asarray(bandwidth_ev, dtype=float), b_tl)
    return np.minimum(np.maximum(np.asarray(spike_bandwidth_ev, dtype=float), b_tl), spectral)


def transform_limited_photon_number(fluence_mj_cm2, duration_fs, energy_ev=L3_PEAK_EV):
    """Upper bound of n_pk: the intensity F/tau in one transform-limited mode (Delta = B_TL(tau))."""
    intensity = np.asarray(fluence_mj_cm2, dtype=float) / np.asarray(duration_fs, dtype=float)
    return photon_number(intensity, transform_limited_bandwidth_ev(duration_fs), energy_ev)


def operating_point(fluence_mj_cm2: float, duration_fs: float, spike_bandwidth_ev: float,
                    bandwidth_ev: float) -> dict:
    """The KHD numbers of one pulse (gain figure, KPI card and summary read this one function).

    Returns n_pk, the effective spike bandwidth, the saturating stimulated fraction and the
    paper's Eq. 4 value n_pk Yf.
    """
    intensity = float(fluence_mj_cm2) / float(duration_fs)
    delta = float(effective_spike_bandwidth_ev(spike_bandwidth_ev, bandwidth_ev, duration_fs))
    n_pk = float(photon_number(intensity, delta))
    return {
        "intensity_mj_cm2_fs": intensity,
        "spike_bandwidth_ev": delta,
        "n_pk": n_pk,
        "stimulated_fraction": float(stimulated_fraction(n_pk)),
        "stimulated_fraction_eq4": float(eq4_stimulated_fraction(n_pk)),
    }


def eq4_stimulated_fraction(n_pk, fluorescence_yield=FLUORESCENCE_YIELD):
    """The paper's Eq. 4 ratio of stimulated RIXS to absorption: n_pk Yf (linear, unbounded)."""
    return np.asarray(n_pk, dtype=float) * fluorescence_yield


linear_stimulated_fraction = eq4_stimulated_fraction  # former name, kept for callers


def stimulated_fraction(n_pk, fluorescence_yield=FLUORESCENCE_YIELD):
    """Saturating extension of Eq. 4: (1 - exp(-2 n_pk Yf)) / 2, at most 1/2 per core hole."""
    x = eq4_stimulated_fraction(n_pk, fluorescence_yield)
    return 0.5 * -np.expm1(-2.0 * x)


def rixs_cross_sections_mb(sigma_xas_mb, n_pk, acceptance=1e-4, fluorescence_yield=FLUORESCENCE_YIELD):
    """Eq. 4: (spontaneous into dOmega, stimulated) RIXS cross-sections per atom in Mb.

    spontaneous = (dOmega/4pi) Yf sigma_XAS; stimulated = n_pk Yf sigma_XAS (unsaturated form).
    """
    sigma = np.asarray(sigma_xas_mb, dtype=float)
    spont = acceptance * fluorescence_yield * sigma
    stim = np.asarray(n_pk, dtype=float) * fluorescence_yield * sigma
    return spont, stim


def detected_enhancement(n_pk, acceptance=1e-4, fluorescence_yield=FLUORESCENCE_YIELD):
    """Stimulated over spontaneous RIXS reaching a detector of acceptance dOmega/4pi."""
    return stimulated_fraction(n_pk, fluorescence_yield) / (np.asarray(acceptance, dtype=float) * fluorescence_yield)


def max_decay_gain(fluorescence_yield=FLUORESCENCE_YIELD) -> float:
    """Largest gain of the radiative decay probability: stimulated yield 1/2 over Yf."""
    return 0.5 / fluorescence_yield


def khd_bloch_factor(sigma_atom_mb: float = ATOMIC_PEAK_CROSS_SECTION_MB,
                     fluorescence_yield: float = FLUORESCENCE_YIELD, energy_ev: float = L3_PEAK_EV) -> float:
    """Eq. 4 stimulated rate over the two-level Bloch rate for the same atom: 4 Yf lambda^2 / sigma.

    Bloch: a core hole is stimulated at sigma(E) Phi(E) integrated over the Lorentzian line,
    (pi/2) sigma_pk Gamma Phi_E, during its lifetime hbar/Gamma; Eq. 4 gives n_pk Yf with
    n_pk = I lambda^3 / (c Delta).  The ratio is 4 Yf lambda^2 / sigma_pk = 19.5 at the Co L3 edge.
    """
    lam_cm = wavelength_nm(energy_ev) * 1e-7
    return 4.0 * fluorescence_yield * lam_cm**2 / (sigma_atom_mb * 1e-18)


def khd_bloch_factor_from_widths(gamma_x_ev: float = GAMMA_X_EV, gamma_xas_ev: float = GAMMA_XAS_L3_EV) -> float:
    """The same factor from the paper's matrix-element widths (Eqs. 11-18): 4 pi Gamma_X / Gamma_XAS = 18.85."""
    return 4.0 * math.pi * gamma_x_ev / gamma_xas_ev
