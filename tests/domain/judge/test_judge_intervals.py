"""The judge fed aggregates: per-interval counts and latency histograms per version."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hotfix.domain.judge.counts import CountEvidence
from hotfix.domain.judge.engine import Judge, JudgeSettings, regression_grid
from hotfix.domain.judge.intervals import Histogram, Interval, error_blocks

BOUNDS = (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0)


def histogram(rng: np.random.Generator, n: int, median_ms: float) -> tuple[float, ...]:
    latency = rng.lognormal(math.log(median_ms), 0.5, size=n)
    index = np.searchsorted(np.array(BOUNDS), latency, side="left")
    return tuple(float(x) for x in np.bincount(index, minlength=len(BOUNDS) + 1))


def stream(seed: int, *, canary_error: float = 0.01, canary_ms: float = 20.0,
           share: float = 0.2, per: int = 500, count: int = 300) -> list[Interval]:
    rng = np.random.default_rng(seed)
    out = []
    for t in range(count):
        n_c = int(rng.binomial(per, share))
        n_b = per - n_c
        errors = (int(rng.binomial(n_c, canary_error)), int(rng.binomial(n_b, 0.01)))
        hist = Histogram(BOUNDS, histogram(rng, n_c, canary_ms), histogram(rng, n_b, 20.0))
        out.append(Interval(float(t), t + 1.0, (n_c, n_b), errors, hist))
    return out


def first_decision(intervals: list[Interval], settings: JudgeSettings | None = None,
                   share: float = 0.2) -> tuple[str, int]:
    judge = Judge(settings)
    for i, iv in enumerate(intervals):
        verdict = judge.update_intervals([iv], [share])
        if verdict.decision != "continue":
            return verdict.decision, i
    return judge.finish().decision, len(intervals)


def test_a_clean_canary_is_promoted_and_regressions_are_rolled_back() -> None:
    assert first_decision(stream(1))[0] == "promote"
    assert first_decision(stream(2, canary_error=0.04))[0] == "rollback"
    decision, _ = first_decision(stream(3, canary_ms=30.0))
    assert decision == "rollback"


def test_each_interval_is_one_block_of_the_error_count_test() -> None:
    intervals = stream(4, canary_error=0.02, count=40)
    judge = Judge(JudgeSettings(weight_latency=0, weight_tail=0))
    judge.update_intervals(intervals)
    alone = CountEvidence(100, 0.5, regression_grid(), None)
    reg, _ = alone.feed_blocks(error_blocks(intervals))
    assert judge.verdict().metrics[0].log_e_regression == pytest.approx(reg[-1])


def test_batching_does_not_change_the_evidence() -> None:
    intervals = stream(5, count=60)
    whole, one_by_one = Judge(), Judge()
    a = whole.update_intervals(intervals, [0.2] * len(intervals)).to_dict()
    for iv in intervals:
        b = one_by_one.update_intervals([iv], [0.2]).to_dict()
    assert a == b


def test_a_version_with_no_data_is_no_evidence_never_a_pass() -> None:
    judge = Judge()
    for t in range(200):  # the canary's series matched nothing: zero requests
        verdict = judge.update_intervals([Interval(t, t + 1.0, (0, 500), (0, 5))], [0.2])
    assert verdict.decision == "continue"
    assert verdict.log_e == pytest.approx(0.0, abs=1e-12)
    assert verdict.sample_ratio.flagged_at is not None  # 0 of 100,000 where 20% were sent
    assert judge.finish().decision == "inconclusive"


def test_without_histograms_only_the_error_test_has_evidence() -> None:
    judge = Judge(JudgeSettings(weight_latency=0, weight_tail=0))
    no_latency = [Interval(iv.start, iv.end, iv.requests, iv.errors) for iv in stream(6)]
    decision, _ = first_decision(no_latency, JudgeSettings(weight_latency=0, weight_tail=0))
    assert decision == "promote"
    judge = Judge()  # latency on, but no histogram ever came: promotion waits for it
    verdict = judge.update_intervals(no_latency, [0.2] * len(no_latency))
    assert verdict.decision == "continue"
    assert "latency" in verdict.reason


def test_slow_means_slower_than_a_bucket_bound_frozen_from_the_baseline() -> None:
    judge = Judge()
    verdict = judge.update_intervals(stream(7, count=20), [0.2] * 20)
    latency = {m.name: m for m in verdict.metrics}["latency"]
    # p95 of lognormal(20 ms, 0.5) ≈ 45 ms: the smallest bound above it
    assert latency.counts["tail_threshold_ms"] == pytest.approx(50.0)
    tail = {m.name: m for m in verdict.metrics}["tail"]
    assert tail.counts["baseline"] < sum(iv.requests[1] for iv in stream(7, count=20))


def test_an_unknown_share_is_not_checked_for_sample_ratio() -> None:
    judge = Judge()
    skewed = [Interval(t, t + 1.0, (400, 100), (0, 0)) for t in range(50)]
    assert judge.update_intervals(skewed, [None] * 50).sample_ratio.flagged_at is None
    assert judge.update_intervals(skewed, [0.05] * 50).sample_ratio.flagged_at is not None


def test_a_histogram_on_other_buckets_is_no_latency_data() -> None:
    with pytest.raises(ValueError, match="needs 9 counts"):
        Histogram(BOUNDS, (1.0,) * 8, (1.0,) * 9)
    judge = Judge()
    before = judge.update_intervals(stream(8, count=5)).to_dict()["metrics"]
    other = Histogram((1.0, 2.0), (500.0, 0.0, 0.0), (0.0, 0.0, 500.0))
    after = judge.update_intervals([Interval(9.0, 10.0, (500, 500), (0, 0), other)])
    latency = after.to_dict()["metrics"]["latency"]
    assert latency["counts"]["canary"] == before["latency"]["counts"]["canary"]
    assert after.requests["canary"] == before["errors"]["counts"]["canary"] + 500


def test_the_bake_time_ends_with_only_the_weighted_metrics() -> None:
    """A source without latency (Datadog's hits and errors) runs with latency and tail off:
    the end of the bake time folds in only the metrics that are on, and decides."""
    settings = JudgeSettings(weight_latency=0, weight_tail=0)
    judge = Judge(settings)
    no_latency = [Interval(iv.start, iv.end, iv.requests, iv.errors)
                  for iv in stream(7, count=3)]
    judge.update_intervals(no_latency, [0.2] * len(no_latency))
    verdict = judge.finish()
    assert verdict.decision in {"inconclusive", "promote", "rollback"}
    assert [m.name for m in verdict.metrics] == ["errors"]
