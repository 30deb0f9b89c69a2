"""The three nonlinear channels of the paper's Fig. 3 as changes of resonant transmission.

At high intensity the nonlinear transmission is the spontaneous one plus three additive
contributions (paper Fig. 3b-d; units: absolute resonant transmission; the summary quotes them in
units of the spontaneous XAS maximum A_max = 1 - T_sp(L3 max) = 0.68 for 25 nm of Co):

* stimulated REXS (gamma, ~778 eV): saturation of the resonant absorption by stimulated elastic
  scattering.  Locally in energy, the KHD stimulated fraction s(n) (Eq. 4 with saturation at 1/2,
  see :mod:`physics.khd`) of the photons per mode present at that energy,
  n(E) = n_pk rho(E), removes absorption:  dT_REXS(E) = k_REXS s(n(E)) [1 - T_sp(E)].
  rho(E) = S(E)/max S is the incident spectral occupation relative to its peak.
* stimulated RIXS (alpha, ~774.5 eV): emission with the spontaneous RIXS shape r(E).  The photons
  it adds are the stimulated fraction of the core holes created:
      area(dT_RIXS) = k_RIXS s(n_pk <rho>_r) * A_L3,    A_L3 = integral rho(E)[1 - T_L3(E)] dE,
  gated by the photons that create L3 core holes (A_L3, the L3 absorption the spectrum covers)
  and by the photons available to stimulate the emission (<rho>_r, the occupation averaged over
  the emission band).  A pulse with no photons near 776 eV therefore loses the channel.
* electron redistribution (beta loss below E_F = 777.5 eV, gain above): the photo/Auger cascade
  thermalises within ~10 fs into a hot valence distribution.  The energy absorbed per Co atom in
  one cascade window, E_abs = min(F, I tau_c) A_res / (rho_a d) with A_res the resonantly absorbed
  fraction, heats the electrons (Sommerfeld heat capacity gamma_e T):
      T_e = sqrt(T0^2 + 2 eta E_abs / gamma_e),
  and the change of d-hole occupation, f(E;T_e) - f(E;T0), broadened by the 0.43 eV core-hole
  Lorentzian and a 0.16 eV (sigma) Gaussian, changes the absorption:
      dT_R(E) = k_R A_max [f(E;T_e) - f(E;T0)] (x) Voigt.

Calibration (paper Fig. 3, 300 mJ/cm^2/fs, 25 fs, spectrum 777 +- 4 eV FWHM 8 eV): k_REXS so that
stimulated REXS is 18 % of the XAS maximum; k_RIXS so that stimulated RIXS is 18 %; eta so that
T_e = 7000 K (kT = 0.6 eV); k_R so that the redistribution peak is 20 %.  The calibrated values
are computed once from the laws (``CALIBRATION``) and are checked by the tests; they are not a
lookup: every other parameter set follows from the laws above.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, voigt_profile

from . import khd, spectra
from .constants import (
    CALIBRATION_BANDWIDTH_EV,
    CALIBRATION_CENTER_EV,
    CALIBRATION_DURATION_FS,
    CALIBRATION_INTENSITY_MJ_CM2_FS,
    CASCADE_TIME_FS,
    CO_DENSITY_ATOMS_NM3,
    CO_THICKNESS_NM_DEFAULT,
    CORE_HOLE_WIDTH_EV,
    FERMI_LEVEL_EV,
    HOT_ELECTRON_TOP_K,
    K_B_EV_K,
    REDISTRIBUTION_GAUSS_SIGMA_EV,
    REDISTRIBUTION_TOP,
    ROOM_TEMPERATURE_K,
    STIM_REXS_TOP,
    STIM_RIXS_TOP,
)
from .pulses import mean_spectrum

__all__ = [
    "MJ_CM2_TO_EV_NM2",
    "CO_GAMMA_E_EV_K2",
    "Calibration",
    "CALIBRATION",
    "ChannelResult",
    "occupation",
    "absorbed_fraction",
    "cascade_fluence_mj_cm2",
    "absorbed_energy_ev_per_atom",
    "hot_electron_temperature_k",
    "fermi_dirac_difference",
    "stimulated_rexs",
    "stimulated_rixs",
    "redistribution",
    "compute_channels",
]

MJ_CM2_TO_EV_NM2 = 1e-3 / 1e14 / 1.602176634e-19  # 62.415 eV/nm^2 per mJ/cm^2
# Sommerfeld coefficient of Co, 4.73 mJ mol^-1 K^-2, per atom in eV/K^2.
CO_GAMMA_E_EV_K2 = 4.73e-3 / 6.02214076e23 / 1.602176634e-19

_FD_STEP_EV = 0.01
_FD_HALF_SPAN_EV = 12.0


def occupation(spectrum) -> np.ndarray:
    """rho(E) = S(E) / max S: photons per mode at E relative to the spectral peak (<= 1)."""
    s = np.clip(np.asarray(spectrum, dtype=float), 0.0, None)
    m = s.max()
    return s / m if m > 0 else s


def _trapz(y, x) -> float:
    return float(np.trapezoid(y, x))


def absorbed_fraction(energy_ev, spectrum, absorption) -> float:
    """Fraction of incident photons absorbed: integral S(E) absorption(E) dE / integral S dE."""
    norm = _trapz(spectrum, energy_ev)
    return _trapz(np.asarray(spectrum) * absorption, energy_ev) / norm if norm > 0 else 0.0


def cascade_fluence_mj_cm2(fluence_mj_cm2: float, duration_fs: float) -> float:
    """Fluence deposited within one ~10 fs cascade window: min(F, I tau_c)."""
    return min(fluence_mj_cm2, fluence_mj_cm2 / duration_fs * CASCADE_TIME_FS)


def absorbed_energy_ev_per_atom(fluence_mj_cm2, duration_fs, absorbed, thickness_nm) -> float:
    """Energy resonantly absorbed per Co atom within the cascade window (eV/atom)."""
    areal_ev_nm2 = cascade_fluence_mj_cm2(fluence_mj_cm2, duration_fs) * MJ_CM2_TO_EV_NM2 * absorbed
    return areal_ev_nm2 / (CO_DENSITY_ATOMS_NM3 * thickness_nm)


def hot_electron_temperature_k(energy_ev_per_atom: float, thermalized_fraction: float) -> float:
    """Sommerfeld heating: gamma_e (T_e^2 - T0^2) / 2 = eta E_abs."""
    return math.sqrt(ROOM_TEMPERATURE_K**2 + 2.0 * thermalized_fraction * energy_ev_per_atom / CO_GAMMA_E_EV_K2)


def _voigt_kernel() -> np.ndarray:
    x = np.arange(-_FD_HALF_SPAN_EV / 2, _FD_HALF_SPAN_EV / 2 + _FD_STEP_EV / 2, _FD_STEP_EV)
    k = voigt_profile(x, REDISTRIBUTION_GAUSS_SIGMA_EV, CORE_HOLE_WIDTH_EV / 2.0)
    return k / k.sum()


_FD_X = np.arange(-_FD_HALF_SPAN_EV, _FD_HALF_SPAN_EV + _FD_STEP_EV / 2, _FD_STEP_EV)
_FD_X.setflags(write=False)
_VOIGT = _voigt_kernel()
_VOIGT.setflags(write=False)


def fermi_dirac_difference(energy_ev, electron_temperature_k: float, fermi_ev: float = FERMI_LEVEL_EV):
    """Broadened f(E;T_e) - f(E;T0) around E_F (negative below, positive above).

    Broadened by the core-hole Lorentzian (0.43 eV FWHM) and a 0.16 eV-sigma Gaussian (paper
    Fig. 3 fit).  Returned on ``energy_ev`` (zero far from E_F).
    """
    te = max(float(electron_temperature_k), ROOM_TEMPERATURE_K)
    d = expit(-_FD_X / (K_B_EV_K * te)) - expit(-_FD_X / (K_B_EV_K * ROOM_TEMPERATURE_K))
    d = np.convolve(d, _VOIGT, mode="same")
    return np.interp(np.asarray(energy_ev, dtype=float) - fermi_ev, _FD_X, d, left=0.0, right=0.0)


def stimulated_rexs(rho, n_pk, spontaneous_t, k_rexs):
    """dT_REXS(E) = k_REXS s(n_pk rho(E)) [1 - T_sp(E)] (saturable resonant absorption)."""
    return k_rexs * khd.stimulated_fraction(n_pk * np.asarray(rho)) * (1.0 - np.asarray(spontaneous_t))


def stimulated_rixs(energy_ev, rho, n_pk, l3_absorption, k_rixs):
    """dT_RIXS(E) with the spontaneous RIXS shape and area k_RIXS s(n_pk <rho>_r) A_L3.

    Returns (dT, s_dump, pump_area) where A_L3 = integral rho (1 - T_L3) dE (eV).
    """
    shape = spectra.rixs_emission(energy_ev)
    shape_area = _trapz(shape, energy_ev)
    mean_rho = _trapz(shape * rho, energy_ev) / shape_area
    s_dump = float(khd.stimulated_fraction(n_pk * mean_rho))
    pump_area = _trapz(np.asarray(rho) * l3_absorption, energy_ev)
    amplitude = k_rixs * s_dump * pump_area / shape_area
    return amplitude * shape, s_dump, pump_area


def redistribution(energy_ev, electron_temperature_k, a_max, k_r):
    """dT_R(E) = k_R A_max [f(T_e) - f(T0)] (x) Voigt (hot-electron redistribution)."""
    return k_r * a_max * fermi_dirac_difference(energy_ev, electron_temperature_k)


@dataclass(frozen=True)
class Calibration:
    """Constants of the channel laws, fixed once at the paper's top point (Fig. 3)."""

    k_rexs: float
    k_rixs: float
    thermalized_fraction: float
    k_redistribution: float


@dataclass(frozen=True)
class ChannelResult:
    """Channel changes of resonant transmission on the model grid, plus their drivers."""

    energy_ev: np.ndarray
    spontaneous: np.ndarray
    stim_rexs: np.ndarray
    stim_rixs: np.ndarray
    redistribution: np.ndarray
    n_pk: float
    stimulated_fraction: float  # KHD s at n_pk (the headline per-core-hole number)
    dump_fraction: float  # s at the photons available in the emission band
    pump_area_ev: float
    absorbed_fraction: float
    absorbed_energy_ev_per_atom: float
    electron_temperature_k: float
    a_max: float

    @property
    def nonlinear(self) -> np.ndarray:
        return self.spontaneous + self.stim_rexs + self.stim_rixs + self.redistribution


def _l3_absorption(energy_ev, thickness_nm):
    return 1.0 - np.exp(-spectra.optical_depth(energy_ev, thickness_nm) * spectra.xas_l3(energy_ev) / spectra.xas_absorbance(energy_ev))


def compute_channels(
    energy_ev,
    spectrum,
    fluence_mj_cm2: float,
    duration_fs: float,
    spike_bandwidth_ev: float,
    bandwidth_ev: float,
    thickness_nm: float = CO_THICKNESS_NM_DEFAULT,
    calibration: Calibration | None = None,
) -> ChannelResult:
    """All three channels for one incident spectrum S(E) (any normalisation) and pulse.

    The spike bandwidth used for n_pk cannot exceed the spectral bandwidth (a spike is never
    broader than the spectrum): Delta = min(Delta_pk, bandwidth).
    """
    cal = calibration or CALIBRATION
    energy_ev = np.asarray(energy_ev, dtype=float)
    t_sp = spectra.resonant_transmission(energy_ev, thickness_nm)
    a_max = 1.0 - float(spectra.resonant_transmission(spectra.L3_PEAK_EV, thickness_nm))
    rho = occupation(spectrum)
    intensity = fluence_mj_cm2 / duration_fs
    n_pk = float(khd.photon_number(intensity, min(spike_bandwidth_ev, bandwidth_ev)))
    rexs = stimulated_rexs(rho, n_pk, t_sp, cal.k_rexs)
    rixs, s_dump, pump_area = stimulated_rixs(energy_ev, rho, n_pk, _l3_absorption(energy_ev, thickness_nm), cal.k_rixs)
    absorbed = absorbed_fraction(energy_ev, spectrum, 1.0 - t_sp - rexs)
    e_abs = absorbed_energy_ev_per_atom(fluence_mj_cm2, duration_fs, absorbed, thickness_nm)
    t_e = hot_electron_temperature_k(e_abs, cal.thermalized_fraction)
    red = redistribution(energy_ev, t_e, a_max, cal.k_redistribution)
    return ChannelResult(
        energy_ev, t_sp, rexs, rixs, red, n_pk, float(khd.stimulated_fraction(n_pk)), s_dump, pump_area,
        absorbed, e_abs, t_e, a_max,
    )


def _calibrate() -> Calibration:
    """Solve the four calibration constants at the paper's top point (Fig. 3)."""
    e = spectra.energy_grid()
    duration = CALIBRATION_DURATION_FS
    fluence = CALIBRATION_INTENSITY_MJ_CM2_FS * duration
    spec = mean_spectrum(e, CALIBRATION_CENTER_EV, CALIBRATION_BANDWIDTH_EV, duration)
    unit = Calibration(1.0, 1.0, 1.0, 1.0)
    r = compute_channels(e, spec, fluence, duration, CALIBRATION_BANDWIDTH_EV, CALIBRATION_BANDWIDTH_EV, calibration=unit)
    k_rexs = STIM_REXS_TOP * r.a_max / np.abs(r.stim_rexs).max()
    k_rixs = STIM_RIXS_TOP * r.a_max / np.abs(r.stim_rixs).max()
    # REXS changes the absorbed fraction (and so E_abs): recompute with the calibrated k_REXS.
    r = compute_channels(e, spec, fluence, duration, CALIBRATION_BANDWIDTH_EV, CALIBRATION_BANDWIDTH_EV,
                         calibration=Calibration(k_rexs, k_rixs, 1.0, 1.0))
    eta = CO_GAMMA_E_EV_K2 * (HOT_ELECTRON_TOP_K**2 - ROOM_TEMPERATURE_K**2) / (2.0 * r.absorbed_energy_ev_per_atom)
    peak = np.abs(fermi_dirac_difference(_FD_X + FERMI_LEVEL_EV, HOT_ELECTRON_TOP_K)).max()
    k_r = REDISTRIBUTION_TOP / peak
    return Calibration(float(k_rexs), float(k_rixs), float(eta), float(k_r))


CALIBRATION = _calibrate()  # immutable (frozen dataclass), computed once at import (~2 ms)
