"""Benchmark of the Maxwell-Bloch engine (plain script: ``python bench/bench_mb.py``).

Prints: the wall time of the paper's Fig. 5 workload (5 fs and 25 fs, 24 fluences, 20 SASE
pulses each, dt = 0.1 fs, converged to < 0.5 %) against the goal of 1.0 s; the time of one curve
(goal 0.5 s); the per-trajectory speed ratio against QuTiP mesolve on the same pulses, measured
in this run (goal >= 100x) with the largest population difference; the peak memory (goal < 500 MB);
the efficiencies at the two measured points (seed 1) and the thin-slab / slices comparison.
"""
from __future__ import annotations

import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from physics import bloch  # noqa: E402
from physics import maxwell_bloch as mb
from physics.constants import CORE_HOLE_WIDTH_EV, HBAR_EV_FS, MEASURED_EFFICIENCIES  # noqa: E402


def fig5_workload():
    return [mb.gain_curve(d, n_pulses=20, seed=1) for d in (5.0, 25.0)]


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


def main():
    print("# Maxwell-Bloch benchmark (numpy RK4, dt = 0.1 fs, thin slab, atomic line)")
    mb.gain_curve(5.0, n_pulses=2, fluences_mj_cm2=[1.0])  # warm-up (imports, FFT plans)
    t0 = time.perf_counter()
    curves = fig5_workload()
    t_fig5 = time.perf_counter() - t0
    n_traj = 2 * 24 * 20
    print(f"Fig. 5 workload (2 x 24 fluences x 20 pulses = {n_traj} trajectories): {t_fig5:.2f} s "
          f"(goal 1.0 s: {'met' if t_fig5 <= 1.0 else f'missed by {t_fig5 - 1.0:.2f} s'})")
    for d in (5.0, 25.0):
        t0 = time.perf_counter()
        mb.gain_curve(d, n_pulses=20, seed=1)
        t1 = time.perf_counter() - t0
        print(f"one curve, {d:g} fs (24 fluences x 20 pulses): {t1:.2f} s "
              f"(goal 0.5 s: {'met' if t1 <= 0.5 else 'missed'})")
    t0 = time.perf_counter()
    mb.gain_curve(25.0, n_pulses=20, seed=1, propagation="slices")
    print(f"one curve, 25 fs, slices ({mb.DEFAULT_N_SLICES} slices): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    mb.gain_curve(25.0, n_pulses=20, seed=1, line="xas")
    print(f"one curve, 25 fs, inhomogeneous XAS line (18 classes): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    mb.transmission_curve(25.0)
    print(f"transmission curve, 25 fs (11 intensities x 8 pulses, 10 slices x 18 classes): "
          f"{time.perf_counter() - t0:.2f} s")

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
    t0 = time.perf_counter()
    ref = np.array([qutip_trajectory(uf[i], halff, 4, carrier, ab.energy_ev[0]) for i in range(n_q)])
    t_q = (time.perf_counter() - t0) / n_q
    t_ours = t_fig5 / n_traj
    window = (u.shape[-1] - 1) * half
    print(f"QuTiP mesolve: {t_q:.3f} s per {window:.0f} fs trajectory (25 fs pulse); ours {t_ours * 1e3:.2f} ms "
          f"per trajectory in the Fig. 5 batch -> speed ratio {t_q / t_ours:.0f}x (goal >= 100x)")
    print(f"max population difference vs QuTiP ({n_q} pulses, {fluence:g} mJ/cm^2): {np.abs(ours - ref).max():.1e} "
          f"(rho33 = {ours[:, 2].max():.2e})")

    # --- peak memory -----------------------------------------------------------------
    tracemalloc.start()
    fig5_workload()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of the Fig. 5 workload (tracemalloc): {peak / 1e6:.0f} MB (goal < 500 MB)")

    # --- physics figures ---------------------------------------------------------------
    print("\n# MB efficiency at the measured points (4 eV FWHM at 777.63 eV, 20 pulses)")
    for d, f, meas, err in MEASURED_EFFICIENCIES:
        for seed in (1, 2, 3):
            thin = mb.gain_curve(d, fluences_mj_cm2=[f], n_pulses=20, seed=seed)
            sl = mb.gain_curve(d, fluences_mj_cm2=[f], n_pulses=20, seed=seed, propagation="slices")
            print(f"{d:g} fs, {f:g} mJ/cm^2, seed {seed}: thin {thin.efficiency[0]:.4f} +- "
                  f"{thin.efficiency_std[0]:.4f} (shot spread), slices {sl.efficiency[0]:.4f}; "
                  f"measured {meas:.3f} +- {err:.3f} -> measured/thin = {meas / thin.efficiency[0]:.1f}x; "
                  f"stimulated fraction {thin.stimulated_fraction[0]:.4f}")
    c5, c25 = curves
    i = int(np.argmin(np.abs(c25.intensity_mj_cm2_fs - 300.0)))
    print(f"25 fs at {c25.intensity_mj_cm2_fs[i]:.0f} mJ/cm^2/fs: MB efficiency {c25.efficiency[i]:.4f}, "
          f"KHD {mb.khd_gain_curve(25.0).efficiency[i]:.3f} (paper model-derived 0.20)")


if __name__ == "__main__":
    main()
