"""Demagnetisation after an optical pump and what a probe of finite time resolution records.

* Phenomenological (what papers fit; shared reference section 3):
      m(t) = 1 − Θ(t) (1 − e^(−t/τm)) [A e^(−t/τr) + B e^(−t/τth)].
  1 − m is a sum of step-started exponentials c_i Θ(t) e^(−r_i t), and so is 1 − m² (products
  of exponentials are exponentials), so the measured trace
      M_meas(t) = sqrt( IRF ⊗ m² )(t)          (the probe integrates the intensity ∝ m²)
  is analytic with
      Θ(t) e^(−t/τ) ⊗ Gauss(σ) = ½ exp(σ²/2τ² − t/τ) erfc((σ/τ − t/σ)/√2),   σ = FWHM/2.3548.
* Microscopic option: two-temperature model + M3TM (Koopmans et al., Nat. Mater. 9, 259 (2010)):
      γ Te dTe/dt = S(t) − g (Te − Tp)
      Cp  dTp/dt = g (Te − Tp) − Cp (Tp − T0)/τ_sink
      dm/dt = R m (Tp/Tc) (1 − m coth(m Tc/Te))
  driven by the absorbed pump fluence S (a Gaussian pulse) deposited uniformly in the film.  The
  equilibrium of the last line is the mean-field m = tanh(m Tc/T); without a heat sink m tends to
  m_eq(Tp) and the energy γ(Te² − T0²)/2 + Cp(Tp − T0) equals the deposited energy (tests).
  Co values: R = 25.3 ps⁻¹ and Tc = 1388 K as in udkm1Dsim's M3TM example (marked there as not
  experimentally verified); γ from the Sommerfeld coefficient 4.73 mJ mol⁻¹ K⁻² and Cp from
  Dulong-Petit at 91 atoms/nm³; g = 4.05e18 W m⁻³ K⁻¹ (a typical Co value; an assumption).
  m is reported relative to m_eq(T0).
* A ring shift q1(t) is contested physics: only a labelled phenomenological knob here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.special import erfc, erfcx, ndtr

from .pulses import FWHM_PER_SIGMA

__all__ = [
    "exp_gauss",
    "double_exponential",
    "decay_terms",
    "measured_double_exponential",
    "smooth_gaussian",
    "measured_trace",
    "mean_field_magnetization",
    "CoM3TM",
    "CO_M3TM",
    "M3TMResult",
    "solve_m3tm",
    "ring_shift_factor",
    "delay_grid_ps",
]

_BOLTZMANN_J_K = 1.380649e-23
_AVOGADRO = 6.02214076e23
_CO_ATOMS_M3 = 91.0e27  # rho_a of the first page (91 atoms/nm^3)


def exp_gauss(t_ps, tau_ps: float, sigma_ps: float) -> np.ndarray:
    """Θ(t) e^(−t/τ) convolved with a unit-area Gaussian of standard deviation σ (analytic).

    ½ exp(σ²/2τ² − t/τ) erfc((σ/τ − t/σ)/√2); evaluated with erfcx where erfc underflows, so that
    it is finite for any t.  τ = inf gives the smoothed step, σ = 0 the bare exponential.
    """
    t = np.asarray(t_ps, dtype=float)
    if sigma_ps <= 0.0:
        return np.where(t >= 0.0, np.exp(-np.clip(t, 0.0, None) / tau_ps) if math.isfinite(tau_ps) else 1.0, 0.0)
    if not math.isfinite(tau_ps):
        return ndtr(t / sigma_ps)
    x = (sigma_ps / tau_ps - t / sigma_ps) / math.sqrt(2.0)
    safe_x = np.where(x > 0.0, x, 0.0)
    # x > 0: ½ erfcx(x) exp(−t²/2σ²) (the exponents combine exactly); x <= 0: the direct form is bounded.
    pos = 0.5 * erfcx(safe_x) * np.exp(-0.5 * (t / sigma_ps) ** 2)
    direct_arg = np.where(x <= 0.0, sigma_ps**2 / (2.0 * tau_ps**2) - t / tau_ps, 0.0)
    neg = 0.5 * np.exp(direct_arg) * erfc(np.where(x <= 0.0, x, 0.0))
    return np.where(x > 0.0, pos, neg)


def decay_terms(amplitude_fast: float, tau_demag_ps: float, tau_recovery_ps: float, amplitude_slow: float,
                tau_slow_ps: float) -> tuple[tuple[float, float], ...]:
    """1 − m(t) = Θ(t) Σ c_i e^(−r_i t): the (c_i, r_i [1/ps]) of the double-exponential model."""
    rm, rr, rs = 1.0 / tau_demag_ps, 1.0 / tau_recovery_ps, 1.0 / tau_slow_ps
    return ((amplitude_fast, rr), (-amplitude_fast, rm + rr), (amplitude_slow, rs), (-amplitude_slow, rm + rs))


def double_exponential(t_ps, amplitude_fast: float, tau_demag_ps: float, tau_recovery_ps: float,
                       amplitude_slow: float, tau_slow_ps: float) -> np.ndarray:
    """The true m(t) of the phenomenological model (1 before time zero)."""
    t = np.asarray(t_ps, dtype=float)
    tp = np.clip(t, 0.0, None)
    d = sum(c * np.exp(-r * tp) for c, r in decay_terms(amplitude_fast, tau_demag_ps, tau_recovery_ps,
                                                          amplitude_slow, tau_slow_ps))
    return np.where(t >= 0.0, 1.0 - d, 1.0)


def measured_double_exponential(t_ps, fwhm_ps: float, amplitude_fast: float, tau_demag_ps: float,
                                tau_recovery_ps: float, amplitude_slow: float, tau_slow_ps: float) -> np.ndarray:
    """sqrt(IRF ⊗ m²) for the double-exponential model with a Gaussian IRF of FWHM ``fwhm_ps`` (exact).

    m² = 1 − 2 Σ c_i e^(−r_i t) + Σ_ij c_i c_j e^(−(r_i + r_j) t) for t > 0; each term is convolved
    with :func:`exp_gauss`.
    """
    terms = decay_terms(amplitude_fast, tau_demag_ps, tau_recovery_ps, amplitude_slow, tau_slow_ps)
    sigma = fwhm_ps / FWHM_PER_SIGMA
    t = np.asarray(t_ps, dtype=float)
    intensity = np.ones_like(t)
    for c, r in terms:
        if c:
            intensity -= 2.0 * c * exp_gauss(t, 1.0 / r, sigma)
    for i, (ci, ri) in enumerate(terms):
        for j, (cj, rj) in enumerate(terms[i:], start=i):
            if ci and cj:
                intensity += (1.0 if i == j else 2.0) * ci * cj * exp_gauss(t, 1.0 / (ri + rj), sigma)
    return np.sqrt(np.clip(intensity, 0.0, None))


def smooth_gaussian(t_out_ps, t_ps, values, fwhm_ps: float) -> np.ndarray:
    """Convolve samples (t_ps, values), taken as piecewise linear and constant outside, with a
    unit-area Gaussian of FWHM ``fwhm_ps``; evaluated at ``t_out_ps``.  Exact for the piecewise-linear
    function: f ⊗ G = f(−∞) + Σ_k Δs_k R(t − t_k), R(x) = x Φ(x/σ) + σ φ(x/σ) the twice-integrated
    Gaussian and Δs_k the slope changes at the knots.  Knots more than 8σ before t contribute
    Δs_k (t − t_k) (cumulative sums), knots more than 8σ after t nothing: the cost is
    (outputs) x (knots within ±8σ), not outputs x knots.
    """
    t_out = np.asarray(t_out_ps, dtype=float)
    t = np.asarray(t_ps, dtype=float)
    y = np.asarray(values, dtype=float)
    if fwhm_ps <= 0.0:
        return np.interp(t_out, t, y)
    sigma = fwhm_ps / FWHM_PER_SIGMA
    slopes = np.diff(y) / np.diff(t)
    ds = np.diff(np.concatenate([[0.0], slopes, [0.0]]))  # slope change at each knot
    cum_ds = np.concatenate([[0.0], np.cumsum(ds)])
    cum_dst = np.concatenate([[0.0], np.cumsum(ds * t)])
    lo = np.searchsorted(t, t_out - 8.0 * sigma)  # knots [0, lo) are far before: linear part of R
    hi = np.searchsorted(t, t_out + 8.0 * sigma)  # knots [hi, n) are far after: R = 0
    out = y[0] + t_out * cum_ds[lo] - cum_dst[lo]
    width = int((hi - lo).max()) if len(t_out) else 0
    if width > 0:
        idx = lo[:, None] + np.arange(width)[None, :]
        valid = idx < hi[:, None]
        idx = np.where(valid, idx, 0)
        x = (t_out[:, None] - t[idx]) / sigma
        ramp = sigma * (x * ndtr(x) + np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))
        out = out + np.sum(np.where(valid, ramp * ds[idx], 0.0), axis=1)
    return out


def measured_trace(t_out_ps, t_ps, m, fwhm_ps: float) -> np.ndarray:
    """M_meas = sqrt(IRF ⊗ m²) for a sampled m(t) (any model)."""
    return np.sqrt(np.clip(smooth_gaussian(t_out_ps, t_ps, np.asarray(m, dtype=float) ** 2, fwhm_ps), 0.0, None))


def mean_field_magnetization(temperature_k, curie_k: float) -> np.ndarray:
    """Equilibrium m of the M3TM (mean field, spin ½): the largest root of m = tanh(m Tc/T)."""
    tr = np.asarray(temperature_k, dtype=float) / curie_k
    m = np.ones_like(tr)
    below = tr < 1.0
    b = np.where(below, 1.0 / np.where(below, tr, 1.0), 1.0)
    for _ in range(60):  # Newton on g(m) = m − tanh(b m) from m = 1 (monotone convergence)
        th = np.tanh(b * m)
        g = m - th
        dg = 1.0 - b * (1.0 - th * th)
        m = np.where(below, m - g / np.where(np.abs(dg) > 1e-12, dg, 1e-12), 0.0)
        m = np.clip(m, 0.0, 1.0)
    return m


@dataclass(frozen=True)
class CoM3TM:
    """Material constants of the two-temperature + M3TM model (SI per volume; R in 1/ps)."""

    gamma_e_j_m3_k2: float  # electronic heat capacity C_e = gamma Te
    c_p_j_m3_k: float  # lattice heat capacity
    g_ep_w_m3_k: float  # electron-phonon coupling
    r_ps: float  # M3TM rate R
    ambient_k: float = 300.0


CO_M3TM = CoM3TM(
    gamma_e_j_m3_k2=4.73e-3 / _AVOGADRO * _CO_ATOMS_M3,  # 715 J m^-3 K^-2
    c_p_j_m3_k=3.0 * _BOLTZMANN_J_K * _CO_ATOMS_M3,  # 3.77e6 J m^-3 K^-1 (Dulong-Petit)
    g_ep_w_m3_k=4.05e18,
    r_ps=25.3,
)


@dataclass(frozen=True)
class M3TMResult:
    t_ps: np.ndarray
    electron_k: np.ndarray
    lattice_k: np.ndarray
    m: np.ndarray  # relative to m_eq(T0)
    deposited_j_m3: float
    sink_j_m3: np.ndarray  # energy that left through the heat sink up to t


def solve_m3tm(absorbed_fluence_mj_cm2: float, thickness_nm: float, curie_k: float, tau_sink_ps: float = math.inf,
               pump_fwhm_fs: float = 50.0, t_end_ps: float = 2000.0, material: CoM3TM = CO_M3TM) -> M3TMResult:
    """Integrate the two-temperature model + M3TM from −1 ps (pump centred at 0) to ``t_end_ps``."""
    mat = material
    deposited = absorbed_fluence_mj_cm2 * 10.0 / (thickness_nm * 1e-9)  # mJ/cm^2 -> J/m^2 -> J/m^3
    sig = pump_fwhm_fs * 1e-3 / FWHM_PER_SIGMA
    g = mat.g_ep_w_m3_k * 1e-12  # per ps
    m0 = float(mean_field_magnetization(mat.ambient_k, curie_k))
    sink_rate = 0.0 if not math.isfinite(tau_sink_ps) else 1.0 / tau_sink_ps

    def rhs(t, y):
        te, tp, m, _ = y
        source = deposited * math.exp(-0.5 * (t / sig) ** 2) / (sig * math.sqrt(2.0 * math.pi))
        flow = g * (te - tp)
        sink = mat.c_p_j_m3_k * (tp - mat.ambient_k) * sink_rate
        a = m * curie_k / te
        mcoth = m / math.tanh(a) if abs(a) > 1e-8 else te / curie_k
        dm = mat.r_ps * m * (tp / curie_k) * (1.0 - mcoth)
        return [(source - flow) / (mat.gamma_e_j_m3_k2 * te), (flow - sink) / mat.c_p_j_m3_k, dm, sink]

    t0 = -max(1.0, 6.0 * sig)
    t1 = 6.0 * sig  # end of the pump: the first segment resolves it, the second runs freely
    tol = dict(method="LSODA", rtol=1e-6, atol=[1e-3, 1e-3, 1e-9, 1e-3])
    first = solve_ivp(rhs, (t0, t1), [mat.ambient_k, mat.ambient_k, m0, 0.0], max_step=sig / 4.0,
                      t_eval=np.linspace(t0, t1, 60), **tol)
    t_late = np.concatenate([np.linspace(t1, 5.0, 300)[1:], np.geomspace(5.0, t_end_ps, 200)[1:]])
    second = solve_ivp(rhs, (t1, t_end_ps), first.y[:, -1], t_eval=t_late, **tol)
    for sol in (first, second):
        if not sol.success:  # pragma: no cover - LSODA handles this stiff-ish system
            raise RuntimeError(f"M3TM integration failed: {sol.message}")
    t = np.concatenate([first.t, second.t])
    te, tp, m, sink = np.concatenate([first.y, second.y], axis=1)
    return M3TMResult(t, te, tp, m / m0, deposited, sink)


def ring_shift_factor(t_ps, shift_percent: float, tau_shift_ps: float, tau_slow_ps: float) -> np.ndarray:
    """Phenomenological q1(t)/q1(0) = 1 + s Θ(t)(1 − e^(−t/τs)) e^(−t/τth) - a labelled knob, not a model."""
    t = np.clip(np.asarray(t_ps, dtype=float), 0.0, None)
    return 1.0 + 0.01 * shift_percent * (1.0 - np.exp(-t / tau_shift_ps)) * np.exp(-t / tau_slow_ps)


def delay_grid_ps(n: int = 500, t_min_ps: float = -20.0, t_max_ps: float = 2000.0, width_ps: float = 0.5) -> np.ndarray:
    """A log-like delay axis through zero: t = w sinh(u), u uniform (dense near 0, sparse at ns)."""
    u = np.linspace(math.asinh(t_min_ps / width_ps), math.asinh(t_max_ps / width_ps), n)
    return width_ps * np.sinh(u)
