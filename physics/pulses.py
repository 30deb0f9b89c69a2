"""Incident XFEL pulses: statistical SASE pulses and unit conversions.

SASE model: Pfeifer et al., Opt. Lett. 35, 3441 (2010), as used in the paper's Maxwell-Bloch
section (Methods, "SASE pulses"): per frequency bin a uniform random phase times the square root
of a Gaussian spectral intensity; inverse FFT to time; multiply by the square root of a Gaussian
temporal intensity; normalise so that the pulse carries the requested fluence.

Convention (the paper's trap 2): the real field is ``E(t) = Re[env(t) exp(-i w0 t)]`` and with
numpy's FFT the photon energy of frequency bin ``f`` is ``carrier - h f``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import C_M_S, E_CHARGE_C, EPS0_F_M, H_EV_FS, HC_EV_NM, L3_PEAK_EV

__all__ = [
    "FWHM_PER_SIGMA",
    "intensity_mj_cm2_fs",
    "intensity_w_m2",
    "peak_field_v_m",
    "photons_per_mode",
    "fluence_from_photons_per_mode",
    "gaussian",
    "mean_spectrum",
    "transform_limited_bandwidth_ev",
    "SasePulses",
    "sase_pulses",
    "sase_pulse_chunks",
    "shot_spectra",
]

FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))  # 2.3548
MJ_CM2_FS_TO_W_M2 = 1e-3 / 1e-4 / 1e-15  # 1 mJ/cm^2/fs = 1e16 W/m^2


def intensity_mj_cm2_fs(fluence_mj_cm2, duration_fs):
    """Intensity as the paper defines it: fluence / pulse length (mJ cm^-2 fs^-1)."""
    return np.asarray(fluence_mj_cm2, dtype=float) / np.asarray(duration_fs, dtype=float)


def intensity_w_m2(intensity_mj_cm2_fs_):
    """mJ cm^-2 fs^-1 -> W m^-2 (1 mJ/cm^2/fs = 1e16 W/m^2)."""
    return np.asarray(intensity_mj_cm2_fs_, dtype=float) * MJ_CM2_FS_TO_W_M2


def peak_field_v_m(intensity_mj_cm2_fs_):
    """Field amplitude |E| for a cycle-averaged intensity I = c eps0 |E|^2 / 2.

    1 J/cm^2/fs corresponds to 8.68e10 V/m (paper, Methods).
    """
    return np.sqrt(2.0 * intensity_w_m2(intensity_mj_cm2_fs_) / (C_M_S * EPS0_F_M))


def photons_per_mode(intensity_mj_cm2_fs_, spike_bandwidth_ev=8.0, energy_ev=L3_PEAK_EV):
    """KHD photon number per mode n_pk (paper Eq. 3).

    n_pk = (1/c) (lambda^3 hbar w / Delta_pk) * (photon flux density) = I lambda^3 / (c Delta_pk).
    Numerically 0.1053 * I[mJ cm^-2 fs^-1] * (8 eV / Delta_pk): 31.6 at 300 mJ/cm^2/fs.
    """
    lam_m = HC_EV_NM / np.asarray(energy_ev, dtype=float) * 1e-9
    delta_j = np.asarray(spike_bandwidth_ev, dtype=float) * E_CHARGE_C
    return intensity_w_m2(intensity_mj_cm2_fs_) * lam_m**3 / (C_M_S * delta_j)


def fluence_from_photons_per_mode(n_pk, duration_fs, spike_bandwidth_ev=8.0, energy_ev=L3_PEAK_EV):
    """Inverse of :func:`photons_per_mode` times the pulse length (mJ/cm^2)."""
    per_unit = photons_per_mode(1.0, spike_bandwidth_ev, energy_ev)
    return np.asarray(n_pk, dtype=float) / per_unit * np.asarray(duration_fs, dtype=float)


def gaussian(x, center, fwhm):
    """Unit-height Gaussian with the given FWHM."""
    sigma = fwhm / FWHM_PER_SIGMA
    return np.exp(-0.5 * ((np.asarray(x, dtype=float) - center) / sigma) ** 2)


def transform_limited_bandwidth_ev(duration_fs):
    """Spectral FWHM of a Gaussian pulse with intensity FWHM ``duration_fs`` (0.441 h / tau)."""
    return 2.0 * np.log(2.0) / np.pi * H_EV_FS / np.asarray(duration_fs, dtype=float)


def mean_spectrum(energy_ev, center_ev, bandwidth_ev, duration_fs=None):
    """SASE ensemble-mean spectral density (1/eV, unit area over the real line).

    For the Pfeifer model the temporal gate convolves the random-phase spectrum, so the mean is
    a Gaussian of FWHM sqrt(B^2 + B_TL^2), B_TL the transform limit of the gate.
    """
    width = float(bandwidth_ev)
    if duration_fs is not None:
        width = float(np.hypot(width, transform_limited_bandwidth_ev(duration_fs)))
    sigma = width / FWHM_PER_SIGMA
    return gaussian(energy_ev, center_ev, width) / (sigma * np.sqrt(2.0 * np.pi))


@dataclass(frozen=True)
class SasePulses:
    """A batch of SASE pulse envelopes in the frame rotating at ``carrier_ev``.

    ``envelope`` has shape (n_pulses, n_t) in units of sqrt(1/fs): integral |env|^2 dt = 1, so the
    intensity of a pulse of fluence F is F |env(t)|^2 (F per fs).
    """

    t_fs: np.ndarray
    envelope: np.ndarray
    carrier_ev: float
    duration_fs: float
    bandwidth_ev: float
    seed: int

    @property
    def dt_fs(self) -> float:
        return float(self.t_fs[1] - self.t_fs[0])

    def intensity_mj_cm2_fs(self, fluence_mj_cm2):
        """I(t) for each pulse at the given fluence; integral over t equals the fluence."""
        return np.asarray(fluence_mj_cm2, dtype=float)[..., None, None] * np.abs(self.envelope) ** 2

    def field_v_m(self, fluence_mj_cm2):
        """Complex field envelope E(t) (V/m) with I = c eps0 |E|^2 / 2."""
        return np.sqrt(2.0 / (C_M_S * EPS0_F_M) * MJ_CM2_FS_TO_W_M2) * np.sqrt(
            np.asarray(fluence_mj_cm2, dtype=float)
        )[..., None, None] * self.envelope


def _sase_grid(duration_fs, bandwidth_ev, carrier_ev, center_ev, dt_fs, window_fs):
    center = carrier_ev if center_ev is None else center_ev
    span = float(window_fs) if window_fs is not None else max(10.0 * duration_fs, 40.0)
    n_t = int(2 ** np.ceil(np.log2(span / dt_fs)))
    t = (np.arange(n_t) - n_t // 2) * dt_fs
    f = np.fft.fftfreq(n_t, d=dt_fs)  # 1/fs
    photon_ev = carrier_ev - H_EV_FS * f  # trap 2: energy = carrier - h f
    return t, np.sqrt(gaussian(photon_ev, center, bandwidth_ev))


def _sase_envelopes(phases, t, spectral_amp, duration_fs, dt_fs):
    env = np.fft.ifft(spectral_amp * np.exp(1j * phases), axis=-1)
    # ifft puts t=0 at index 0; shift so that index n_t//2 is t=0.
    env = np.fft.fftshift(env, axes=-1)
    env *= np.sqrt(gaussian(t, 0.0, duration_fs))
    env /= np.sqrt(np.sum(np.abs(env) ** 2, axis=-1, keepdims=True) * dt_fs)
    return env


def sase_pulses(
    duration_fs: float,
    bandwidth_ev: float,
    n_pulses: int,
    seed: int,
    *,
    carrier_ev: float = L3_PEAK_EV,
    center_ev: float | None = None,
    dt_fs: float = 0.05,
    window_fs: float | None = None,
) -> SasePulses:
    """Pfeifer partial-coherence SASE pulses, reproducible by ``seed``.

    The spectral Gaussian (FWHM ``bandwidth_ev``) is centred at ``center_ev`` (default: the
    carrier) in the frame rotating at ``carrier_ev``.  The time window defaults to 10x the pulse
    length (at least 40 fs) so that the FFT resolves the spectrum; ``dt_fs`` sets the spectral
    span h/dt (0.05 fs -> 83 eV).
    """
    return next(sase_pulse_chunks(duration_fs, bandwidth_ev, n_pulses, seed, n_pulses, carrier_ev=carrier_ev,
                                  center_ev=center_ev, dt_fs=dt_fs, window_fs=window_fs))


def sase_pulse_chunks(duration_fs: float, bandwidth_ev: float, n_pulses: int, seed: int, chunk: int, *,
                      carrier_ev: float = L3_PEAK_EV, center_ev: float | None = None, dt_fs: float = 0.05,
                      window_fs: float | None = None):
    """The pulses of :func:`sase_pulses` in consecutive batches of at most ``chunk`` (same values:
    one random stream, drawn in order), so that large ensembles need not sit in memory at once."""
    if n_pulses < 1:
        raise ValueError("n_pulses must be at least 1")
    t, amp = _sase_grid(duration_fs, bandwidth_ev, carrier_ev, center_ev, dt_fs, window_fs)
    rng = np.random.default_rng(seed)
    for i0 in range(0, n_pulses, max(1, int(chunk))):
        m = min(int(chunk), n_pulses - i0)
        phases = rng.uniform(0.0, 2.0 * np.pi, size=(m, t.size))
        env = _sase_envelopes(phases, t, amp, duration_fs, dt_fs)
        yield SasePulses(t, env, float(carrier_ev), float(duration_fs), float(bandwidth_ev), int(seed))


def shot_spectra(pulses: SasePulses, energy_ev) -> np.ndarray:
    """Spectral density (1/eV, unit area) of each pulse, interpolated onto ``energy_ev``."""
    n_t = pulses.t_fs.size
    f = np.fft.fftfreq(n_t, d=pulses.dt_fs)
    photon_ev = pulses.carrier_ev - H_EV_FS * f
    power = np.abs(np.fft.fft(pulses.envelope, axis=-1)) ** 2
    order = np.argsort(photon_ev)
    e_sorted = photon_ev[order]
    de = H_EV_FS / (n_t * pulses.dt_fs)
    power = power[:, order]
    power /= power.sum(axis=-1, keepdims=True) * de
    energy_ev = np.asarray(energy_ev, dtype=float)
    return np.stack([np.interp(energy_ev, e_sorted, p, left=0.0, right=0.0) for p in power])
