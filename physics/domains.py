"""Out-of-plane magnetic domain patterns m_z(x, y) on a square grid (numpy only, seeded).

* stripes: period P, up-domain fraction D (duty cycle), walls of width δ.  Built exactly as a
  square wave convolved with the wall kernel (1/2δ) sech²(x/δ), i.e. a sum of tanh((x − x_w)/δ)
  walls, so that each wall is tanh(x/δ) and the orders follow
      I_n ∝ sin²(nπD)/n² · F_w(n q1)²,   F_w(q) = (πqδ/2)/sinh(πqδ/2)
  (shared reference, section 2).  The common shortcut m = tanh(sin(2πx/P) P/(2πδ)) has the same
  wall slope but deviates from tanh away from the wall; δ → 0 gives the square wave.
* labyrinth: a Gaussian random field (seeded) band-pass filtered on an annulus |k| ≈ q0 = 2π/P
  of relative width w (power ∝ exp[−(|k| − q0)² / 2(w q0)²]), thresholded at the quantile that
  makes the up fraction D, with walls tanh(g/(δ |∇g|_rms)) ≈ tanh(x/δ) across each wall.

The field of view is a whole number of periods (``periods_in_view``), so stripes are periodic on
the grid and the q resolution is q1 / periods_in_view.  All functions are pure; the caller caches
the pattern per (parameters, seed).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .parameters import ParameterError

__all__ = ["DomainPattern", "stripe_profile", "stripes", "labyrinth", "generate", "MIN_PIXELS_PER_PERIOD"]

MIN_PIXELS_PER_PERIOD = 4.0


@dataclass(frozen=True)
class DomainPattern:
    """m_z on a grid_n x grid_n grid (read-only array, values in [-1, 1]) and its geometry."""

    m_z: np.ndarray
    pixel_nm: float
    pattern: str
    period_nm: float
    wall_nm: float
    duty: float
    disorder: float
    seed: int

    @property
    def grid_n(self) -> int:
        return int(self.m_z.shape[0])

    @property
    def field_of_view_nm(self) -> float:
        return self.grid_n * self.pixel_nm

    @property
    def q_step_nm_inv(self) -> float:
        """Reciprocal-space step of the grid, 2π / field of view."""
        return 2.0 * math.pi / self.field_of_view_nm


def _pixel_nm(grid_n: int, period_nm: float, periods_in_view: int) -> float:
    pixel = periods_in_view * period_nm / grid_n
    if period_nm / pixel < MIN_PIXELS_PER_PERIOD:
        raise ParameterError(
            "periods_in_view", periods_in_view,
            f"leaves {period_nm / pixel:.2g} pixels per period on a {grid_n}² grid; needs at least "
            f"{MIN_PIXELS_PER_PERIOD:g} (fewer periods or a larger grid)",
        )
    return pixel


def stripe_profile(x_nm, period_nm: float, wall_nm: float, duty: float) -> np.ndarray:
    """1D stripe profile: +1 on [−DP/2, DP/2] (mod P), −1 elsewhere, with tanh walls of width δ.

    m(x) = −1 + Σ_j [tanh((x − a_j)/δ) − tanh((x − b_j)/δ)], a_j = jP − DP/2, b_j = jP + DP/2:
    the square wave convolved with (1/2δ) sech²(x/δ).  Neighbouring walls are summed out to 12 δ.
    """
    x = np.asarray(x_nm, dtype=float)
    u = (x + 0.5 * period_nm) % period_nm - 0.5 * period_nm  # in [-P/2, P/2)
    half = 0.5 * duty * period_nm
    if wall_nm <= 0.0:
        return np.where((u >= -half) & (u < half), 1.0, -1.0)
    k = int(math.ceil(12.0 * wall_nm / period_nm)) + 1
    m = -np.ones_like(u)
    for j in range(-k, k + 1):
        c = j * period_nm
        m += np.tanh((u - c + half) / wall_nm) - np.tanh((u - c - half) / wall_nm)
    return np.clip(m, -1.0, 1.0)


def stripes(grid_n: int, period_nm: float, wall_nm: float, duty: float, periods_in_view: int) -> DomainPattern:
    """Stripe domains varying along x (columns), uniform along y; pixel centres at i * pixel."""
    pixel = _pixel_nm(grid_n, period_nm, periods_in_view)
    row = stripe_profile(np.arange(grid_n) * pixel, period_nm, wall_nm, duty)
    m = np.broadcast_to(row, (grid_n, grid_n)).copy()
    m.setflags(write=False)
    return DomainPattern(m, pixel, "stripes", period_nm, wall_nm, duty, 0.0, 0)


def labyrinth(grid_n: int, period_nm: float, wall_nm: float, duty: float, disorder: float, seed: int,
              periods_in_view: int) -> DomainPattern:
    """Labyrinth (maze) domains from a band-pass filtered Gaussian random field (seeded)."""
    pixel = _pixel_nm(grid_n, period_nm, periods_in_view)
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((grid_n, grid_n))
    kx = 2.0 * math.pi * np.fft.rfftfreq(grid_n, d=pixel)
    ky = 2.0 * math.pi * np.fft.fftfreq(grid_n, d=pixel)
    k = np.hypot(ky[:, None], kx[None, :])
    q0 = 2.0 * math.pi / period_nm
    sigma_k = disorder * q0
    amp = np.exp(-((k - q0) ** 2) / (4.0 * sigma_k**2))  # amplitude filter: power has width sigma_k
    g = np.fft.irfft2(np.fft.rfft2(noise) * amp, s=(grid_n, grid_n))
    g /= g.std()
    threshold = np.quantile(g, 1.0 - duty)
    if wall_nm <= 0.0:
        m = np.where(g > threshold, 1.0, -1.0)
    else:
        # rms gradient of the unit-variance field: q_rms = sqrt(<k^2>) over its power spectrum
        weight = np.where((kx == 0) | (kx == kx[-1]), 1.0, 2.0)[None, :] * amp**2
        q_rms = math.sqrt(float(np.sum(weight * k**2) / np.sum(weight)))
        m = np.tanh((g - threshold) / (wall_nm * q_rms))
    m.setflags(write=False)
    return DomainPattern(m, pixel, "labyrinth", period_nm, wall_nm, duty, disorder, int(seed))


def generate(pattern: str, period_nm: float, wall_nm: float, duty: float, disorder: float, seed: int,
             grid_n: int, periods_in_view: int) -> DomainPattern:
    """The domain pattern for the page's parameters (the expensive, cacheable step)."""
    if pattern == "stripes":
        return stripes(grid_n, period_nm, wall_nm, duty, periods_in_view)
    if pattern == "labyrinth":
        return labyrinth(grid_n, period_nm, wall_nm, duty, disorder, seed, periods_in_view)
    raise ParameterError("pattern", pattern, "must be one of stripes, labyrinth")
