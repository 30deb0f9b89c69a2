"""Per-job cost budget: admit, degrade (fewer SASE pulses) or reject a job before it starts.

A job kind supplies ``estimate(n_pulses) -> Estimate`` (peak resident bytes of the job process
and seconds on one core); :func:`plan` picks the largest ensemble that fits the budget.  Nothing
here knows the physics: the estimate comes from the caller (components.mb_jobs).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Estimate:
    peak_bytes: float
    seconds: float


@dataclass(frozen=True)
class Budget:
    max_bytes: float = 500 * 2**20  # the stated cap on any allowed job's peak memory
    max_seconds: float = 60.0

    def fits(self, est: Estimate) -> bool:
        return est.peak_bytes <= self.max_bytes and est.seconds <= self.max_seconds


@dataclass(frozen=True)
class Plan:
    requested: int
    n_pulses: int
    estimate: Estimate

    @property
    def degraded(self) -> bool:
        return self.n_pulses < self.requested


class OverBudget(ValueError):
    """Even the smallest ensemble exceeds the budget."""


def plan(requested: int, estimate: Callable[[int], Estimate], budget: Budget) -> Plan:
    """The largest ``n <= requested`` whose estimate fits ``budget`` (estimates grow with n)."""
    requested = max(1, int(requested))
    est = estimate(requested)
    if budget.fits(est):
        return Plan(requested, requested, est)
    if not budget.fits(estimate(1)):
        one = estimate(1)
        raise OverBudget(f"even one pulse needs about {one.peak_bytes / 2**20:.0f} MB and {one.seconds:.0f} s "
                         f"(budget {budget.max_bytes / 2**20:.0f} MB, {budget.max_seconds:.0f} s)")
    lo, hi = 1, requested  # estimate(lo) fits, estimate(hi) does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if budget.fits(estimate(mid)):
            lo = mid
        else:
            hi = mid
    return Plan(requested, lo, estimate(lo))
