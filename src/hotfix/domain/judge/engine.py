"""The canary judge: anytime-valid comparison of a canary with its concurrent baseline.

    judge = Judge(JudgeSettings(alpha=0.05))
    verdict = judge.update(canary, ok, latency_ms, expected_canary_share=0.05)
    verdict.decision   # "continue" | "rollback" | "promote"
    judge.finish()     # end of bake time: "inconclusive" unless decided

Each metric has a regression e-process (errors, mean log-latency, slow-request tail); errors
and latency have a non-inferiority twin. ``rollback`` as soon as the weighted average of the
regression e-processes reaches 1/α (one α for the canary, split by weight); ``promote`` once
the error and latency non-inferiority e-processes have reached 1/α (an intersection-union
test, so each at α) and the sample-ratio check has not flagged the split. The tail test
only rolls back: showing that a rare event is not rarer by a relative margin takes many
thousands of requests, so promotion does not wait for it. Every request is a look: the verdict is
checked after each one and ``decided_at`` names the request where it was reached.
Evidence is carried across batches and across changes of traffic weight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from hotfix.domain.judge.counts import CountEvidence, Ints
from hotfix.domain.judge.intervals import (
    Histogram,
    HistogramLatency,
    Interval,
    error_blocks,
    running_shift,
)
from hotfix.domain.judge.latency import Burnin, Strata, TailThreshold
from hotfix.domain.judge.mixture import Bools, Floats, Grid, first_at_least, logsumexp, offset_grid
from hotfix.domain.judge.report import Snapshot, build_verdict
from hotfix.domain.judge.settings import METRICS, PROMOTION_METRICS, JudgeSettings
from hotfix.domain.judge.shift import LatencyEvidence
from hotfix.domain.judge.srm import SampleRatio
from hotfix.domain.judge.verdict import MetricVerdict, SampleRatioVerdict, Verdict

__all__ = ["METRICS", "Judge", "JudgeSettings", "MetricVerdict", "SampleRatioVerdict", "Verdict"]


def regression_grid() -> Grid:
    """Log rate ratios log 1.05 … log 20, weighted towards 1.5×–3×."""
    return offset_grid(math.log(1.05), math.log(20.0), 30, centre=math.log(2.0), spread=0.6)


def noninferiority_grid(margin: float) -> Grid:
    """Offsets below the margin, weighted towards "no difference at all"."""
    null = math.log1p(margin)
    return offset_grid(0.02, null + 2.0, 30, centre=null, spread=0.6)


class Judge:
    """Feeds batches of requests to the e-processes and turns them into verdicts."""

    def __init__(self, settings: JudgeSettings | None = None) -> None:
        self.settings = s = settings or JudgeSettings()
        self.weights = s.weights()
        self.errors = CountEvidence(
            s.block,
            s.error_margin,
            regression_grid(),
            noninferiority_grid(s.error_margin),
            floor=s.error_floor,
        )
        tail = CountEvidence(s.block, 0.0, regression_grid(), None)
        self.latency = LatencyEvidence(
            burnin=Burnin(s.burn_in, s.winsor_quantile),
            strata=Strata(s.block),
            threshold=TailThreshold(s.tail_burn_in, s.tail_quantile),
            tolerance=s.latency_tolerance,
            tau=s.latency_scale,
            tail=tail,
        )
        self.histograms = HistogramLatency(s.burn_in, s.winsor_quantile, s.tail_burn_in,
                                           s.tail_quantile)
        self.sample_ratio = SampleRatio(s.srm_alpha)
        self.seen = 0
        self.rollback_at: int | None = None
        self.within_at: dict[str, int | None] = dict.fromkeys(
            k for k in self.weights if k in PROMOTION_METRICS
        )
        self.regressed_at: dict[str, int | None] = dict.fromkeys(self.weights)
        self.srm_at: int | None = None
        self.log_e = 0.0
        self.finished = False

    def update(
        self,
        canary: Sequence[bool] | Bools,
        ok: Sequence[bool] | Bools,
        latency_ms: Sequence[float] | Floats,
        expected_canary_share: float | None = None,
    ) -> Verdict:
        """One batch of requests in time order (any size ≥ 0); the verdict after it."""
        c, good, lat = _arrays(canary, ok, latency_ms)
        use = good & np.isfinite(lat) & (lat > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(use, np.log(np.where(use, lat, 1.0)), np.nan)
        paths = self._paths(c, ~good, y, use)
        self._note_crossings(paths)
        if expected_canary_share is not None:
            srm = self.sample_ratio.feed(c, expected_canary_share)
            self._note_srm(srm)
        self.seen += c.size
        return self.verdict()

    def update_intervals(
        self, intervals: Sequence[Interval], shares: Sequence[float | None] | None = None
    ) -> Verdict:
        """Aggregates from a monitoring system (``intervals.py``), in time order, each with
        the canary share that was live (None: unknown); one look per interval."""
        if not intervals:
            return self.verdict()
        hists = [iv.latency for iv in intervals]
        paths = {
            "errors": self.errors.feed_counts(error_blocks(intervals)),
            "latency": self._histogram_shift(hists),
            "tail": self.latency.tail.feed_counts(self.histograms.slow_blocks(hists)),
        }
        if self.histograms.slow_from is not None:  # frozen: the report shows the bound
            self.latency.threshold.threshold = self.histograms.slow_threshold_log_ms()
        sizes = np.array([iv.total for iv in intervals], dtype=np.int64)
        at = np.maximum(self.seen + np.cumsum(sizes) - 1, 0)
        self._note_crossings({k: v for k, v in paths.items() if k in self.weights}, at)
        share = np.array([np.nan if x is None else x for x in shares or [None] * sizes.size])
        srm = self.sample_ratio.feed_counts(
            np.array([iv.requests[0] for iv in intervals], dtype=np.float64),
            sizes.astype(np.float64), share)
        if self.srm_at is None:
            self.srm_at = _at(srm, math.log(1 / self.settings.srm_alpha), at)
        self.seen += int(sizes.sum())
        return self.verdict()

    def _histogram_shift(self, hists: Sequence[Histogram | None]) -> tuple[Floats, Floats]:
        parts, _ = self.histograms.shift_parts(hists)
        if self.histograms.cap is not None:  # frozen: the report shows the cap
            self.latency.burnin.cap = self.histograms.cap
            self.latency.burnin.shift = self.histograms.shift
        strata = self.latency.strata
        strata.n += parts[:2].sum(axis=1)
        strata.done, stats = running_shift(strata.done, parts)
        return self.latency.log_e_of(stats)

    def finish(self) -> Verdict:
        """The end of the bake time: fold in partial blocks; undecided means inconclusive."""
        if not self.finished:
            self.finished = True
            err = self.errors.flush()
            tail = self.latency.tail.flush()
            lat = self.latency.log_e()
            last = np.array([self.seen - 1], dtype=np.int64)
            paths = {"errors": err, "latency": lat, "tail": tail}
            self._note_crossings(
                {k: (np.array([v[0]]), np.array([v[1]])) for k, v in paths.items()
                 if k in self.weights}, last
            )
        return self.verdict()

    def verdict(self) -> Verdict:
        snap = Snapshot(
            settings=self.settings,
            weights=self.weights,
            seen=self.seen,
            log_e=self.log_e,
            rollback_at=self.rollback_at,
            within_at=self.within_at,
            regressed_at=self.regressed_at,
            srm_at=self.srm_at,
            finished=self.finished,
        )
        return build_verdict(snap, self.errors, self.latency, self.sample_ratio)

    def _paths(
        self, canary: Bools, bad: Bools, y: Floats, use: Bools
    ) -> dict[str, tuple[Floats, Floats]]:
        everyone = np.ones(canary.size, dtype=bool)
        err = self.errors.feed(canary, bad, everyone)
        lat = self.latency.feed(canary, y, use)
        paths = {"errors": err, "latency": (lat.reg, lat.ni), "tail": (lat.tail_reg, lat.tail_ni)}
        return {k: v for k, v in paths.items() if k in self.weights}

    def _note_crossings(
        self, paths: dict[str, tuple[Floats, Floats]], index: Ints | None = None
    ) -> None:
        level = math.log(1 / self.settings.alpha)
        size = next(iter(paths.values()))[0].size
        at = np.arange(self.seen, self.seen + size, dtype=np.int64) if index is None else index
        weighted = np.stack([math.log(self.weights[k]) + paths[k][0] for k in self.weights])
        combined = logsumexp(weighted, axis=0)
        if combined.size:
            self.log_e = float(combined[-1])
        self.rollback_at = (
            self.rollback_at if self.rollback_at is not None else _at(combined, level, at)
        )
        for name, (reg, ni) in paths.items():
            alone = level - math.log(self.weights[name])
            if self.regressed_at[name] is None:
                self.regressed_at[name] = _at(reg, alone, at)
            if name in self.within_at and self.within_at[name] is None:
                self.within_at[name] = _at(ni, level, at)

    def _note_srm(self, path: Floats) -> None:
        if self.srm_at is None:
            hit = first_at_least(path, math.log(1 / self.settings.srm_alpha))
            self.srm_at = None if hit is None else self.seen + hit


def _at(path: Floats, level: float, index: Ints) -> int | None:
    hit = first_at_least(path, level)
    return None if hit is None else int(index[hit])


def _arrays(
    canary: Sequence[bool] | Bools, ok: Sequence[bool] | Bools, latency_ms: Sequence[float] | Floats
) -> tuple[Bools, Bools, Floats]:
    c = np.asarray(canary, dtype=bool).ravel()
    good = np.asarray(ok, dtype=bool).ravel()
    lat = np.asarray(latency_ms, dtype=np.float64).ravel()
    if not c.size == good.size == lat.size:
        raise ValueError(f"batch arrays differ in length: {c.size}, {good.size}, {lat.size}")
    return c, good, lat
