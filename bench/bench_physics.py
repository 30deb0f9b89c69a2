"""Benchmark: one full analytic evaluation (all spectra and channels for one parameter set).

Goal (issue 2): 10 ms or less on the 2-core machines.  Prints figures, asserts nothing.
The reference measured in the same run is the bare Beer-Lambert transmission on the same grid,
so the ratio says how much the whole model costs relative to the simplest spectrum.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from common import median_ms  # noqa: E402


def main() -> None:
    t0 = time.perf_counter()
    import scipy.optimize  # noqa: F401  (numpy/scipy import, counted apart from the engine's)
    import scipy.special  # noqa: F401

    t1 = time.perf_counter()
    from physics import channels, model, spectra

    import_s = time.perf_counter() - t1
    scipy_s = t1 - t0
    e = spectra.energy_grid()
    rng = np.random.default_rng(0)

    def random_params():
        return dict(
            fluence_mj_cm2=float(10 ** rng.uniform(-1, 4)), duration_fs=float(rng.uniform(1, 100)),
            center_ev=float(rng.uniform(765, 795)), bandwidth_ev=float(rng.uniform(0.5, 20)),
        )

    ref = median_ms(lambda: spectra.resonant_transmission(e))
    mean_default = median_ms(lambda: model.evaluate())
    mean_random = median_ms(lambda: model.evaluate(random_params()))
    single = median_ms(lambda: model.evaluate(dict(spectrum_mode="single")), repeat=100)
    summary = median_ms(lambda: model.summary(model.evaluate()))
    calibrate = median_ms(channels._calibrate, repeat=3)
    curve = median_ms(lambda: model.peak_transmission_curve(), repeat=10)
    print(f"import numpy + scipy                     {scipy_s * 1e3:8.1f} ms")
    print(f"import physics.model                     {import_s * 1e3:8.1f} ms (once per process, with the calibration)")
    print(f"calibration solve at import              {calibrate:8.1f} ms")
    print(f"reference: Beer-Lambert T(E), 601 points {ref:8.3f} ms")
    print(f"full evaluation, defaults (ensemble mean) {mean_default:8.3f} ms  "
          f"({mean_default / ref:.0f}x reference; goal <= 10 ms)")
    print(f"full evaluation, random parameters       {mean_random:8.3f} ms")
    print(f"full evaluation, single SASE shot        {single:8.3f} ms")
    print(f"evaluation + summary                     {summary:8.3f} ms")
    print(f"Fig. 6 analytic curve (18 intensities)   {curve:8.1f} ms (model.peak_transmission_curve)")


if __name__ == "__main__":
    main()
