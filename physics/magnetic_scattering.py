"""Magnetic small-angle scattering of a domain pattern: 2D image, radial profile, ring metrics, geometry.

Forward model (shared reference, section 2; ubermag mag2exp ``x_ray.saxs`` uses the same
"|FT of ∫m dz|²"): for out-of-plane domains at normal incidence in transmission the charge part
is laterally uniform and scatters only at q = 0, so

    I(q, E) = N_ph T_bg T(E) |r0 λ ρ d f_m(E)|² S(q),     S(q) = |FT[m_z](q)|² / N⁴,

in the first Born approximation (the magnetic phase r0 λ ρ d |f_m| is about 0.2 rad for 25 nm of
Co: the error is about |φ|²/3, 1.4 %).  S is normalised so that its sum over all q ≠ 0 is the
variance of m_z: the fraction of the transmitted photons scattered magnetically is
T |φ_m|² var(m).  Uniform demagnetisation m → α m scales S by α², so sqrt(∫ I dq) scales by α
exactly (Lunin et al. 2025 read M(t) this way).

Ring metrics (conventions stated because papers differ):
* radial profile: azimuthal MEAN of S per |q| bin (bin width = grid step 2π/L), as a detector cut
  shows it; the azimuthal SUM (q-integrated along the ring) is kept for intensities and orders.
* q1: intensity-weighted centroid of the mean profile over [0.5, 1.5] q0, q0 = 2π/P nominal.
* FWHM: half-maximum crossings of the mean profile around its peak (linear interpolation);
  correlation length ξ = 2π / FWHM; a FWHM of about one grid step is resolution-limited.
* harmonic ratios I_n / I_1: summed S over [n − ½, n + ½] q0 (NaN beyond the grid's Nyquist q).
Geometry: λ = hc/E, 2θ = 2 asin(qλ/4π), radius on the detector L tan 2θ.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .constants import HC_EV_NM
from .domains import DomainPattern

__all__ = [
    "StructureFactor",
    "structure_factor",
    "radial_profile",
    "ring_metrics",
    "wavelength_nm",
    "two_theta_rad",
    "detector_radius_mm",
    "q_from_radius_mm",
    "scaled_profile",
    "HARMONIC_ORDERS",
    "DISPLAY_PIXELS",
]

HARMONIC_ORDERS = (2, 3, 5)
DISPLAY_PIXELS = 256  # detector image and domain map are block-averaged to at most this size
_DISPLAY_ORDERS = 5.5  # the detector image shows |q| up to 5.5 q0 (first, third and fifth orders)


@dataclass(frozen=True)
class StructureFactor:
    """Everything about S(q) of one pattern that does not depend on energy, delay or source."""

    q_nm_inv: np.ndarray  # radial bin centres (bin 0 = q 0 excluded from all sums)
    profile_mean: np.ndarray  # azimuthal mean of S per bin
    profile_sum: np.ndarray  # azimuthal sum of S per bin
    variance: float  # sum of S over q != 0 = var(m_z)
    q0_nm_inv: float  # nominal 2π/P
    q1_nm_inv: float
    peak_q_nm_inv: float
    fwhm_nm_inv: float
    correlation_length_nm: float
    resolution_limited: bool
    order_intensity: dict  # n -> summed S in the n-th order window (NaN beyond Nyquist)
    harmonic_ratios: dict  # "2", "3", "5" -> I_n / I_1
    first_order_fraction: float  # I_1 / var(m): share of the magnetic scattering in the first ring
    image: np.ndarray  # S on the displayed q window, block-averaged, centred (float32, read-only)
    image_q_nm_inv: np.ndarray  # axis of the displayed image (same for qx and qy)
    map_display: np.ndarray  # m_z block-averaged for display (float32, read-only)
    map_axis_nm: np.ndarray


def _block_mean(a: np.ndarray, factor: int) -> np.ndarray:
    if factor <= 1:
        return a
    n = (a.shape[0] // factor) * factor
    return a[:n, :n].reshape(n // factor, factor, n // factor, factor).mean(axis=(1, 3))


def radial_profile(power_half: np.ndarray, q_step: float, grid_n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuthal sums and means of a half-plane (rfft layout) power map, bins of width ``q_step``.

    Columns 1..n/2-1 of the rfft layout stand for two q points (±q): they count twice.
    Returns (bin centres, sums, means).
    """
    ky = np.fft.fftfreq(grid_n) * grid_n
    kx = np.fft.rfftfreq(grid_n) * grid_n
    index = np.rint(np.hypot(ky[:, None], kx[None, :])).astype(np.intp)
    weight = np.full(kx.shape, 2.0)
    weight[0] = 1.0
    if grid_n % 2 == 0:
        weight[-1] = 1.0
    w2 = np.broadcast_to(weight[None, :], index.shape)
    nbins = int(index.max()) + 1
    sums = np.bincount(index.ravel(), weights=(power_half * w2).ravel(), minlength=nbins)
    counts = np.bincount(index.ravel(), weights=w2.ravel(), minlength=nbins)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return np.arange(nbins) * q_step, sums, means


def ring_metrics(q: np.ndarray, profile_mean: np.ndarray, profile_sum: np.ndarray, q0: float, q_step: float,
                 q_nyquist: float) -> dict:
    """q1 (centroid), peak, FWHM, ξ = 2π/FWHM, order intensities and harmonic ratios."""
    window = (q >= 0.5 * q0) & (q < 1.5 * q0) & (q > 0)
    w = profile_mean[window]
    q1 = float(np.sum(q[window] * w) / np.sum(w)) if np.sum(w) > 0 else float("nan")
    idx = np.nonzero(window)[0]
    ip = int(idx[np.argmax(w)]) if len(idx) else 0
    peak = profile_mean[ip]
    half = 0.5 * peak

    def crossing(step: int) -> float:
        j = ip
        while 0 < j + step < len(q) and profile_mean[j + step] > half:
            j += step
        k = j + step
        if not 0 <= k < len(q):
            return q[j]
        y0, y1 = profile_mean[j], profile_mean[k]
        return q[j] + (q[k] - q[j]) * (y0 - half) / (y0 - y1) if y0 != y1 else q[j]

    fwhm = float(crossing(+1) - crossing(-1)) if peak > 0 else float("nan")
    orders = {}
    for n in (1, 2, 3, 4, 5):
        lo, hi = (n - 0.5) * q0, (n + 0.5) * q0
        sel = (q >= lo) & (q < hi) & (q > 0)
        orders[n] = float(np.sum(profile_sum[sel])) if hi <= q_nyquist else float("nan")
    ratios = {str(n): (orders[n] / orders[1] if orders[1] > 0 else float("nan")) for n in HARMONIC_ORDERS}
    return dict(
        q1_nm_inv=q1, peak_q_nm_inv=float(q[ip]), fwhm_nm_inv=fwhm,
        correlation_length_nm=2.0 * math.pi / fwhm if fwhm > 0 else float("inf"),
        resolution_limited=bool(fwhm <= 1.5 * q_step), order_intensity=orders, harmonic_ratios=ratios,
    )


def structure_factor(pattern: DomainPattern, display_pixels: int = DISPLAY_PIXELS) -> StructureFactor:
    """S(q) of a pattern with its radial profile, ring metrics and display images (the cacheable part)."""
    n = pattern.grid_n
    q_step = pattern.q_step_nm_inv
    spectrum = np.fft.rfft2(pattern.m_z)
    power = (spectrum.real**2 + spectrum.imag**2) / float(n) ** 4
    power[0, 0] = 0.0  # q = 0: the direct beam (charge and mean magnetisation), behind the beamstop
    q, sums, means = radial_profile(power, q_step, n)
    q0 = 2.0 * math.pi / pattern.period_nm
    q_nyq = math.pi / pattern.pixel_nm
    metrics = ring_metrics(q, means, sums, q0, q_step, q_nyq)
    variance = float(np.sum(sums))
    first = metrics["order_intensity"][1]

    # Displayed detector window: |qx|, |qy| <= min(5.5 q0, Nyquist), full plane from Hermitian symmetry.
    c = int(min(_DISPLAY_ORDERS * q0, q_nyq) / q_step)
    c = max(1, min(c, n // 2 - 1))
    rows = np.r_[n - c:n, 0:c + 1]  # ky from -c..c
    half = power[rows, :c + 1]  # kx 0..c
    left = half[::-1, 1:][:, ::-1]  # S(-kx, ky) = S(kx, -ky)
    full = np.concatenate([left, half], axis=1)  # (2c+1) x (2c+1), centred
    factor = int(math.ceil(full.shape[0] / display_pixels))
    image = _block_mean(full, factor).astype(np.float32)
    axis = (np.arange(image.shape[0]) * factor + (factor - 1) / 2.0 - c) * q_step
    mfac = int(math.ceil(n / display_pixels))
    map_display = _block_mean(np.asarray(pattern.m_z), mfac).astype(np.float32)
    map_axis = (np.arange(map_display.shape[0]) * mfac + (mfac - 1) / 2.0) * pattern.pixel_nm
    for arr in (q, sums, means, image, axis, map_display, map_axis):
        arr.setflags(write=False)
    return StructureFactor(
        q_nm_inv=q, profile_mean=means, profile_sum=sums, variance=variance, q0_nm_inv=q0,
        q1_nm_inv=metrics["q1_nm_inv"], peak_q_nm_inv=metrics["peak_q_nm_inv"], fwhm_nm_inv=metrics["fwhm_nm_inv"],
        correlation_length_nm=metrics["correlation_length_nm"], resolution_limited=metrics["resolution_limited"],
        order_intensity=metrics["order_intensity"], harmonic_ratios=metrics["harmonic_ratios"],
        first_order_fraction=first / variance if variance > 0 else float("nan"),
        image=image, image_q_nm_inv=axis, map_display=map_display, map_axis_nm=map_axis,
    )


def scaled_profile(q_nm_inv, profile, magnetization: float, q_scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Profile after a uniform demagnetisation m -> α m (intensity x α²) and a ring shift q -> s q.

    A uniform rescaling of the pattern by 1/s moves every q by s; the mean profile per q bin keeps its
    height (the ring's intensity per unit area changes by 1/s², its circumference-integrated value is
    preserved: a shift alone does not change ∫ I d²q).  Returns (q axis, profile).
    """
    return np.asarray(q_nm_inv) * q_scale, np.asarray(profile) * magnetization**2 / q_scale**2


def wavelength_nm(energy_ev) -> np.ndarray:
    """λ = hc/E (1.5936 nm at 778 eV)."""
    return HC_EV_NM / np.asarray(energy_ev, dtype=float)


def two_theta_rad(q_nm_inv, energy_ev) -> np.ndarray:
    """Scattering angle 2θ = 2 asin(q λ / 4π)."""
    return 2.0 * np.arcsin(np.asarray(q_nm_inv, dtype=float) * wavelength_nm(energy_ev) / (4.0 * math.pi))


def detector_radius_mm(q_nm_inv, energy_ev, detector_m) -> np.ndarray:
    """Distance from the direct beam on a flat detector at ``detector_m``: L tan 2θ (signed with q)."""
    q = np.asarray(q_nm_inv, dtype=float)
    return np.sign(q) * detector_m * 1e3 * np.tan(two_theta_rad(np.abs(q), energy_ev))


def q_from_radius_mm(radius_mm, energy_ev, detector_m) -> np.ndarray:
    """Inverse of :func:`detector_radius_mm`."""
    r = np.asarray(radius_mm, dtype=float)
    two_theta = np.arctan(np.abs(r) / (detector_m * 1e3))
    return np.sign(r) * 4.0 * math.pi * np.sin(two_theta / 2.0) / wavelength_nm(energy_ev)
