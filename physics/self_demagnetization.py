"""The bridge to the first page: the X-ray probe demagnetises the film it measures (FEL fluences).

At FEL fluences the resonantly absorbed X-rays heat the Co electrons within the pulse, and the
film demagnetises in < 40 fs (Higley et al., Nat. Commun. 10, 5289 (2019), Co/Pd), so the later
part of the pulse scatters from a weaker magnetisation: the probe destroys what it measures.
Model (phenomenological; the physics of the heating is the first page's):
* electron temperature: the first page's absorbed energy per Co atom and Sommerfeld heating
  (``physics.channels``), for the fluence delivered up to time t within the pulse.  All calls to
  ``channels`` go through ONE adapter, :func:`_page1_electron_heating`.
* magnetisation: relaxes towards the mean-field equilibrium at the electron temperature,
  dm/dt = −(m − m_eq(Te(t))) / τ, τ = 40 fs (the published bound taken as the time constant: an
  assumption); m_eq from m = tanh(m Tc/T) relative to room temperature.
* what the detector records: the pulse-weighted ∫ I(t) m(t)² dt / ∫ I(t) dt.  With the pulse's
  cumulative fraction p = Φ(t/σ) as the variable this is the mean of m² over p in (0, 1).
* a Gaussian spot: photons at local fluence F = F_peak u (u in (0, 1]) are uniform in u, so the
  spot-averaged loss is the mean over u of the local loss.
Neglected (stated in the docs): saturation of the absorption by stimulated REXS at the highest
intensities (the first page's gamma channel: it would lower the heating), electron cooling to the
lattice within ps-long pulses (negligible fluences there), demagnetisation depth profiles.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtri

from . import channels, spectra
from .constants import CASCADE_TIME_FS, E_CHARGE_C, ROOM_TEMPERATURE_K
from .demagnetization import mean_field_magnetization
from .pulses import FWHM_PER_SIGMA

__all__ = [
    "SELF_DEMAG_TIME_FS",
    "peak_fluence_mj_cm2",
    "absorbed_fraction",
    "local_scattering_retained",
    "spot_scattering_retained",
    "retained_curves",
    "equilibrium_table",
]

SELF_DEMAG_TIME_FS = 40.0  # Higley et al. 2019: Co/Pd demagnetises in < 40 fs (bound used as the time)
_N_QUANTILES = 48
_N_SPOT = 24
_LOG_F_MIN, _LOG_F_MAX, _N_FLUENCE_GRID = -6.0, 6.0, 241  # delivered fluence grid, mJ/cm^2


def _page1_electron_heating(fluence_mj_cm2: float, absorbed: float, thickness_nm: float) -> float:
    """THE adapter to the first page: electron temperature (K) after ``fluence_mj_cm2`` is delivered
    to the film of ``thickness_nm`` Co with resonantly absorbed fraction ``absorbed``.

    channels.absorbed_energy_ev_per_atom counts the fluence of one ~10 fs cascade window,
    min(F, F/τ τc); passing τ = τc makes it count all of F: within the pulse the electrons have not yet
    cooled.  If the other page changes these signatures, only this function needs fixing.
    """
    e_abs = channels.absorbed_energy_ev_per_atom(fluence_mj_cm2, CASCADE_TIME_FS, absorbed, thickness_nm)
    return channels.hot_electron_temperature_k(e_abs, channels.CALIBRATION.thermalized_fraction)


def peak_fluence_mj_cm2(photons_per_pulse: float, energy_ev: float, spot_um: float) -> float:
    """Peak fluence of a Gaussian spot of FWHM diameter ``spot_um``: 4 ln2 N E / (π D²)."""
    energy_mj = photons_per_pulse * energy_ev * E_CHARGE_C * 1e3
    area_cm2 = math.pi * (spot_um * 1e-4) ** 2 / (4.0 * math.log(2.0))
    return energy_mj / area_cm2


def absorbed_fraction(energy_ev: float, thickness_nm: float) -> float:
    """Resonantly absorbed fraction 1 − T(E) of the first page's absorption model."""
    return float(1.0 - spectra.resonant_transmission(energy_ev, thickness_nm))


def equilibrium_table(energy_ev: float, thickness_nm: float, curie_k: float):
    """m_eq(Te(F)) / m_eq(T0) on a log grid of delivered fluence (the adapter is called on this grid only)."""
    absorbed = absorbed_fraction(energy_ev, thickness_nm)
    log_f = np.linspace(_LOG_F_MIN, _LOG_F_MAX, _N_FLUENCE_GRID)
    te = np.array([_page1_electron_heating(10.0**x, absorbed, thickness_nm) for x in log_f])
    m_ref = float(mean_field_magnetization(ROOM_TEMPERATURE_K, curie_k))
    return log_f, mean_field_magnetization(te, curie_k) / m_ref


def local_scattering_retained(fluence_mj_cm2, pulse_fs: float, energy_ev: float, thickness_nm: float,
                              curie_k: float, tau_fs: float = SELF_DEMAG_TIME_FS, table=None) -> np.ndarray:
    """Magnetic scattering recorded at local fluence F relative to a weak probe: mean over the pulse of m²."""
    f = np.atleast_1d(np.asarray(fluence_mj_cm2, dtype=float))
    log_f, m_eq_grid = table or equilibrium_table(energy_ev, thickness_nm, curie_k)
    p = (np.arange(_N_QUANTILES) + 0.5) / _N_QUANTILES  # cumulative pulse fraction (uniform weights)
    t_fs = pulse_fs / FWHM_PER_SIGMA * ndtri(p)
    delivered = np.log10(np.clip(f[:, None] * p[None, :], 10.0**_LOG_F_MIN, None))
    m_eq = np.interp(delivered, log_f, m_eq_grid)
    m = np.ones(len(f))
    acc = np.zeros(len(f))
    t_prev = t_fs[0] - (t_fs[1] - t_fs[0])
    for k in range(_N_QUANTILES):  # exact exponential step towards m_eq over each interval
        decay = math.exp(-(t_fs[k] - t_prev) / tau_fs)
        m = m_eq[:, k] + (m - m_eq[:, k]) * decay
        acc += m**2
        t_prev = t_fs[k]
    return acc / _N_QUANTILES


def spot_scattering_retained(peak_fluence_mj_cm2, pulse_fs: float, energy_ev: float, thickness_nm: float,
                             curie_k: float, table=None) -> np.ndarray:
    """:func:`local_scattering_retained` averaged over a Gaussian spot of this peak fluence."""
    fp = np.atleast_1d(np.asarray(peak_fluence_mj_cm2, dtype=float))
    u = (np.arange(_N_SPOT) + 0.5) / _N_SPOT
    table = table or equilibrium_table(energy_ev, thickness_nm, curie_k)
    local = local_scattering_retained((fp[:, None] * u[None, :]).ravel(), pulse_fs, energy_ev, thickness_nm,
                                      curie_k, table=table)
    return local.reshape(len(fp), _N_SPOT).mean(axis=1)


def retained_curves(peak_fluence_mj_cm2, pulses_fs, energy_ev: float, thickness_nm: float,
                    curie_k: float, table=None) -> dict[float, np.ndarray]:
    """Spot-averaged retained magnetic scattering versus peak fluence for several pulse lengths."""
    table = table or equilibrium_table(energy_ev, thickness_nm, curie_k)
    return {float(pf): spot_scattering_retained(peak_fluence_mj_cm2, pf, energy_ev, thickness_nm, curie_k,
                                                table=table) for pf in pulses_fs}
