"""Benchmark: server time of a full magnetic-scattering page update (issue 8).

Goal: <= 50 ms for one uncached ``scattering_model.evaluate`` on a 512² pattern whose pattern
(``prepare_pattern``: domain map + FFT + radial profile) is cached per (pattern parameters, seed), as
the page does.  Also prints the pattern generation itself (paid once per pattern change), the
M3TM option, and memory (peak traced allocations and the process's resident set).
Prints figures, asserts nothing.
"""
from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from common import median_p90_ms  # noqa: E402


def main() -> None:
    t0 = time.perf_counter()
    from physics import scattering_model as sm
    from physics import scattering_parameters as sp

    import_s = time.perf_counter() - t0
    base = sp.TABLE.defaults()
    print(f"import physics.scattering_model: {import_s * 1e3:.0f} ms (once per worker)")

    for pattern in ("labyrinth", "stripes"):
        p = dict(base, pattern=pattern)
        med, p90 = median_p90_ms(lambda p=p: sm.prepare_pattern(p), 10)
        print(f"pattern generation {pattern:9s} 512² (cached by the caller): median {med:6.1f} ms, p90 {p90:6.1f} ms")

    prepared = sm.prepare_pattern(base)
    delays = [-5.0, 0.3, 1.0, 9.0, 100.0, 1500.0]
    state = {"i": 0}

    def page_update():  # the delay slider moves: new delay, same cached pattern
        state["i"] += 1
        sm.evaluate(dict(base, delay_ps=delays[state["i"] % len(delays)]), prepared)

    med, p90 = median_p90_ms(page_update, 40)
    print(f"full page update, pattern cached (goal <= 50 ms):    median {med:6.1f} ms, p90 {p90:6.1f} ms")
    for label, extra in (("source fel", dict(source="fel")), ("source custom", dict(source="custom")),
                         ("ring shift on", dict(ring_shift_percent=-2.0)),
                         ("M3TM option", dict(dynamics_model="m3tm", absorbed_fluence_mj_cm2=3.0))):
        med, p90 = median_p90_ms(lambda extra=extra: sm.evaluate(dict(base, **extra), prepared), 20)
        print(f"  {label:15s}                                     median {med:6.1f} ms, p90 {p90:6.1f} ms")
    med, p90 = median_p90_ms(lambda: sm.evaluate(base), 10)
    print(f"full page update, pattern NOT cached:                median {med:6.1f} ms, p90 {p90:6.1f} ms")

    tracemalloc.start()
    prepared2 = sm.prepare_pattern(base)
    sm.evaluate(base, prepared2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    arrays = [prepared2.structure.image, prepared2.structure.map_display, prepared2.pattern.m_z,
              prepared2.structure.profile_mean, prepared2.structure.profile_sum, prepared2.structure.q_nm_inv]
    cached_mb = sum(a.nbytes for a in arrays) / 2**20
    print(f"memory: one cached pattern {cached_mb:.1f} MB; peak traced during prepare+evaluate {peak / 2**20:.1f} MB; "
          f"process max RSS {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
