"""One evaluation of the magnetic-scattering page: everything every figure needs, from one call.

    prepared = prepare_pattern(params)      # expensive (pattern + FFT): cache per pattern_key(params)
    result = evaluate(params, prepared)     # cheap: dynamics, sources, spectrum, budget, images at the delay

Physics, formulas and references are in the modules this composes: ``domains``,
``magnetic_scattering``, ``magnetic_factors``, ``demagnetization``, ``probe_sources``,
``photon_budget``, ``self_demagnetization``.  The parameter definition is ``scattering_parameters``.
Intensities are absolute in the first Born approximation: photons per probe pulse (ideal detector).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import demagnetization as dm
from . import (
    domains,
    magnetic_factors,
    magnetic_scattering,
    photon_budget,
    probe_sources,
    spectra,
)
from . import self_demagnetization as selfdemag
from .frozen import FrozenMapping
from .scattering_parameters import TABLE, pattern_key

__all__ = [
    "PreparedPattern",
    "ImageAtDelay",
    "Profiles",
    "Dynamics",
    "MagneticSpectrum",
    "PhotonBudget",
    "SelfDemagnetization",
    "ScatteringResult",
    "prepare_pattern",
    "pattern_key",
    "evaluate",
    "summary",
    "dynamics_points",
]

N_DELAYS = 400
N_NOISY_DELAYS = 60
SELF_DEMAG_PULSES_FS = (5.0, 25.0, 100.0)
SELF_DEMAG_FLUENCE_MJ_CM2 = (1e-3, 1e4)
DELTA_M_AXIS = (1e-3, 1.0)
HARMONICS_MARKED = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class PreparedPattern:
    """The cacheable part: the domain pattern and its structure factor (energy/delay independent)."""

    pattern: domains.DomainPattern
    structure: magnetic_scattering.StructureFactor


@dataclass(frozen=True)
class ImageAtDelay:
    """Detector image (photons per pulse per q pixel) as the chosen probe records it at the delay."""

    counts: np.ndarray  # centred, block-averaged; log colour scale in the view
    counts_before: np.ndarray  # unpumped
    q_nm_inv: np.ndarray  # axis (qx = qy) at the delay (ring shift applied)
    q_before_nm_inv: np.ndarray
    mm: np.ndarray  # detector position of the axis at the delay (mm)
    domain_map: np.ndarray  # m_z x m_true(delay), block-averaged (float32)
    domain_axis_nm: np.ndarray


@dataclass(frozen=True)
class Profiles:
    """Radial profiles (azimuthal mean, photons per pulse per q pixel) before and at the delay."""

    q_nm_inv: np.ndarray
    radius_mm: np.ndarray  # detector position of q_nm_inv
    before: np.ndarray
    q_after_nm_inv: np.ndarray
    after: np.ndarray
    q1_nm_inv: float
    q1_at_delay_nm_inv: float
    harmonic_q_nm_inv: Mapping[int, float]
    fwhm_nm_inv: float
    correlation_length_nm: float
    resolution_limited: bool
    harmonic_ratios: Mapping[str, float]
    ring_radius_mm: float
    two_theta_deg: float


@dataclass(frozen=True)
class Dynamics:
    """M(t): the model's true m(t) and what every source records, sqrt(IRF ⊗ m²)."""

    model: str
    t_ps: np.ndarray
    m_true: np.ndarray
    m_measured: Mapping[str, np.ndarray]  # every preset source (and "custom" when chosen)
    chosen: str
    delay_ps: float
    m_true_at_delay: float
    m_measured_at_delay: float
    min_m_measured: float
    t_min_ps: float
    steps: Mapping[str, float]  # 1 − min M_meas per source: the step each source sees
    q1_true_nm_inv: np.ndarray  # ring position q1(t) (phenomenological knob; constant when 0 %)
    q1_measured_nm_inv: np.ndarray  # as the chosen source records it (intensity-weighted)
    electron_k: np.ndarray | None  # M3TM temperatures on t_ps (None for the phenomenological model)
    lattice_k: np.ndarray | None


@dataclass(frozen=True)
class MagneticSpectrum:
    """The magnetic-SAXS spectrum at this thickness with the first page's XAS."""

    energy_ev: np.ndarray
    xas: np.ndarray  # normalised absorbance (1 at the L3 maximum)
    transmission: np.ndarray  # resonant T(E) for this thickness
    m_real: np.ndarray  # f_m', electrons
    m_imag: np.ndarray  # f_m'', electrons
    efficiency: np.ndarray  # η(E) monochromatic, per unit var(m)
    efficiency_band: np.ndarray  # averaged over the chosen source's bandwidth
    best_energy_ev: float  # maximum of efficiency_band at the L3 edge
    fm_max_energy_ev: float
    operating_energy_ev: float


@dataclass(frozen=True)
class PhotonBudget:
    counts_per_pulse: float  # chosen source, first-order ring, unpumped
    counts_per_second: float
    acquisition_time_s: float  # per delay, to resolve delta_m at snr
    delta_m: float
    snr: float
    noise_per_delay: float  # σ_M after exposure_s
    per_source: Mapping[str, Mapping[str, float]]  # counts, rates, times, step, self-loss per source
    delta_m_axis: np.ndarray
    time_vs_delta_m: Mapping[str, np.ndarray]
    noisy_t_ps: np.ndarray
    noisy_m: np.ndarray  # one simulated measurement (chosen source, exposure_s per delay, seeded)


@dataclass(frozen=True)
class SelfDemagnetization:
    fluence_mj_cm2: np.ndarray
    retained: Mapping[float, np.ndarray]  # pulse_fs -> magnetic scattering kept (spot average)
    sources: Mapping[str, Mapping[str, float]]  # name -> peak fluence, pulse_fs, retained


@dataclass(frozen=True)
class ScatteringResult:
    params: Mapping[str, Any]
    source: probe_sources.ProbeSource
    sources: Mapping[str, probe_sources.ProbeSource]
    image: ImageAtDelay
    profiles: Profiles
    dynamics: Dynamics
    spectrum: MagneticSpectrum
    budget: PhotonBudget
    self_demag: SelfDemagnetization
    variance: float  # var(m_z) of the pattern
    first_order_fraction: float
    pixel_nm: float
    field_of_view_nm: float


def prepare_pattern(params: Mapping[str, Any]) -> PreparedPattern:
    """Validate and build the domain pattern and its structure factor (the expensive, cacheable step)."""
    p = TABLE.validate_all(dict(params), allow_unknown=True)
    pattern = domains.generate(p["pattern"], p["period_nm"], p["wall_nm"], p["duty"], p["disorder"], p["seed"],
                               p["grid_n"], p["periods_in_view"])
    return PreparedPattern(pattern, magnetic_scattering.structure_factor(pattern))


def _frozen(d: Mapping) -> Mapping:
    return FrozenMapping(d)  # read-only, and picklable: the view caches results


def _dynamics(p, sources: Mapping[str, probe_sources.ProbeSource], chosen: str, q1_nm_inv: float) -> Dynamics:
    t = dm.delay_grid_ps(N_DELAYS)
    delay = float(p["delay_ps"])
    electron = lattice = None
    if p["dynamics_model"] == "m3tm":
        sol = dm.solve_m3tm(p["absorbed_fluence_mj_cm2"], p["thickness_nm"], p["curie_k"], p["tau_slow_ps"])
        knots_t = np.concatenate([[t[0] - 1.0], sol.t_ps])
        knots_m = np.concatenate([[1.0], sol.m])
        m_true = np.interp(t, knots_t, knots_m)
        m_true_delay = float(np.interp(delay, knots_t, knots_m))
        knots_t, knots_m = t, m_true  # the delay grid resolves the M3TM's >= 0.1 ps features; fewer knots
        electron = np.interp(t, sol.t_ps, sol.electron_k, left=sol.electron_k[0])
        lattice = np.interp(t, sol.t_ps, sol.lattice_k, left=sol.lattice_k[0])

        def measured(times, fwhm):
            return dm.measured_trace(times, knots_t, knots_m, fwhm)
    else:
        shape = {k: p[k] for k in ("amplitude_fast", "tau_demag_ps", "tau_recovery_ps", "amplitude_slow",
                                   "tau_slow_ps")}
        m_true = dm.double_exponential(t, **shape)
        m_true_delay = float(dm.double_exponential(delay, **shape))

        def measured(times, fwhm):
            return dm.measured_double_exponential(times, fwhm, **shape)

    m_meas = {name: measured(t, s.resolution_ps) for name, s in sources.items()}
    steps = {name: float(1.0 - m.min()) for name, m in m_meas.items()}
    chosen_m = m_meas[chosen]
    i_min = int(np.argmin(chosen_m))
    m_meas_delay = float(measured(np.array([delay]), sources[chosen].resolution_ps)[0])

    shift = dm.ring_shift_factor(t, p["ring_shift_percent"], p["ring_shift_tau_ps"], p["tau_slow_ps"])
    if p["ring_shift_percent"] != 0.0:
        # the probe averages q1 weighted by the scattered intensity m²
        fw = sources[chosen].resolution_ps
        weighted = dm.smooth_gaussian(t, t, m_true**2 * shift, fw)
        norm = dm.smooth_gaussian(t, t, m_true**2, fw)
        shift_meas = np.divide(weighted, norm, out=np.ones_like(norm), where=norm > 0)
    else:
        shift_meas = shift
    for arr in (t, m_true, shift, shift_meas, *m_meas.values()):
        arr.setflags(write=False)
    return Dynamics(
        model=p["dynamics_model"], t_ps=t, m_true=m_true, m_measured=_frozen(m_meas), chosen=chosen,
        delay_ps=delay, m_true_at_delay=m_true_delay, m_measured_at_delay=m_meas_delay,
        min_m_measured=float(chosen_m[i_min]), t_min_ps=float(t[i_min]), steps=_frozen(steps),
        q1_true_nm_inv=q1_nm_inv * shift, q1_measured_nm_inv=q1_nm_inv * shift_meas, electron_k=electron,
        lattice_k=lattice,
    )


def evaluate(params: Mapping[str, Any], prepared: PreparedPattern | None = None) -> ScatteringResult:
    """Everything the page shows for one parameter set.  ``prepared``: the cached pattern for
    ``pattern_key(params)`` (computed here when not given)."""
    p = TABLE.validate_all(dict(params), allow_unknown=True)
    prep = prepared if prepared is not None else prepare_pattern(p)
    sf = prep.structure
    pattern = prep.pattern
    chosen = p["source"]
    sources = {name: probe_sources.source_for(p, name) for name in probe_sources.PRESET_SOURCES}
    if chosen == "custom":
        sources["custom"] = probe_sources.source_for(p, "custom")
    source = sources[chosen]
    energy = float(p["energy_ev"])
    thickness = float(p["thickness_nm"])

    dyn = _dynamics(p, sources, chosen, sf.q1_nm_inv)

    # --- spectrum and efficiency at the operating energy, per source bandwidth -----------------
    grid = spectra.energy_grid()
    eff_mono = magnetic_factors.saxs_spectrum(grid, thickness, 0.0)
    band = {name: magnetic_factors.saxs_spectrum(grid, thickness, s.bandwidth_ev) for name, s in sources.items()}
    l3 = (grid >= 770.0) & (grid <= 785.0)
    best = magnetic_factors.peak_of_curve(grid[l3], band[chosen][l3])
    fm = magnetic_factors.magnetic_factor(grid)
    spectrum = MagneticSpectrum(
        energy_ev=grid, xas=spectra.xas_absorbance(grid), transmission=spectra.resonant_transmission(grid, thickness),
        m_real=fm.real, m_imag=fm.imag, efficiency=eff_mono, efficiency_band=band[chosen], best_energy_ev=best,
        fm_max_energy_ev=magnetic_factors.peak_of_curve(grid[l3], np.abs(fm[l3])), operating_energy_ev=energy,
    )

    # --- self-induced demagnetisation (the first page's heating) ------------------------------------
    fl = np.geomspace(*SELF_DEMAG_FLUENCE_MJ_CM2, 61)
    pulses = tuple(sorted({*SELF_DEMAG_PULSES_FS, float(source.pulse_fs)})) if source.pulse_fs <= 1000.0 \
        else SELF_DEMAG_PULSES_FS
    table = selfdemag.equilibrium_table(energy, thickness, p["curie_k"])
    curves = selfdemag.retained_curves(fl, pulses, energy, thickness, p["curie_k"], table=table)
    src_points = {}
    for name, s in sources.items():
        f_peak = selfdemag.peak_fluence_mj_cm2(s.photons_per_pulse, energy, s.spot_um)
        kept = float(selfdemag.spot_scattering_retained(f_peak, s.pulse_fs, energy, thickness, p["curie_k"],
                                                        table=table)[0])
        src_points[name] = _frozen(dict(peak_fluence_mj_cm2=f_peak, pulse_fs=s.pulse_fs, retained=kept))
    self_demag = SelfDemagnetization(fl, _frozen(curves), _frozen(src_points))

    # --- photon budget ----------------------------------------------------------------------------------
    i1 = sf.order_intensity[1]
    delta_axis = np.geomspace(*DELTA_M_AXIS, 61)
    per_source, time_curves = {}, {}
    for name, s in sources.items():
        eta = float(np.interp(energy, grid, band[name]))
        cpp = photon_budget.ring_counts_per_pulse(s.photons_per_pulse, eta, i1, src_points[name]["retained"])
        rate = cpp * s.rep_rate_hz
        step = dyn.steps[name]
        per_source[name] = _frozen(dict(
            counts_per_pulse=cpp, counts_per_second=rate, efficiency=eta, self_retained=src_points[name]["retained"],
            acquisition_time_s=float(photon_budget.acquisition_time_s(rate, p["delta_m"], p["snr"])),
            measured_step=step, time_for_step_s=float(photon_budget.acquisition_time_s(rate, step, p["snr"]))
            if step > 0 else math.inf,
        ))
        time_curves[name] = photon_budget.acquisition_time_s(rate, delta_axis, p["snr"])
    chosen_budget = per_source[chosen]
    idx = np.unique(np.linspace(0, N_DELAYS - 1, N_NOISY_DELAYS).astype(int))
    noisy = photon_budget.noisy_trace(dyn.m_measured[chosen][idx], chosen_budget["counts_per_second"],
                                      p["exposure_s"], p["seed"])
    budget = PhotonBudget(
        counts_per_pulse=chosen_budget["counts_per_pulse"], counts_per_second=chosen_budget["counts_per_second"],
        acquisition_time_s=chosen_budget["acquisition_time_s"], delta_m=p["delta_m"], snr=p["snr"],
        noise_per_delay=photon_budget.m_noise(chosen_budget["counts_per_second"], p["exposure_s"]),
        per_source=_frozen(per_source), delta_m_axis=delta_axis, time_vs_delta_m=_frozen(time_curves),
        noisy_t_ps=dyn.t_ps[idx], noisy_m=noisy,
    )

    # --- detector image and radial profiles at the delay ----------------------------------------------------
    scale = chosen_budget["counts_per_pulse"] / i1 if i1 > 0 else 0.0  # photons per unit S
    alpha2 = dyn.m_measured_at_delay**2
    q_shift = float(np.interp(dyn.delay_ps, dyn.t_ps, dyn.q1_measured_nm_inv)) / sf.q1_nm_inv
    img_before = sf.image * np.float32(scale)
    image = ImageAtDelay(
        counts=img_before * np.float32(alpha2 / q_shift**2), counts_before=img_before,
        q_nm_inv=sf.image_q_nm_inv * q_shift, q_before_nm_inv=sf.image_q_nm_inv,
        mm=magnetic_scattering.detector_radius_mm(sf.image_q_nm_inv * q_shift, energy, p["detector_m"]),
        domain_map=sf.map_display * np.float32(dyn.m_true_at_delay), domain_axis_nm=sf.map_axis_nm,
    )
    q_after, prof_after = magnetic_scattering.scaled_profile(sf.q_nm_inv, sf.profile_mean * scale,
                                                             math.sqrt(alpha2), q_shift)
    q1 = sf.q1_nm_inv
    profiles = Profiles(
        q_nm_inv=sf.q_nm_inv, radius_mm=magnetic_scattering.detector_radius_mm(sf.q_nm_inv, energy, p["detector_m"]),
        before=sf.profile_mean * scale, q_after_nm_inv=q_after, after=prof_after,
        q1_nm_inv=q1, q1_at_delay_nm_inv=q1 * q_shift,
        harmonic_q_nm_inv=_frozen({n: n * q1 for n in HARMONICS_MARKED}), fwhm_nm_inv=sf.fwhm_nm_inv,
        correlation_length_nm=sf.correlation_length_nm, resolution_limited=sf.resolution_limited,
        harmonic_ratios=_frozen(sf.harmonic_ratios),
        ring_radius_mm=float(magnetic_scattering.detector_radius_mm(q1, energy, p["detector_m"])),
        two_theta_deg=float(np.degrees(magnetic_scattering.two_theta_rad(q1, energy))),
    )
    return ScatteringResult(
        params=_frozen(p), source=source, sources=_frozen(sources), image=image, profiles=profiles, dynamics=dyn,
        spectrum=spectrum, budget=budget, self_demag=self_demag, variance=sf.variance,
        first_order_fraction=sf.first_order_fraction, pixel_nm=pattern.pixel_nm,
        field_of_view_nm=pattern.field_of_view_nm,
    )


def summary(result: ScatteringResult) -> dict[str, Any]:
    """Headline numbers (the ``python -m physics scattering summary --json`` contract)."""
    pr, b, dyn = result.profiles, result.budget, result.dynamics
    return dict(
        q1_nm_inv=pr.q1_nm_inv, ring_radius_mm=pr.ring_radius_mm, two_theta_deg=pr.two_theta_deg,
        ring_fwhm_nm_inv=pr.fwhm_nm_inv, correlation_length_nm=pr.correlation_length_nm,
        ring_resolution_limited=pr.resolution_limited, harmonic_ratios=dict(pr.harmonic_ratios),
        best_energy_ev=result.spectrum.best_energy_ev, fm_max_energy_ev=result.spectrum.fm_max_energy_ev,
        energy_ev=result.spectrum.operating_energy_ev, counts_per_pulse=b.counts_per_pulse,
        counts_per_second=b.counts_per_second, acquisition_time_s=b.acquisition_time_s, delta_m=b.delta_m,
        snr=b.snr, source=result.source.name, resolution_ps=result.source.resolution_ps,
        min_m_measured=dyn.min_m_measured, t_min_ps=dyn.t_min_ps, m_measured_at_delay=dyn.m_measured_at_delay,
        self_demag_retained=result.self_demag.sources[result.source.name]["retained"],
        field_of_view_nm=result.field_of_view_nm, pixel_nm=result.pixel_nm, variance_m=result.variance,
        first_order_fraction=result.first_order_fraction,
    )


def dynamics_points(result: ScatteringResult) -> dict[str, Any]:
    """The ``python -m physics scattering dynamics --json`` contract: M(t) true and measured."""
    dyn = result.dynamics
    m = dyn.m_measured[dyn.chosen]
    return dict(
        source=dyn.chosen, resolution_ps=result.source.resolution_ps, model=dyn.model,
        min_m_measured=dyn.min_m_measured, t_min_ps=dyn.t_min_ps, delay_ps=dyn.delay_ps,
        m_true_at_delay=dyn.m_true_at_delay, m_measured_at_delay=dyn.m_measured_at_delay,
        points=[dict(t_ps=float(t), m_true=float(a), m_measured=float(b))
                for t, a, b in zip(dyn.t_ps, dyn.m_true, m, strict=True)],
    )
