"""Maxwell-Bloch stimulated RIXS and two-level Bloch transmission with statistical SASE pulses.

Paper: Higley et al., Nat. Commun. 13, 5969 (2022): Eqs. 20-39 (three-level Maxwell-Bloch),
Eq. 24 (thin-slab output field), Figs. 5 and 6.  The density matrices are integrated by
:mod:`physics.bloch`; this module builds the SASE fields, propagates them through the Co film
(thin slab or slice by slice), Fourier-transforms input, output and linear-response fields and
extracts what the paper plots.

Conventions
-----------
* Real field ``E(t) = Re[env(t) exp(-i w t)]``, frame rotating at ``center_ev`` (the carrier).
  With numpy's FFT the photon energy of frequency bin f is ``carrier - h f`` (trap 2): the
  stimulated Raman line appears near carrier - 2 eV (about 776 eV), not at 780 eV.
* Efficiency (the paper's extraction, Fig. 5): the gain of the transmitted spectrum in the
  stimulated window 775-777 eV above the *linear response*, divided by the linearly absorbed
  energy in 777-779 eV.  The linear response is the same solver run at a probe fluence of
  1e-6 mJ/cm^2 and scaled (it is exactly linear there), so discretisation errors cancel.
  ``efficiency`` is the ensemble value (sum over pulses of the gain over the sum of the
  absorbed energy, i.e. from shot-averaged spectra as in a measurement); ``efficiency_std`` is
  the standard deviation of the single-pulse efficiencies (the shot-to-shot spread).
* Stimulated fraction (per atom): final rho33 over core holes created, where core holes created
  = Gamma * integral rho22 dt + rho22(end) + rho33(end), atom-weighted over classes and slices.
* Peak resonant transmission (Fig. 6): transmitted over incident spectral energy within
  +-0.15 eV of the L3 maximum (777.63 eV), shot-summed; background layers excluded.

Defaults (documented choices)
-----------------------------
* SASE pulses: 4 eV FWHM spectrum (the paper's MB), centred at the L3 maximum 777.63 eV, 20 pulses,
  seed 1; RK4 step 0.1 fs (halving it changes the efficiency by < 0.5 %, tested).
* Time window: the Gaussian gate down to 1e-5 of its peak intensity (+-2.04 FWHM) plus a 20 fs
  tail for the coherences to decay (20 fs = 6.5 coherence lifetimes 2 hbar/Gamma).
* Absorbers: ``line='atomic'`` (default for the three-level gain curves, the paper's model): one
  homogeneous three-level line at 777.63 eV with the atomic dipole and the atom fraction that
  gives the measured peak optical depth 1.064 (T = 0.345).  ``line='xas'``: the inhomogeneous set
  of :func:`physics.bloch.xas_absorbers` (16 classes following the measured XAS; default for the
  two-level transmission curve).
* Propagation: 'thin' (Eq. 24, the paper) or 'slices' (10 slices, second order in z).
* The two-level transmission curve (Fig. 6) runs faster settings, each tested against the careful
  ones: single precision, 4 slices, dt 0.2 fs, gate to 1e-3 plus a 10 fs tail.  Its ``model='khd'``
  option gives the atoms the Eq. 4 stimulated rate and random orientation (docs/maxwell_bloch.md).
* Ensembles run in chunks of pulses x fluences sized by :func:`estimate_cost` (peak memory of any
  allowed job under 500 MB); the chunking does not change the results.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from . import bloch, khd
from .constants import (
    C_M_S,
    CO_THICKNESS_NM_DEFAULT,
    EPS0_F_M,
    H_EV_FS,
    L3_PEAK_EV,
    MEASURED_EFFICIENCIES,
    MODEL_DERIVED_EFFICIENCY,
    PAPER_FIG6_POINT,
    PAPER_SPONTANEOUS_PEAK_TRANSMISSION,
)
from .parameters import BY_NAME
from .pulses import MJ_CM2_FS_TO_W_M2, sase_pulse_chunks

__all__ = [
    "DEFAULT_BANDWIDTH_EV",
    "DEFAULT_CENTER_EV",
    "DEFAULT_DT_FS",
    "DEFAULT_N_SLICES",
    "STIM_WINDOW_EV",
    "ABS_WINDOW_EV",
    "default_fluences",
    "default_intensities",
    "absorbers_for",
    "model_absorbers",
    "estimate_cost",
    "transmission_estimate",
    "MBRun",
    "simulate",
    "GainCurve",
    "TransmissionCurve",
    "gain_curve",
    "khd_gain_curve",
    "khd_curves",
    "transmission_curve",
    "TRANSMISSION_MODELS",
    "paper_fig6_points",
    "measured_points",
    "model_derived_point",
]

DEFAULT_BANDWIDTH_EV = 4.0
DEFAULT_CENTER_EV = L3_PEAK_EV
DEFAULT_DT_FS = 0.1
DEFAULT_N_SLICES = 10
BASE_DT_FS = 0.05  # pulses are generated on this grid (span h/dt = 83 eV)
TAIL_FS = 20.0
GATE_CUT = 1e-5
LINEAR_PROBE_FLUENCE_MJ_CM2 = 1e-6
STIM_WINDOW_EV = (775.0, 777.0)
ABS_WINDOW_EV = (777.0, 779.0)
PEAK_WINDOW_HALF_EV = 0.15
MIN_FFT = 4096
MAX_RABI_STEP = 1.0  # largest Rabi frequency x RK4 step (rad)
CHUNK_BUDGET_MB = 250.0  # working memory of one chunk of pulses (the job's peak stays under 500 MB)
# Cost model (estimate_cost), fitted on the 2-core reference machine (bench/bench_mb.py): seconds per
# RK4 step of one chunk = overhead + per-cell cost x cells (pulses x fluences x slices x classes); the
# per-cell cost grows with the working set until it leaves the caches (CACHE_CELLS).
_STEP_OVERHEAD_S = MappingProxyType({2: 1.5e-4, 3: 4.5e-4})
_CELL_STEP_S = MappingProxyType({2: 2.3e-7, 3: 7.3e-7})  # two levels in single precision
_CACHE_CELLS = MappingProxyType({2: 60000, 3: 8000})
_STATE_BYTES_PER_CELL = MappingProxyType({2: 420, 3: 1100})


def default_fluences() -> np.ndarray:
    """24 log-spaced fluences from 0.1 to 10000 mJ/cm^2 (the Fig. 5 grid)."""
    return np.geomspace(0.1, 1e4, 24)


def default_intensities() -> np.ndarray:
    """11 intensities from 0.01 to 1000 mJ/cm^2/fs (the Fig. 6 axis, including 300)."""
    return np.array([0.01, 0.1, 1.0, 3.0, 10.0, 30.0, 100.0, 200.0, 300.0, 500.0, 1000.0])


def absorbers_for(line: str = "atomic", thickness_nm: float = CO_THICKNESS_NM_DEFAULT,
                  dipole_m: float = bloch.D12_SCALAR_M) -> bloch.Absorbers:
    """'atomic': one line at the L3 maximum; 'xas': the inhomogeneous XAS-shaped set."""
    if line == "atomic":
        return bloch.atomic_absorber(L3_PEAK_EV, dipole_m, thickness_nm)
    if line == "xas":
        return bloch.xas_absorbers(dipole_m=dipole_m, thickness_nm=thickness_nm)
    raise ValueError("line must be 'atomic' or 'xas'")


def _trim(u, half, duration_fs, gate_cut=GATE_CUT, tail_fs=TAIL_FS):
    """Cut the gate down to ``gate_cut`` of its peak intensity, plus ``tail_fs`` for the coherences."""
    n = u.shape[-1]
    t = (np.arange(n) - n // 2) * half
    half_width = duration_fs * math.sqrt(math.log(1.0 / gate_cut) / (4.0 * math.log(2.0)))
    i0 = int(np.searchsorted(t, -half_width))
    n_steps = int(math.ceil((half_width * 2.0 + tail_fs) / (2.0 * half)))
    i1 = min(i0 + 2 * n_steps + 1, n)
    if (i1 - i0) % 2 == 0:
        i1 -= 1
    return u[:, i0:i1], float(t[i0])


def _fields(pulses, dt_fs, dipole_m, duration_fs, gate_cut=GATE_CUT, tail_fs=TAIL_FS):
    """Unit-fluence (1 mJ/cm^2) fields of a batch of pulses in Rabi units on the half-step grid."""
    u, half = bloch.half_step_samples(bloch.field_to_rabi(pulses.field_v_m(1.0), dipole_m), BASE_DT_FS, dt_fs)
    u, t0 = _trim(u, half, duration_fs, gate_cut, tail_fs)
    return u, half, t0


def _pulse_chunks(duration_fs, bandwidth_ev, center_ev, n_pulses, seed, chunk):
    return sase_pulse_chunks(duration_fs, bandwidth_ev, n_pulses, seed, chunk, carrier_ev=center_ev,
                             center_ev=center_ev, dt_fs=BASE_DT_FS)


def _pulse_fields(duration_fs, bandwidth_ev, center_ev, n_pulses, seed, dt_fs, dipole_m,
                  gate_cut=GATE_CUT, tail_fs=TAIL_FS):
    """Unit-fluence (1 mJ/cm^2) SASE fields in Rabi units on the half-step grid, trimmed (all pulses)."""
    p = next(_pulse_chunks(duration_fs, bandwidth_ev, center_ev, n_pulses, seed, n_pulses))
    return _fields(p, dt_fs, dipole_m, duration_fs, gate_cut, tail_fs)


@dataclass(frozen=True)
class MBRun:
    """Spectra and populations of one batch: arrays are (pulses, fluences, ...).

    ``spec_*`` are kept only with ``keep_spectra`` (else empty); the sums in the peak window
    (+-0.15 eV around the L3 maximum) are always there.
    """

    energy_ev: np.ndarray  # FFT photon energies (ascending)
    spec_in: np.ndarray  # |U_in(E)|^2, (P, F, nE), arbitrary units common to all three
    spec_out: np.ndarray
    spec_lin: np.ndarray
    gain: np.ndarray  # (P, F) stimulated-window gain above linear response
    absorbed: np.ndarray  # (P, F) linearly absorbed energy in 777-779 eV
    stim_fraction: np.ndarray  # (P, F) per-atom rho33 / core holes created
    rho33: np.ndarray  # (P, F) atom-weighted final rho33 (per resonant atom)
    core_holes: np.ndarray  # (P, F)
    fluence_mj_cm2: np.ndarray
    carrier_ev: float
    peak_in: np.ndarray  # (P, F) incident spectral energy in the peak window
    peak_out: np.ndarray
    peak_lin: np.ndarray


def _spectra(u, dt_fs, carrier_ev):
    n = u.shape[-1]
    n_fft = max(MIN_FFT, 1 << int(math.ceil(math.log2(n))))
    spec = np.abs(np.fft.fft(u, n=n_fft, axis=-1)) ** 2
    energy = carrier_ev - H_EV_FS * np.fft.fftfreq(n_fft, d=dt_fs)
    order = np.argsort(energy)
    return energy[order], spec[..., order]


def _window(energy, lo, hi):
    return (energy >= lo) & (energy < hi)


def _n_half(duration_fs: float, dt_fs: float, gate_cut: float = GATE_CUT, tail_fs: float = TAIL_FS) -> int:
    half_width = duration_fs * math.sqrt(math.log(1.0 / gate_cut) / (4.0 * math.log(2.0)))
    return 2 * int(math.ceil((half_width * 2.0 + tail_fs) / dt_fs)) + 1


def _per_pulse_bytes(n_half: int, n_fluences: int, cells: int, levels: int, itemsize: int) -> float:
    n_steps = (n_half - 1) // 2
    n_fft = max(MIN_FFT, 1 << int(math.ceil(math.log2(n_steps + 1))))
    fields = n_fluences * (n_half * itemsize + 3 * (n_steps + 1) * 16 + 48 * n_fft)
    return fields + cells * _STATE_BYTES_PER_CELL[levels] * itemsize / 16


def _generation_bytes(duration_fs: float, dt_fs: float) -> float:
    """Transient memory per pulse while it is generated and resampled (FFT grid, phases, copies)."""
    n_t = int(2 ** np.ceil(np.log2(max(10.0 * duration_fs, 40.0) / BASE_DT_FS)))
    up = max(1, int(round(BASE_DT_FS / (0.5 * dt_fs))))
    return n_t * (8 + 16 * 4) + n_t * up * 16 * 3


def _generation_chunk(duration_fs: float, dt_fs: float, budget_mb: float) -> int:
    """Pulses generated at once: a quarter of the budget (the generator keeps the last batch)."""
    return max(1, int(0.25 * budget_mb * 1e6 // _generation_bytes(duration_fs, dt_fs)))


def _chunks(n_half, n_fluences, n_slices, n_classes, levels, n_pulses, itemsize, budget_mb):
    """(pulses, fluences) per chunk such that one chunk's working set fits the budget."""
    per_pair = _per_pulse_bytes(n_half, 1, n_slices * n_classes, levels, itemsize)
    pairs = max(1, int(budget_mb * 1e6 // per_pair))
    fc = max(1, min(n_fluences - 1, pairs - 1))  # fluences per chunk (plus the probe)
    pc = max(1, min(n_pulses, pairs // (fc + 1)))
    return pc, fc


def _step_seconds(levels: int, cells: int) -> float:
    return _STEP_OVERHEAD_S[levels] + _CELL_STEP_S[levels] * min(1.0, cells / _CACHE_CELLS[levels]) ** 0.8 * cells


def estimate_cost(duration_fs: float, n_pulses: int, n_points: int, *, levels: int = 3,
                  propagation: str = "thin", n_slices: int = DEFAULT_N_SLICES, n_classes: int = 1,
                  dt_fs: float = DEFAULT_DT_FS, itemsize: int = 16, keep_spectra: bool = False,
                  memory_budget_mb: float = CHUNK_BUDGET_MB, gate_cut: float = GATE_CUT,
                  tail_fs: float = TAIL_FS) -> dict:
    """Peak memory (MB) and time (s) of a gain- or transmission-curve job, before running it.

    ``n_points`` fluences (or intensities) plus the linear probe, ``n_pulses`` SASE pulses,
    ``n_classes`` absorber classes (1: atomic line; :func:`absorbers_for`('xas') has 16; orientation
    averaging multiplies by its nodes); :func:`transmission_estimate` fills in the Fig. 6 settings.
    Pulses and fluences run in chunks (``chunk_pulses`` x ``chunk_fluences``) so that the working set
    stays within ``memory_budget_mb``; the rest is the pulses' generation and the kept spectra.  The
    time uses constants fitted on the 2-core reference machine (``bench/bench_mb.py`` prints estimate
    against measurement): a guide for job admission, good to a factor 2.
    """
    n_half = _n_half(duration_fs, dt_fs, gate_cut, tail_fs)
    n_steps = (n_half - 1) // 2
    n_f = int(n_points) + 1
    s_eff = int(n_slices) if propagation == "slices" else 1
    cells_per_pair = s_eff * int(n_classes)
    pc, fc = _chunks(n_half, n_f, s_eff, n_classes, levels, n_pulses, itemsize, memory_budget_mb)
    gc = min(pc, _generation_chunk(duration_fs, dt_fs, memory_budget_mb))
    n_fchunks = math.ceil((n_f - 1) / fc)
    n_chunks = math.ceil(n_pulses / pc) * n_fchunks
    chunk_pairs = pc * (fc + 1)
    work = chunk_pairs * _per_pulse_bytes(n_half, 1, cells_per_pair, levels, itemsize)
    gen = gc * _generation_bytes(duration_fs, dt_fs) + pc * n_half * 16
    n_fft = max(MIN_FFT, 1 << int(math.ceil(math.log2(n_steps + 1))))
    kept = 3 * n_pulses * (n_f - 1) * n_fft * 8 if keep_spectra else 0
    seconds = n_chunks * n_steps * _step_seconds(levels, chunk_pairs * cells_per_pair)
    return {
        "peak_memory_mb": (work + gen + kept) / 1e6,
        "seconds": seconds,
        "chunk_pulses": pc,
        "chunk_fluences": fc,
        "n_chunks": n_chunks,
        "n_steps": n_steps,
        "cells": n_pulses * n_f * cells_per_pair,
    }


def transmission_estimate(duration_fs: float, n_pulses: int = 8, n_points: int = 11, model: str = "atomic") -> dict:
    """:func:`estimate_cost` for :func:`transmission_curve` with its settings (two levels, single
    precision, 4 slices, 16 XAS classes times the model's orientation nodes, dt 0.2 fs, 1e-3 gate)."""
    nodes = TRANSMISSION_MODELS[model][1]
    return estimate_cost(duration_fs, n_pulses, n_points, levels=2, propagation="slices",
                         n_slices=TRANSMISSION_N_SLICES, n_classes=16 * max(1, nodes), dt_fs=TRANSMISSION_DT_FS,
                         itemsize=8, gate_cut=TRANSMISSION_GATE_CUT, tail_fs=TRANSMISSION_TAIL_FS)


def model_absorbers(line: str = "atomic", thickness_nm: float = CO_THICKNESS_NM_DEFAULT,
                    dipole_m: float = bloch.D12_SCALAR_M, coupling_factor: float = 1.0,
                    orientation_nodes: int = 0) -> bloch.Absorbers:
    """The absorber classes of a run: line shape, then orientation classes, then enhancement."""
    ab = absorbers_for(line, thickness_nm, dipole_m)
    if orientation_nodes:
        ab = bloch.orientation_average(ab, orientation_nodes)
    if coupling_factor != 1.0:
        ab = bloch.enhanced(ab, coupling_factor)
    return ab


def simulate(duration_fs: float, fluences_mj_cm2, *, bandwidth_ev: float = DEFAULT_BANDWIDTH_EV,
             center_ev: float = DEFAULT_CENTER_EV, n_pulses: int = 20, seed: int = 1,
             propagation: str = "thin", n_slices: int = DEFAULT_N_SLICES, levels: int = 3,
             line: str = "atomic", dt_fs: float = DEFAULT_DT_FS,
             thickness_nm: float = CO_THICKNESS_NM_DEFAULT, dipole_m: float = bloch.D12_SCALAR_M,
             absorbers: bloch.Absorbers | None = None, keep_spectra: bool = True,
             decay: str = "ground", recovery_fs: float | None = None, dtype=np.complex128,
             gate_cut: float = GATE_CUT, tail_fs: float = TAIL_FS,
             memory_budget_mb: float = CHUNK_BUDGET_MB) -> MBRun:
    """Run the Maxwell-Bloch model for ``n_pulses`` SASE pulses x all fluences.

    Pulses are generated and integrated in chunks (and the fluences too, each chunk with its own
    linear probe) sized by :func:`estimate_cost`, so the working memory stays within
    ``memory_budget_mb`` whatever the ensemble; spectra kept with ``keep_spectra`` come on top.
    The result does not depend on the chunking (one random stream, drawn in order).
    """
    fl = np.atleast_1d(np.asarray(fluences_mj_cm2, dtype=float))
    if np.any(~np.isfinite(fl)) or np.any(fl <= 0):
        raise ValueError("fluences must be positive and finite")
    ab = absorbers if absorbers is not None else absorbers_for(line, thickness_nm, dipole_m)
    s_eff = n_slices if propagation == "slices" else 1
    gen_chunk = _generation_chunk(duration_fs, dt_fs, memory_budget_mb)
    # RK4 needs the largest Rabi frequency x dt below ~1: halve dt for very strong fields (never at
    # the defaults; e.g. 1e5 mJ/cm^2/fs with the enhanced coupling).  A first pass finds the peak.
    peak = max(float(np.abs(p.envelope).max()) for p in _pulse_chunks(duration_fs, bandwidth_ev, center_ev,
                                                                       n_pulses, seed, gen_chunk))
    u_peak = float(np.abs(bloch.field_to_rabi(pulses_field_per_envelope() * peak, dipole_m)))
    rabi = 2.0 * u_peak * math.sqrt(float(fl.max())) * float(ab.couplings.max())
    while rabi * dt_fs > MAX_RABI_STEP and dt_fs > 2e-3:
        dt_fs *= 0.5
    n_half = _n_half(duration_fs, dt_fs, gate_cut, tail_fs)
    pc, fc = _chunks(n_half, fl.size + 1, s_eff, ab.energy_ev.size, levels, n_pulses,
                     np.dtype(dtype).itemsize, memory_budget_mb)
    parts = []
    energy = None
    for u1, half in _field_batches(duration_fs, bandwidth_ev, center_ev, n_pulses, seed, gen_chunk, pc, dt_fs,
                                   dipole_m, gate_cut, tail_fs):
        row = []
        for j0 in range(0, fl.size, fc):
            energy, part = _run_chunk(u1, half, fl[j0:j0 + fc], ab, center_ev, levels, n_slices, propagation, decay,
                                      recovery_fs, dtype, keep_spectra)
            row.append(part)
        parts.append({k: (np.concatenate([r[k] for r in row], axis=1) if k != "spectra" else
                          (tuple(np.concatenate([r[k][i] for r in row], axis=1) for i in range(3))
                           if keep_spectra else None)) for k in row[0]})
        del u1
    cat = {k: np.concatenate([pt[k] for pt in parts]) for k in parts[0] if k != "spectra"}
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(cat["holes"] > 0, cat["rho33"] / cat["holes"], 0.0)
    if keep_spectra:
        s_in, s_out, s_lin = (np.concatenate([pt["spectra"][i] for pt in parts]) for i in range(3))
    else:
        s_in = s_out = s_lin = np.empty((0,))
    return MBRun(energy, s_in, s_out, s_lin, cat["gain"], cat["absorbed"], frac, cat["rho33"], cat["holes"], fl,
                 float(center_ev), cat["peak_in"], cat["peak_out"], cat["peak_lin"])


def _field_batches(duration_fs, bandwidth_ev, center_ev, n_pulses, seed, gen_chunk, solve_chunk, dt_fs, dipole_m,
                   gate_cut, tail_fs):
    """Unit-fluence fields in batches of ``solve_chunk`` pulses, generated ``gen_chunk`` at a time
    (the generation grid is 10x the pulse and finer than the solver's, so it is kept small)."""
    pending, half = [], None
    for pulses in _pulse_chunks(duration_fs, bandwidth_ev, center_ev, n_pulses, seed, min(gen_chunk, solve_chunk)):
        u1, half, _ = _fields(pulses, dt_fs, dipole_m, duration_fs, gate_cut, tail_fs)
        del pulses
        pending.append(u1)
        if sum(u.shape[0] for u in pending) >= solve_chunk:
            yield np.concatenate(pending), half
            pending = []
    if pending:
        yield np.concatenate(pending), half


def pulses_field_per_envelope() -> float:
    """|E| in V/m per unit of the normalised envelope at 1 mJ/cm^2 (I = c eps0 |E|^2 / 2)."""
    return float(np.sqrt(2.0 / (C_M_S * EPS0_F_M) * MJ_CM2_FS_TO_W_M2))


def _run_chunk(u1, half, fl, ab, center_ev, levels, n_slices, propagation, decay, recovery_fs, dtype, keep):
    """Solve one chunk (pulses x fluences + the linear probe) and reduce it to window sums."""
    all_f = np.concatenate([[LINEAR_PROBE_FLUENCE_MJ_CM2], fl])
    u_half = u1[:, None, :] * np.sqrt(all_f)[None, :, None]
    res = bloch.solve(u_half, half, ab, carrier_ev=center_ev, levels=levels, n_slices=n_slices,
                      propagation=propagation, decay=decay, recovery_fs=recovery_fs, dtype=dtype)
    del u_half
    scale = np.sqrt(fl / LINEAR_PROBE_FLUENCE_MJ_CM2)[None, :, None]
    u_in = res.u_in[:, 1:]
    u_lin = u_in + (res.u_out[:, :1] - res.u_in[:, :1]) * scale
    energy, s_in = _spectra(u_in, 2.0 * half, center_ev)
    _, s_out = _spectra(res.u_out[:, 1:], 2.0 * half, center_ev)
    _, s_lin = _spectra(u_lin, 2.0 * half, center_ev)
    ws = _window(energy, *STIM_WINDOW_EV)
    wa = _window(energy, *ABS_WINDOW_EV)
    wp = np.abs(energy - L3_PEAK_EV) <= PEAK_WINDOW_HALF_EV
    w = res.weights
    fin = res.final
    part = dict(
        gain=np.sum(s_out[..., ws] - s_lin[..., ws], axis=-1),
        absorbed=np.sum(s_in[..., wa] - s_lin[..., wa], axis=-1),
        rho33=np.sum(w * fin["p3"], axis=(-2, -1))[:, 1:] / w.sum(),
        holes=np.sum(w * (fin["q"] + fin["p2"] + fin["p3"]), axis=(-2, -1))[:, 1:] / w.sum(),
        peak_in=s_in[..., wp].sum(-1), peak_out=s_out[..., wp].sum(-1), peak_lin=s_lin[..., wp].sum(-1),
        spectra=(s_in, s_out, s_lin) if keep else None,
    )
    return energy, part


@dataclass(frozen=True)
class GainCurve:
    """Stimulated-RIXS efficiency versus fluence/intensity (fractions, not percent)."""

    model: str
    duration_fs: float
    bandwidth_ev: float
    center_ev: float
    n_pulses: int
    seed: int
    propagation: str
    fluence_mj_cm2: np.ndarray
    intensity_mj_cm2_fs: np.ndarray
    efficiency: np.ndarray
    efficiency_std: np.ndarray
    stimulated_fraction: np.ndarray
    efficiency_definition: str = "window"  # 'window' (the paper's extraction) or 'raman'
    orientation_nodes: int = 0  # 0: field-aligned RMS dipole; n: randomly oriented Eq. 38 dipoles

    def points(self) -> list[dict]:
        """Rows for JSON: fluence, intensity, efficiency, stimulated fraction, std."""
        return [
            {
                "fluence_mj_cm2": float(f),
                "intensity_mj_cm2_fs": float(i),
                "efficiency": float(e),
                "stimulated_fraction": float(s),
                "efficiency_std": float(d),
            }
            for f, i, e, s, d in zip(self.fluence_mj_cm2, self.intensity_mj_cm2_fs, self.efficiency,
                                     self.stimulated_fraction, self.efficiency_std)
        ]


def _efficiency_stats(run: MBRun, gain=None):
    gain = run.gain if gain is None else gain
    eff = gain.sum(axis=0) / run.absorbed.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = gain / run.absorbed
    std = np.nanstd(per, axis=0, ddof=1) if per.shape[0] > 1 else np.zeros(per.shape[1])
    frac = np.sum(run.rho33, axis=0) / np.sum(run.core_holes, axis=0)
    return eff, std, frac


def gain_curve(duration_fs: float, bandwidth_ev: float = DEFAULT_BANDWIDTH_EV,
               center_ev: float = DEFAULT_CENTER_EV, n_pulses: int = 20, seed: int = 1,
               fluences_mj_cm2=None, propagation: str = "thin", *, line: str = "atomic",
               n_slices: int = DEFAULT_N_SLICES, dt_fs: float = DEFAULT_DT_FS,
               efficiency: str = "window", orientation_nodes: int = 0) -> GainCurve:
    """Three-level Maxwell-Bloch efficiency curve (Fig. 5) for one SASE ensemble.

    ``efficiency='window'``: the paper's extraction (gain in 775-777 eV above the linear response over
    the linearly absorbed energy in 777-779 eV); it also contains the two-level reshaping of the
    pulse.  ``'raman'``: the three-level minus the two-level output in the same window (same pulses),
    the stimulated Raman channel alone (two runs).  ``orientation_nodes`` > 0: randomly oriented
    atoms with the Eq. 38 dipole (same linear absorption; systematic factor of the scalar model).
    """
    if efficiency not in ("window", "raman"):
        raise ValueError("efficiency must be 'window' or 'raman'")
    fl = default_fluences() if fluences_mj_cm2 is None else np.asarray(fluences_mj_cm2, dtype=float)
    ab = model_absorbers(line, CO_THICKNESS_NM_DEFAULT, bloch.D12_SCALAR_M, 1.0, orientation_nodes)
    kw = dict(bandwidth_ev=bandwidth_ev, center_ev=center_ev, n_pulses=n_pulses, seed=seed,
              propagation=propagation, n_slices=n_slices, absorbers=ab, dt_fs=dt_fs, keep_spectra=False)
    run = simulate(duration_fs, fl, **kw)
    gain = None
    if efficiency == "raman":
        gain = run.gain - simulate(duration_fs, fl, levels=2, **kw).gain
    eff, std, frac = _efficiency_stats(run, gain)
    return GainCurve("mb", float(duration_fs), float(bandwidth_ev), float(center_ev), int(n_pulses),
                     int(seed), propagation, fl, fl / duration_fs, eff, std, frac, efficiency, int(orientation_nodes))


def khd_gain_curve(duration_fs: float, bandwidth_ev: float = DEFAULT_BANDWIDTH_EV,
                   center_ev: float = DEFAULT_CENTER_EV, n_pulses: int = 20, seed: int = 1,
                   fluences_mj_cm2=None, propagation: str = "thin",
                   spike_bandwidth_ev: float = 8.0, form: str = "saturating") -> GainCurve:
    """KHD stimulated fraction per core hole on the same axes as the MB curve; no spread.

    ``form='eq4'`` is the paper's Eq. 4, n_pk Yf (linear, unbounded); ``'saturating'`` this
    project's extension (1 - exp(-2 n_pk Yf))/2 (at most 1/2).  n_pk uses the effective spike
    bandwidth of :func:`physics.khd.effective_spike_bandwidth_ev` for this pulse (bandwidth and
    duration); centre/pulses/seed are recorded only.
    """
    if form not in ("eq4", "saturating"):
        raise ValueError("form must be 'eq4' or 'saturating'")
    fl = default_fluences() if fluences_mj_cm2 is None else np.asarray(fluences_mj_cm2, dtype=float)
    inten = fl / duration_fs
    n = khd.photon_number(inten, khd.effective_spike_bandwidth_ev(spike_bandwidth_ev, bandwidth_ev, duration_fs))
    s = np.asarray(khd.eq4_stimulated_fraction(n) if form == "eq4" else khd.stimulated_fraction(n), dtype=float)
    return GainCurve("khd-" + form if form == "eq4" else "khd", float(duration_fs), float(bandwidth_ev),
                     float(center_ev), int(n_pulses), int(seed), propagation, fl, inten, s, np.zeros_like(fl), s)


def khd_curves(duration_fs: float, spike_bandwidth_ev: float, bandwidth_ev: float, fluences_mj_cm2=None) -> dict:
    """Both KHD forms for the gain figure (Fig. 5): the paper's Eq. 4 and the saturating extension.

    Default fluences: 121 log-spaced over the fluence slider's range.  Keys: fluence_mj_cm2,
    intensity_mj_cm2_fs, eq4 (n_pk Yf, the paper's KHD), saturating (labelled as an extension),
    spike_bandwidth_ev.
    """
    if fluences_mj_cm2 is None:
        p = BY_NAME["fluence_mj_cm2"]
        fluences_mj_cm2 = np.geomspace(p.minimum, p.maximum, 121)
    fl = np.asarray(fluences_mj_cm2, dtype=float)
    delta = float(khd.effective_spike_bandwidth_ev(spike_bandwidth_ev, bandwidth_ev, duration_fs))
    n = khd.photon_number(fl / duration_fs, delta)
    return {
        "fluence_mj_cm2": fl,
        "intensity_mj_cm2_fs": fl / duration_fs,
        "eq4": np.asarray(khd.eq4_stimulated_fraction(n), dtype=float),
        "saturating": np.asarray(khd.stimulated_fraction(n), dtype=float),
        "spike_bandwidth_ev": delta,
    }


TRANSMISSION_MODELS = MappingProxyType({
    # name: (Rabi-squared enhancement, orientation nodes, caption)
    "atomic": (None, 0, "two-level Bloch, atomic dipole (41.7 Mb, field-aligned RMS), decay to the ground state"),
    "khd": ("khd", 2, "two-level Bloch with the Eq. 4 (KHD) stimulated rate: Rabi frequency squared x 19.5 "
                      "(4 Yf lambda^2 / sigma, the Stohr-Scherz coherent enhancement) and randomly oriented "
                      "Eq. 38 dipoles; linear absorption unchanged; no free parameter"),
})
TRANSMISSION_N_SLICES = 4  # linear transmission within 5e-4 of 10 slices (tested)
TRANSMISSION_DT_FS = 0.2  # two-level transmissions within 1e-3 of dt = 0.1 fs (tested)
TRANSMISSION_GATE_CUT = 1e-3  # the peak-window transmission changes by < 1e-4 against 1e-5 (tested)
TRANSMISSION_TAIL_FS = 10.0


@dataclass(frozen=True)
class TransmissionCurve:
    """Two-level Bloch peak resonant transmission versus intensity (Fig. 6)."""

    duration_fs: float
    intensity_mj_cm2_fs: np.ndarray
    peak_transmission: np.ndarray
    std: np.ndarray  # shot-to-shot standard deviation of single-pulse transmissions
    linear_transmission: float = field(default=float("nan"))
    model: str = "atomic"
    description: str = ""

    def points(self) -> list[dict]:
        return [{"intensity_mj_cm2_fs": float(i), "peak_transmission": float(t)}
                for i, t in zip(self.intensity_mj_cm2_fs, self.peak_transmission)]


def transmission_curve(duration_fs: float, intensities_mj_cm2_fs=None,
                       bandwidth_ev: float = DEFAULT_BANDWIDTH_EV, center_ev: float = DEFAULT_CENTER_EV,
                       n_pulses: int = 8, seed: int = 1, *, line: str = "xas",
                       n_slices: int = TRANSMISSION_N_SLICES, dt_fs: float = TRANSMISSION_DT_FS,
                       model: str = "atomic", orientation_nodes: int | None = None, decay: str = "ground",
                       recovery_fs: float | None = None, precision: str = "single") -> TransmissionCurve:
    """Peak resonant transmission of the 25 nm film for SASE pulses (two-level Bloch, Fig. 6).

    Slice-by-slice propagation (the low-intensity limit is the measured 0.345).  ``model``:
    'atomic' (the atomic dipole: 0.345 -> 0.35 at 300 mJ/cm^2/fs) or 'khd' (the option that
    reproduces the paper's Fig. 6 rise without a free parameter: about 0.58 at 300 mJ/cm^2/fs),
    see :data:`TRANSMISSION_MODELS` and docs/maxwell_bloch.md.  ``decay='dark'`` lets the core hole
    decay out of the two-level system (``recovery_fs``: back to the ground state).  ``precision``
    'single' runs the solver in complex64 (transmissions within 1e-4 of 'double').
    """
    if model not in TRANSMISSION_MODELS:
        raise ValueError("model must be one of " + ", ".join(TRANSMISSION_MODELS))
    factor_name, nodes, caption = TRANSMISSION_MODELS[model]
    factor = khd.khd_bloch_factor() if factor_name == "khd" else 1.0
    nodes = nodes if orientation_nodes is None else int(orientation_nodes)
    inten = default_intensities() if intensities_mj_cm2_fs is None else np.asarray(intensities_mj_cm2_fs, dtype=float)
    ab = model_absorbers(line, CO_THICKNESS_NM_DEFAULT, bloch.D12_SCALAR_M, factor, nodes)
    run = simulate(duration_fs, inten * duration_fs, bandwidth_ev=bandwidth_ev, center_ev=center_ev,
                   n_pulses=n_pulses, seed=seed, propagation="slices", n_slices=n_slices, levels=2,
                   absorbers=ab, dt_fs=dt_fs, keep_spectra=False, decay=decay, recovery_fs=recovery_fs,
                   dtype=np.complex64 if precision == "single" else np.complex128,
                   gate_cut=TRANSMISSION_GATE_CUT, tail_fs=TRANSMISSION_TAIL_FS)
    out, inc = run.peak_out, run.peak_in
    t = out.sum(axis=0) / inc.sum(axis=0)
    std = np.std(out / inc, axis=0, ddof=1) if n_pulses > 1 else np.zeros_like(t)
    return TransmissionCurve(float(duration_fs), inten, t, std, float(run.peak_lin.sum() / inc.sum()), model, caption)


def paper_fig6_points() -> list[dict]:
    """The paper's Fig. 6 numbers for plotting: 32 % at low intensity, about 62 % at 300 mJ/cm^2/fs."""
    i, t = PAPER_FIG6_POINT
    return [
        {"intensity_mj_cm2_fs": None, "peak_transmission": PAPER_SPONTANEOUS_PEAK_TRANSMISSION,
         "label": "paper: 32 % at low intensity"},
        {"intensity_mj_cm2_fs": i, "peak_transmission": t, "label": f"paper: {t:.0%} at {i:g} mJ/cm²/fs"},
    ]


def measured_points() -> list[dict]:
    """Published raw stimulated-RIXS efficiencies (Fig. 5), fractions, for plotting."""
    return [
        {
            "duration_fs": d,
            "fluence_mj_cm2": f,
            "intensity_mj_cm2_fs": f / d,
            "efficiency": e,
            "efficiency_err": err,
            "label": f"measured {d:g} fs",
        }
        for d, f, e, err in MEASURED_EFFICIENCIES
    ]


def model_derived_point() -> dict:
    """The paper's model-derived stimulated fraction: about 20 % at 300 mJ/cm^2/fs."""
    i, s = MODEL_DERIVED_EFFICIENCY
    return {"intensity_mj_cm2_fs": i, "stimulated_fraction": s, "label": "model-derived (paper)"}
