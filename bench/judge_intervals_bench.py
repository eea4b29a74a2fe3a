"""Benchmark the canary judge on aggregated streams: what a monitoring system reports.

    python bench/judge_intervals_bench.py           # 400 runs per null, 100 per regression
    python bench/judge_intervals_bench.py --quick   # 100 / 40

Each run is a rollout read from Prometheus, Datadog or New Relic: intervals (a poll window
each) of Poisson traffic, with per-version request and error counts and latency
histograms on Prometheus' default buckets (5 ms … 10 s), fed to the whole ``Judge`` through
``update_intervals`` (one look per interval). The canary's weight steps 5% → 25% → 50%.

- nulls (an identical canary): steady load; load that drifts between intervals (the error
  rate and the latency of both versions rise and fall together, as at a daily peak); and
  coarse buckets. A false rollback is any rollback; it must stay ≤ α = 0.05.
- regressions: error rate 1.5×, 2×, 3×; geometric-mean latency +10%, +25%, +50%; a tail
  only (5% of the canary's requests 4× slower). Detection share and median intervals to the
  rollback; promotions of a regressed canary are counted (they must stay ≤ α too).
"""

from __future__ import annotations

import argparse
import math
import statistics
from dataclasses import dataclass

import numpy as np

from hotfix.domain.judge.engine import Judge, JudgeSettings
from hotfix.domain.judge.intervals import Histogram, Interval

ALPHA = 0.05
PROM_BUCKETS = (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0)
COARSE = (10.0, 100.0, 1000.0)
STEPS = ((0.05, 20), (0.25, 20), (0.5, 40))  # (canary share, intervals)
PER_INTERVAL = 400  # requests per window on average (both versions)


@dataclass(frozen=True)
class Case:
    name: str
    error_ratio: float = 1.0
    latency_ratio: float = 1.0
    tail_share: float = 0.0  # share of the canary's requests 4× slower
    drift: bool = False
    bounds: tuple[float, ...] = PROM_BUCKETS

    @property
    def null(self) -> bool:
        return self.error_ratio == 1.0 and self.latency_ratio == 1.0 and not self.tail_share


def counts(rng: np.random.Generator, n: int, median_ms: float, bounds: tuple[float, ...],
           tail: float = 0.0) -> tuple[float, ...]:
    latency = rng.lognormal(math.log(median_ms), 0.5, size=n)
    slow = rng.random(n) < tail
    latency[slow] *= 4.0
    index = np.searchsorted(np.array(bounds), latency, side="left")
    return tuple(float(x) for x in np.bincount(index, minlength=len(bounds) + 1))


def rollout(rng: np.random.Generator, case: Case) -> tuple[list[Interval], list[float | None]]:
    intervals, shares = [], []
    t = 0
    for share, steps in STEPS:
        for _ in range(steps):
            load = 1.0 + (0.6 * math.sin(t / 9.0) if case.drift else 0.0)
            base_err, base_ms = 0.01 * load, 40.0 * load
            n = int(rng.poisson(PER_INTERVAL))
            n_c = int(rng.binomial(n, share))
            n_b = n - n_c
            err = (int(rng.binomial(n_c, min(1.0, base_err * case.error_ratio))),
                   int(rng.binomial(n_b, base_err)))
            hist = Histogram(case.bounds,
                             counts(rng, n_c, base_ms * case.latency_ratio, case.bounds,
                                    case.tail_share),
                             counts(rng, n_b, base_ms, case.bounds))
            intervals.append(Interval(float(t), t + 1.0, (n_c, n_b), err, hist))
            shares.append(share)
            t += 1
    return intervals, shares


def judge(intervals: list[Interval], shares: list[float | None]) -> tuple[str, int | None]:
    """The first decision and the interval it came at (the judge looks after each one)."""
    j = Judge(JudgeSettings(alpha=ALPHA))
    ends = np.cumsum([iv.total for iv in intervals]) - 1
    j.update_intervals(intervals, shares)
    promote = None
    if all(v is not None for v in j.within_at.values()) and j.srm_at is None:
        promote = max(v for v in j.within_at.values() if v is not None)
    first = min((x for x in (j.rollback_at, promote) if x is not None), default=None)
    if first is None:
        return "inconclusive", None
    decision = "rollback" if first == j.rollback_at else "promote"
    return decision, int(np.searchsorted(ends, first))


CASES = (
    Case("null, steady load"),
    Case("null, drifting load", drift=True),
    Case("null, coarse buckets", bounds=COARSE),
    Case("errors 1.5×", error_ratio=1.5),
    Case("errors 2×", error_ratio=2.0),
    Case("errors 3×", error_ratio=3.0),
    Case("latency +10%", latency_ratio=1.10),
    Case("latency +25%", latency_ratio=1.25),
    Case("latency +50%", latency_ratio=1.50),
    Case("tail only: 5% 4× slower", tail_share=0.05),
    Case("latency +25%, coarse buckets", latency_ratio=1.25, bounds=COARSE),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke check)")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    null_runs, runs = (100, 40) if args.quick else (400, 100)
    total = sum(s for _, s in STEPS)
    print(f"{total} intervals of ~{PER_INTERVAL} requests, canary 5% → 25% → 50%, α = {ALPHA}")
    print("| case | runs | rollback | promote | inconclusive | median intervals to decide |")
    print("|---|---|---|---|---|---|")
    for case in CASES:
        n = null_runs if case.null else runs
        seen = [judge(*rollout(rng, case)) for _ in range(n)]
        share = {d: sum(1 for x, _ in seen if x == d) / n
                 for d in ("rollback", "promote", "inconclusive")}
        want = "promote" if case.null else "rollback"
        at = [i for d, i in seen if d == want and i is not None]
        median = f"{statistics.median(at):.0f} ({want})" if at else "–"
        print(f"| {case.name} | {n} | {share['rollback']:.1%} | {share['promote']:.1%} | "
              f"{share['inconclusive']:.1%} | {median} |")


if __name__ == "__main__":
    main()
