"""The latency evidence of the judge: mean log-latency shift and tail exceedances.

Glues the burn-in, the running sums and the closed-form mixture of ``judge_latency`` into
per-request log e-values, and feeds requests past the frozen baseline quantile to a count
test (``judge_counts``) for the tail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hotfix.domain.judge.counts import CountEvidence
from hotfix.domain.judge.latency import Burnin, ShiftStats, Sums, bound_offset, half_normal_log_e
from hotfix.domain.judge.mixture import Bools, Floats


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
    tolerance: float
    tau: float
    tail: CountEvidence
    sums: Sums = field(default_factory=Sums)

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
                return self._with_tail(reg, ni, canary, y, np.zeros(n, dtype=bool))
            held_c, held_y = self.burnin.release()
            self.sums.cumulative(held_c, held_y, np.ones(held_c.size, dtype=bool))
            reg[end], ni[end] = self.log_e()
            start = end + 1
        part = slice(start, n)
        seg_use = use[part]
        clipped = np.where(seg_use, self.burnin.clip(np.nan_to_num(y[part])), 0.0)
        stats = ShiftStats.of(self.sums.cumulative(canary[part], clipped, seg_use))
        reg[part], ni[part] = self._log_e(stats)
        after = np.arange(n) >= start
        return self._with_tail(reg, ni, canary, y, use & after)

    def log_e(self) -> tuple[float, float]:
        stats = self.stats()
        reg, ni = self._log_e(stats)
        return float(reg[0]), float(ni[0])

    def stats(self) -> ShiftStats:
        s = self.sums
        one = [np.array([v]) for v in (s.n[0], s.n[1], s.s[0], s.s[1], s.q[0], s.q[1])]
        return ShiftStats.of(tuple(one))

    def bounds(self, alpha: float) -> tuple[float, float]:
        """Anytime-valid (1 − α) bounds on the ratio of geometric-mean latencies."""
        stats = self.stats()
        width = bound_offset(float(stats.info[0]), self.tau, alpha)
        diff = float(stats.diff[0])
        return float(np.exp(diff - width)), float(np.exp(diff + width))

    def _log_e(self, stats: ShiftStats) -> tuple[Floats, Floats]:
        if not self.burnin.done:
            zero = np.zeros(stats.diff.size)
            return zero, zero
        a_reg = stats.info * stats.diff
        a_ni = stats.info * (self.null_ni - stats.diff)
        return (
            half_normal_log_e(a_reg, stats.info, self.tau),
            half_normal_log_e(a_ni, stats.info, self.tau),
        )

    def _with_tail(
        self, reg: Floats, ni: Floats, canary: Bools, y: Floats, use: Bools
    ) -> LatencyPaths:
        threshold = self.burnin.threshold
        slow = y > threshold if threshold is not None else np.zeros(y.size, dtype=bool)
        tail_reg, tail_ni = self.tail.feed(canary, slow & use, use)
        return LatencyPaths(reg=reg, ni=ni, tail_reg=tail_reg, tail_ni=tail_ni)
