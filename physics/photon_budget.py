"""Photon budget of a pump-probe magnetic-SAXS measurement: counts in the first-order ring, shot
noise, and the acquisition time per delay needed to resolve a change of M.

Counts (first Born approximation, see ``magnetic_scattering``):
    N_ring per pulse = N_ph · η(E) · I_1 · L_self,
η(E) = T_bg T(E) |r0 λ ρ d f_m(E)|² the band-averaged magnetic-SAXS efficiency
(``magnetic_factors.saxs_efficiency``), I_1 = the summed S(q) of the first-order ring (var(m) times
its first-order share), L_self the probe's own loss of magnetic scattering (``self_demagnetization``;
1 except at FEL fluences).  Ideal detector (every scattered photon counted, no background, no
read noise): real numbers are lower.

Noise: M ∝ sqrt(N) (Lunin et al. 2025: M ∝ sqrt(∫ I dq)), so with Poisson counts
σ_M / M = 1 / (2 sqrt(N)); at M the expected counts are R t M², hence σ_M = 1 / (2 sqrt(R t)) for
any M (R the unpumped ring count rate).  With the unpumped reference known much better (many
delays before time zero), resolving ΔM at a signal-to-noise ratio s needs, per delay,
    t = s² / (4 R ΔM²).
"""
from __future__ import annotations

import numpy as np

__all__ = ["ring_counts_per_pulse", "acquisition_time_s", "m_noise", "noisy_trace"]


def ring_counts_per_pulse(photons_per_pulse: float, efficiency: float, first_order_intensity: float,
                          self_loss: float = 1.0) -> float:
    """Expected photons in the first-order ring per probe pulse (unpumped film)."""
    return float(photons_per_pulse * efficiency * first_order_intensity * self_loss)


def acquisition_time_s(count_rate_hz, delta_m, snr):
    """Time per delay to resolve ΔM at signal-to-noise ``snr``: s² / (4 R ΔM²) (inf for R = 0)."""
    r = np.asarray(count_rate_hz, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(r > 0, np.asarray(snr, dtype=float) ** 2 / (4.0 * r * np.asarray(delta_m, dtype=float) ** 2),
                        np.inf)


def m_noise(count_rate_hz: float, exposure_s: float) -> float:
    """Shot-noise standard deviation of M (M = 1 unpumped) after ``exposure_s`` at ring rate R."""
    n = count_rate_hz * exposure_s
    return float(0.5 / np.sqrt(n)) if n > 0 else float("inf")


def noisy_trace(m_measured, count_rate_hz: float, exposure_s: float, seed: int) -> np.ndarray:
    """One simulated measurement: M_i = sqrt(Poisson(R t M_i²) / (R t)) per delay (seeded)."""
    n0 = count_rate_hz * exposure_s
    m = np.asarray(m_measured, dtype=float)
    if n0 <= 0:
        return np.full_like(m, np.nan)
    lam = n0 * m**2
    rng = np.random.default_rng(seed)
    if lam.max() > 1e12:  # numpy's Poisson sampler is limited; the normal limit is exact enough here
        counts = np.clip(lam + np.sqrt(lam) * rng.standard_normal(lam.shape), 0.0, None)
    else:
        counts = rng.poisson(lam)
    return np.sqrt(counts / n0)
