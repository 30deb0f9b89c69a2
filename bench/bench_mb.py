"""Benchmark of the Maxwell-Bloch engine (plain script: ``python bench/bench_mb.py``).

Prints, all measured in this run (medians of interleaved repeats, so a busy machine slows the
reference and the job alike):
* the paper's Fig. 5 workload (5 fs and 25 fs, 24 fluences, 20 SASE pulses each, dt = 0.1 fs)
  against the goal of 1.0 s, and one curve (goal 0.5 s);
* the two-level transmission curve (Fig. 6: 11 intensities x 8 pulses, 4 slices x 16 absorber
  classes) and its 'khd' option (x 2 orientation classes) as a ratio to the 5 fs gain curve
  (goal <= 2);
* the per-trajectory speed ratio against QuTiP mesolve on the same pulses (goal >= 100x) with the
  largest population difference;
* the peak memory of the worst job the parameter bounds allow (200 pulses, 100 fs), measured in a
  subprocess (tracemalloc peak and the process's maximum resident set), against 500 MB, next to
  the cost model's estimate;
* the efficiencies at the two measured points (seeds 1-3), thin slab and slices, pure Raman and
  orientation-averaged, and the Fig. 6 table of assumptions (docs/maxwell_bloch.md).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from physics import bloch, khd  # noqa: E402
from physics import maxwell_bloch as mb  # noqa: E402
from physics.constants import CORE_HOLE_WIDTH_EV, HBAR_EV_FS, MEASURED_EFFICIENCIES  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def fig5_workload():
    return [mb.gain_curve(d, n_pulses=20, seed=1) for d in (5.0, 25.0)]


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleaved(jobs: dict, repeats: int = 3) -> dict:
    """Median wall time of each job, the jobs taking turns so that machine load hits all alike."""
    times = {k: [] for k in jobs}
    for _ in range(repeats):
        for k, fn in jobs.items():
            times[k].append(timed(fn))
    return {k: statistics.median(v) for k, v in times.items()}


def qutip_trajectory(u_fine, half_fine, t_every, carrier, e2):
    import qutip

    tf = np.arange(u_fine.size) * half_fine
    b = [qutip.basis(3, i) for i in range(3)]
    x = -(b[1] * b[0].dag() + b[0] * b[1].dag()) - (b[1] * b[2].dag() + b[2] * b[1].dag())
    y = -1j * (b[1] * b[0].dag() - b[0] * b[1].dag()) - 1j * (b[1] * b[2].dag() - b[2] * b[1].dag())
    h0 = (e2 - carrier) / HBAR_EV_FS * b[1] * b[1].dag() + 2.0 / HBAR_EV_FS * b[2] * b[2].dag()
    h = qutip.QobjEvo([h0, [x, qutip.coefficient(u_fine.real.copy(), tlist=tf)],
                       [y, qutip.coefficient(u_fine.imag.copy(), tlist=tf)]])
    c = [np.sqrt(CORE_HOLE_WIDTH_EV / HBAR_EV_FS) * b[0] * b[1].dag()]
    out = qutip.mesolve(h, b[0] * b[0].dag(), tf[::t_every], c_ops=c,
                        options={"atol": 1e-10, "rtol": 1e-8, "nsteps": 100000, "max_step": 0.05})
    return np.real(np.diag(out.states[-1].full()))


WORST_JOBS = {
    # name: (python statement run in a fresh process, its cost estimate)
    "gain, 100 fs, 200 pulses, 24 fluences, 10 slices (CLI --propagation slices)": (
        "mb.gain_curve(100.0, n_pulses=200, propagation='slices')",
        lambda: mb.estimate_cost(100.0, 200, 24, propagation="slices")),
    "transmission, 100 fs, 200 pulses, 11 intensities, khd (4 slices x 32 classes)": (
        "mb.transmission_curve(100.0, n_pulses=200, model='khd')",
        lambda: mb.transmission_estimate(100.0, 200, 11, "khd")),
}

_MEMORY_PROBE = """
import json, resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
from physics import maxwell_bloch as mb
tracemalloc.start()
t0 = time.perf_counter()
{stmt}
seconds = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps(dict(traced_mb=peak / 1e6, maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
                      seconds=seconds)))
"""


def worst_job_memory(stmt: str) -> dict:
    code = _MEMORY_PROBE.format(root=ROOT, stmt=stmt)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    print("# Maxwell-Bloch benchmark (numpy RK4; gain curves: dt 0.1 fs, thin slab, atomic line)")
    mb.gain_curve(5.0, n_pulses=2, fluences_mj_cm2=[1.0])  # warm-up (imports, FFT plans)
    mb.transmission_curve(5.0, [1.0], n_pulses=1)
    t = interleaved({
        "fig5": fig5_workload,
        "gain5": lambda: mb.gain_curve(5.0, n_pulses=20, seed=1),
        "gain25": lambda: mb.gain_curve(25.0, n_pulses=20, seed=1),
        "trans": lambda: mb.transmission_curve(25.0),
        "trans_khd": lambda: mb.transmission_curve(25.0, model="khd"),
    })
    n_traj = 2 * 24 * 20
    verdict = "met" if t["fig5"] <= 1.0 else f"missed by {t['fig5'] - 1.0:.2f} s"
    print(f"Fig. 5 workload (2 x 24 fluences x 20 pulses = {n_traj} trajectories): {t['fig5']:.2f} s "
          f"(goal 1.0 s: {verdict})")
    for d, key in ((5.0, "gain5"), (25.0, "gain25")):
        print(f"one curve, {d:g} fs (24 fluences x 20 pulses): {t[key]:.2f} s "
              f"(goal 0.5 s: {'met' if t[key] <= 0.5 else 'missed'})")
    for key, label in (("trans", "atomic"), ("trans_khd", "khd option")):
        ratio = t[key] / t["gain5"]
        print(f"transmission curve, 25 fs, {label} (11 intensities x 8 pulses, 4 slices x "
              f"{16 if key == 'trans' else 32} classes): {t[key]:.2f} s = {ratio:.2f} x the 5 fs gain curve "
              f"(goal <= 2: {'met' if ratio <= 2.0 else 'missed'})")
    t_slices = timed(lambda: mb.gain_curve(25.0, n_pulses=20, seed=1, propagation="slices"))
    print(f"one curve, 25 fs, slices ({mb.DEFAULT_N_SLICES} slices): {t_slices:.2f} s")

    # --- cost model against measurement -------------------------------------------------
    for label, meas, est in (
        ("gain 5 fs", t["gain5"], mb.estimate_cost(5.0, 20, 24)),
        ("gain 25 fs", t["gain25"], mb.estimate_cost(25.0, 20, 24)),
        ("gain 25 fs slices", t_slices, mb.estimate_cost(25.0, 20, 24, propagation="slices")),
        ("transmission atomic", t["trans"], mb.transmission_estimate(25.0)),
        ("transmission khd", t["trans_khd"], mb.transmission_estimate(25.0, model="khd")),
    ):
        print(f"cost model, {label}: estimate {est['seconds']:.2f} s, measured {meas:.2f} s "
              f"(ratio {meas / est['seconds']:.2f})")

    # --- QuTiP on the same pulses ----------------------------------------------------
    carrier = mb.DEFAULT_CENTER_EV
    ab = bloch.atomic_absorber()
    n_q = 3
    fluence = 9343.0
    u, half, t0c = mb._pulse_fields(25.0, 4.0, carrier, n_q, 1, 0.1, bloch.D12_SCALAR_M)
    uf, halff, t0f = mb._pulse_fields(25.0, 4.0, carrier, n_q, 1, 0.025, bloch.D12_SCALAR_M)
    i0 = int(round((t0c - t0f) / halff))
    uf = uf[:, i0: i0 + 4 * (u.shape[-1] - 1) + 1] * np.sqrt(fluence)
    u = u * np.sqrt(fluence)
    res = bloch.solve(u, half, ab, carrier_ev=carrier)
    ours = np.stack([res.final[k][:, 0, 0] for k in ("p1", "p2", "p3")], axis=-1)
    t_q = timed(lambda: np.array([qutip_trajectory(uf[i], halff, 4, carrier, ab.energy_ev[0]) for i in range(n_q)]))
    ref = np.array([qutip_trajectory(uf[i], halff, 4, carrier, ab.energy_ev[0]) for i in range(n_q)])
    t_q /= n_q
    t_ours = t["fig5"] / n_traj
    window = (u.shape[-1] - 1) * half
    print(f"QuTiP mesolve: {t_q:.3f} s per {window:.0f} fs trajectory (25 fs pulse); ours {t_ours * 1e3:.2f} ms "
          f"per trajectory in the Fig. 5 batch -> speed ratio {t_q / t_ours:.0f}x (goal >= 100x)")
    print(f"max population difference vs QuTiP ({n_q} pulses, {fluence:g} mJ/cm^2): {np.abs(ours - ref).max():.1e} "
          f"(rho33 = {ours[:, 2].max():.2e})")

    # --- peak memory of the worst allowed jobs (fresh processes) --------------------------
    for label, (stmt, estimate) in WORST_JOBS.items():
        est = estimate()
        m = worst_job_memory(stmt)
        print(f"worst job '{label}': tracemalloc peak {m['traced_mb']:.0f} MB, max RSS {m['maxrss_mb']:.0f} MB "
              f"(goal < 500 MB: {'met' if m['maxrss_mb'] < 500 else 'missed'}); "
              f"estimate {est['peak_memory_mb']:.0f} MB "
              f"in {est['n_chunks']} chunks; {m['seconds']:.1f} s (estimate {est['seconds']:.1f} s)")

    # --- physics figures ---------------------------------------------------------------
    print("\n# MB efficiency at the measured points (4 eV FWHM at 777.63 eV, 20 pulses; window = the paper's "
          "extraction, as the authors' raw 5.2 % / 3.3 %)")
    for d, f, meas, err in MEASURED_EFFICIENCIES:
        for seed in (1, 2, 3):
            thin = mb.gain_curve(d, fluences_mj_cm2=[f], n_pulses=20, seed=seed)
            sl = mb.gain_curve(d, fluences_mj_cm2=[f], n_pulses=20, seed=seed, propagation="slices")
            print(f"{d:g} fs, {f:g} mJ/cm^2, seed {seed}: thin {thin.efficiency[0]:.4f} +- "
                  f"{thin.efficiency_std[0]:.4f} (shot spread), slices {sl.efficiency[0]:.4f}; "
                  f"measured {meas:.3f} +- {err:.3f} -> measured/thin = {meas / thin.efficiency[0]:.1f}x; "
                  f"stimulated fraction {thin.stimulated_fraction[0]:.4f}")
        kw = dict(fluences_mj_cm2=[f], n_pulses=20, seed=1)
        raman = mb.gain_curve(d, efficiency="raman", **kw).efficiency[0]
        orient = mb.gain_curve(d, orientation_nodes=3, **kw).efficiency[0]
        both = mb.gain_curve(d, efficiency="raman", orientation_nodes=3, **kw).efficiency[0]
        print(f"{d:g} fs, seed 1: pure Raman {raman:.4f}; orientation-averaged {orient:.4f}; both {both:.4f}")
    i = 300.0
    print(f"KHD at {i:g} mJ/cm^2/fs, 8 eV: Eq. 4 {float(khd.eq4_stimulated_fraction(khd.photon_number(i))):.3f}, "
          f"saturating {float(khd.stimulated_fraction(khd.photon_number(i))):.3f}; Eq. 4 / Bloch rate "
          f"{khd.khd_bloch_factor():.1f} (4 pi Gamma_X / Gamma_XAS = {khd.khd_bloch_factor_from_widths():.2f})")

    print("\n# Fig. 6: peak transmission at 0.01 / 100 / 300 / 1000 mJ/cm^2/fs (25 fs, 4 eV SASE, 8 pulses, seed 1)")
    variants = {
        "atomic dipole (today)": dict(model="atomic"),
        "+ random orientation (Eq. 38 dipole, 3 nodes)": dict(model="atomic", orientation_nodes=3),
        "+ Eq. 4 rate only (x19.5)": dict(model="khd", orientation_nodes=0),
        "khd option (Eq. 4 rate + orientation, 2 nodes)": dict(model="khd"),
        "khd option, 3 orientation nodes": dict(model="khd", orientation_nodes=3),
        "core hole decays out of the 2 levels (no recovery)": dict(model="atomic", decay="dark"),
        "... returning after 10 fs": dict(model="atomic", decay="dark", recovery_fs=10.0),
        "khd option + dark decay, 10 fs recovery": dict(model="khd", decay="dark", recovery_fs=10.0),
        "khd option, 8 eV SASE": dict(model="khd", bandwidth_ev=8.0),
    }
    for label, kw in variants.items():
        c = mb.transmission_curve(25.0, [0.01, 100.0, 300.0, 1000.0], n_pulses=8, seed=1, **kw)
        print(f"{label:52s} " + " ".join(f"{x:.3f}" for x in c.peak_transmission)
              + f"  (shot std at 300: {c.std[2]:.3f})")
    for seed in (2, 3):
        c = mb.transmission_curve(25.0, [300.0], n_pulses=20, seed=seed, model="khd")
        c5 = mb.transmission_curve(5.0, [300.0], n_pulses=20, seed=seed, model="khd")
        print(f"khd option, 20 pulses, seed {seed}: 25 fs {c.peak_transmission[0]:.3f}, "
              f"5 fs {c5.peak_transmission[0]:.3f}")


if __name__ == "__main__":
    main()
