"""The latency evidence of the judge: mean log-latency shift and tail exceedances.

Glues the burn-in, the running sums and the closed-form mixture of ``judge_latency`` into
per-request log e-values, and feeds requests past the frozen baseline quantile to a count
test (``judge_counts``) for the tail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hotfix.domain.judge.counts import CountEvidence
from hotfix.domain.judge.latency import (
    Burnin,
    ShiftStats,
    Strata,
    TailThreshold,
    bound_offset,
    grid_log_e,
    half_normal_log_e,
    shift_grid,
)
from hotfix.domain.judge.mixture import Bools, Floats, Grid


@dataclass(frozen=True)
class LatencyPaths:
    """Per-request log e-values of the four latency tests."""

    reg: Floats
    ni: Floats
    tail_reg: Floats
    tail_ni: Floats


@dataclass
class LatencyEvidence:
    burnin: Burnin
    strata: Strata
    threshold: TailThreshold
    tolerance: float
    tau: float
    tail: CountEvidence
    grid: Grid = field(init=False)

    def __post_init__(self) -> None:
        self.grid = shift_grid(self.tau)

    @property
    def null_ni(self) -> float:
        return float(np.log1p(self.tolerance))

    def feed(self, canary: Bools, y: Floats, use: Bools) -> LatencyPaths:
        """Add requests (``y`` log-latency, ``use`` where it counts); per-request log E."""
        n = canary.size
        reg, ni = np.zeros(n), np.zeros(n)
        start = 0
        if not self.burnin.done:
            end = self.burnin.take(canary, y, use)
            if end < 0:
                return self._with_tail(reg, ni, canary, y, use)
            self.strata.feed(*self.burnin.release())
            reg[end], ni[end] = self.log_e()
            start = end + 1
        part = slice(start, n)
        seg_use = use[part]
        clipped = np.where(seg_use, self.burnin.clip(np.nan_to_num(y[part])), 0.0)
        stats = self.strata.feed(canary[part], clipped, seg_use)
        reg[part], ni[part] = self.log_e_of(stats)
        return self._with_tail(reg, ni, canary, y, use)

    def log_e(self) -> tuple[float, float]:
        reg, ni = self.log_e_of(self.stats())
        return float(reg[0]), float(ni[0])

    def stats(self) -> ShiftStats:
        return ShiftStats.of(self.strata.totals())

    def bounds(self, alpha: float) -> tuple[float, float]:
        """Anytime-valid (1 − α) bounds on the ratio of geometric-mean latencies."""
        stats = self.stats()
        width = bound_offset(float(stats.info[0]), self.tau, alpha)
        diff = float(stats.diff[0])
        return float(np.exp(diff - width)), float(np.exp(diff + width))

    def log_e_of(self, stats: ShiftStats) -> tuple[Floats, Floats]:
        if not self.burnin.done:
            zero = np.zeros(stats.diff.size)
            return zero, zero
        a_reg = stats.info * stats.diff
        a_ni = stats.info * (self.null_ni - stats.diff)
        return (
            grid_log_e(a_reg, stats.info, self.grid),
            half_normal_log_e(a_ni, stats.info, self.tau),
        )

    def _with_tail(
        self, reg: Floats, ni: Floats, canary: Bools, y: Floats, use: Bools
    ) -> LatencyPaths:
        first = self.threshold.take(canary, y, use)
        limit = self.threshold.threshold
        counted = use & (np.arange(canary.size) >= first)
        slow = counted & (y > limit) if limit is not None else np.zeros(y.size, dtype=bool)
        tail_reg, tail_ni = self.tail.feed(canary, slow, counted)
        return LatencyPaths(reg=reg, ni=ni, tail_reg=tail_reg, tail_ni=tail_ni)
