"""Aggregates as judge input: per-interval counts and latency histograms, per version.

Monitoring systems (Prometheus, Datadog, New Relic) report what happened in an interval,
not each request. An ``Interval`` holds, for the canary and the baseline, the requests and
errors counted in it and, optionally, a latency histogram (requests per bucket). The judge
takes a sequence of them as first-class input (``Judge.update_intervals``):

- **errors**: each interval is one block of the conditional-binomial count test
  (``counts.py``): given the m bad events of the interval, the canary's x of them are at most
  Binomial(m, ρ) with ρ the canary's share of the interval's requests. The interval
  partition is fixed by the clock, not by the outcomes, so the product over intervals is an
  e-process exactly as with blocks of requests.
- **slow requests (tail)**: "slower than a bucket bound" is a bad-event count like errors.
  The bound is frozen from the baseline's first ``tail_burn_in`` requests (the smallest
  bound that at least ``tail_quantile`` of them are at or under); those intervals are not
  counted again. Each later interval is a block.
- **latency (mean log-latency shift)**: each request sits at its bucket's midpoint (the
  open top bucket at 1.5× the last finite bound), so what is judged is the latency at the
  histogram's resolution: a change inside one bucket is not seen, and the shift is
  measured in bucket midpoints. Under no regression both versions' coarsened latencies have
  the same distribution, so the test keeps its level; each interval is one stratum.

A version with no requests in an interval gives that interval no evidence (never a pass).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from hotfix.domain.judge.counts import BlockCounts
from hotfix.domain.judge.latency import ShiftStats, block_terms
from hotfix.domain.judge.mixture import Floats


@dataclass(frozen=True)
class Histogram:
    """Requests per latency bucket: ``bounds_ms`` are the finite upper bounds, ascending;
    each version has one count per bound and one more for the open top bucket."""

    bounds_ms: tuple[float, ...]
    canary: tuple[float, ...]
    baseline: tuple[float, ...]

    def __post_init__(self) -> None:
        k = len(self.bounds_ms) + 1
        if len(self.canary) != k or len(self.baseline) != k:
            raise ValueError(f"a histogram with {k - 1} bounds needs {k} counts per version")
        if list(self.bounds_ms) != sorted(set(self.bounds_ms)) or not self.bounds_ms:
            raise ValueError("histogram bounds must be distinct and ascending")


@dataclass(frozen=True)
class Interval:
    """What each version did between ``start`` and ``end`` (seconds since the epoch)."""

    start: float
    end: float
    requests: tuple[int, int]  # canary, baseline
    errors: tuple[int, int]
    latency: Histogram | None = None

    @property
    def total(self) -> int:
        return self.requests[0] + self.requests[1]


def error_blocks(intervals: Sequence[Interval]) -> BlockCounts:
    """The error count test's blocks, one per interval."""
    n = np.array([iv.requests for iv in intervals], dtype=np.float64).reshape(-1, 2)
    e = np.array([iv.errors for iv in intervals], dtype=np.float64).reshape(-1, 2)
    e = np.minimum(e, n)  # a counter read a moment apart from the other cannot exceed it
    return BlockCounts(n[:, 0], n[:, 1], e[:, 0], e[:, 0] + e[:, 1])


def midpoints_log_ms(bounds_ms: Sequence[float]) -> Floats:
    """log of each bucket's midpoint (ms); the open top bucket at 1.5× the last bound."""
    upper = np.array(bounds_ms, dtype=np.float64)
    lower = np.concatenate([[0.0], upper[:-1]])
    mids = np.concatenate([(lower + upper) / 2, [1.5 * upper[-1]]])
    return np.asarray(np.log(np.maximum(mids, 1e-9)), dtype=np.float64)


@dataclass
class HistogramLatency:
    """The latency tests fed from histograms; the frozen values land on the judge's
    ``LatencyEvidence`` (``cap``/``shift``, the tail threshold) so its report is one."""

    burn_in: int
    winsor_quantile: float
    tail_burn_in: int
    tail_quantile: float
    bounds_ms: tuple[float, ...] | None = None
    cap: float | None = None
    shift: float = 0.0
    slow_from: int | None = None  # first bucket index counted as slow
    _held: list[tuple[Floats, Floats]] = field(default_factory=list)
    _tail_held: Floats | None = None

    def same_bounds(self, h: Histogram | None) -> Histogram | None:
        """``h`` if its buckets are the rollout's (the first histogram's); else None: a
        histogram on other buckets cannot be compared with the evidence so far, so it is no
        data for the latency tests (the interval's counts still count)."""
        if h is None:
            return None
        if self.bounds_ms is None:
            self.bounds_ms = h.bounds_ms
        return h if h.bounds_ms == self.bounds_ms else None

    def shift_parts(self, hists: Sequence[Histogram | None]) -> tuple[Floats, Floats]:
        """Per-interval (6, k) sums for ``Strata``, and a mask of the intervals that count
        (all zero until burn-in ends; at its end the held intervals are released)."""
        k = len(hists)
        parts, counted = np.zeros((6, k)), np.zeros(k, dtype=bool)
        for j, given in enumerate(hists):
            h = self.same_bounds(given)
            if h is None:
                continue
            c, b = np.array(h.canary, dtype=np.float64), np.array(h.baseline, dtype=np.float64)
            if self.cap is None:
                self._held.append((c, b))
                if not self._freeze():
                    continue
                c, b = (np.sum(x, axis=0) for x in zip(*self._held, strict=True))
                self._held = []
            parts[:, j] = self._sums(c, b)
            counted[j] = True
        return parts, counted

    def slow_blocks(self, hists: Sequence[Histogram | None]) -> BlockCounts:
        """The tail test's blocks: requests slower than the frozen bound, per interval."""
        rows = np.zeros((4, len(hists)))
        for j, given in enumerate(hists):
            h = self.same_bounds(given)
            if h is None:
                continue
            c, b = np.array(h.canary, dtype=np.float64), np.array(h.baseline, dtype=np.float64)
            if self.slow_from is None:
                self._hold_tail(b)
                continue
            slow_c, slow_b = c[self.slow_from:].sum(), b[self.slow_from:].sum()
            rows[:, j] = (c.sum(), b.sum(), slow_c, slow_c + slow_b)
        return BlockCounts(rows[0], rows[1], rows[2], rows[3])

    def slow_threshold_log_ms(self) -> float | None:
        """log of the bound above which a request is slow, once frozen."""
        if self.slow_from is None or self.bounds_ms is None:
            return None
        return float(np.log(self.bounds_ms[self.slow_from - 1]))

    def _hold_tail(self, baseline: Floats) -> None:
        held = baseline if self._tail_held is None else self._tail_held + baseline
        self._tail_held = held
        if held.sum() >= self.tail_burn_in and self.bounds_ms is not None:
            share = np.cumsum(held) / held.sum()
            at = int(np.argmax(share[:-1] >= self.tail_quantile)) if (
                share[:-1] >= self.tail_quantile).any() else len(self.bounds_ms) - 1
            self.slow_from = at + 1  # buckets above bound ``at`` are slow

    def _freeze(self) -> bool:
        c = sum(x[0] for x in self._held)
        b = sum(x[1] for x in self._held)
        if min(float(np.sum(c)), float(np.sum(b))) < self.burn_in or self.bounds_ms is None:
            return False
        y = midpoints_log_ms(self.bounds_ms)
        share = np.cumsum(b) / np.sum(b)
        self.shift = float(y[int(np.argmax(share >= 0.5))])
        self.cap = float(y[int(np.argmax(share >= self.winsor_quantile))])
        return True

    def _sums(self, c: Floats, b: Floats) -> Floats:
        assert self.bounds_ms is not None
        assert self.cap is not None
        y = np.minimum(midpoints_log_ms(self.bounds_ms), self.cap) - self.shift
        return np.array([c.sum(), b.sum(), c @ y, b @ y, c @ (y * y), b @ (y * y)])


def running_shift(done: Floats, parts: Floats) -> tuple[Floats, ShiftStats]:
    """Add per-interval strata sums to the running (W, S, SS, df); the new totals and the
    statistics after each interval."""
    terms = block_terms(parts)
    totals = done[:, None] + np.cumsum(terms, axis=1)
    return totals[:, -1].copy() if parts.shape[1] else done, ShiftStats.of(totals)
