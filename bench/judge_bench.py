"""Benchmark the canary judge on simulated request streams.

    python bench/judge_bench.py            # full: ~1,000 identical runs, 200 per regression
    python bench/judge_bench.py --quick    # fewer runs, for a smoke check

Every stream: requests split 50/50 at random between baseline and canary, 1% baseline error
rate, log-normal latency (median 50 ms, σ = 0.5 in log space). The judge is checked after
every request (each run is one batch; the judge evaluates each request's e-values). The
latency regression is also run at σ = 0.3 and 0.7, since its cost scales with σ². Printed
beside it, on the same streams: an oracle SPRT that knows the true error-rate ratio and
spends the whole α on errors, a fixed-horizon two-proportion test sized for 80% power at a
1.25× error ratio, and a Kayenta-style judge (Mann–Whitney on per-interval points, 98%,
re-judged every interval, fails when fewer than 75% of its metrics pass).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import mannwhitneyu, norm

from hotfix.domain.judge.engine import Judge, JudgeSettings

ALPHA = 0.05
BASE_ERRORS = 0.01
SIGMA = 0.5
INTERVAL = 250  # requests per Kayenta interval ("a minute" of traffic)


@dataclass(frozen=True)
class Stream:
    canary: np.ndarray
    bad: np.ndarray
    latency: np.ndarray


def simulate(
    rng: np.random.Generator, n: int, error_ratio: float, latency_ratio: float, sigma: float = SIGMA
) -> Stream:
    canary = rng.random(n) < 0.5
    bad = rng.random(n) < np.where(canary, BASE_ERRORS * error_ratio, BASE_ERRORS)
    latency = np.exp(math.log(50.0) + sigma * rng.standard_normal(n))
    return Stream(canary, bad, latency * np.where(canary, latency_ratio, 1.0))


def hotfix_judge(s: Stream) -> tuple[str, int | None]:
    verdict = Judge(JudgeSettings(alpha=ALPHA)).update(s.canary, ~s.bad, s.latency, 0.5)
    return verdict.decision, verdict.decided_at


def oracle_sprt(s: Stream, ratio: float) -> int | None:
    """Wald's SPRT on which version each error came from, knowing ratio and split."""
    theta = 0.5 * ratio / (0.5 * ratio + 0.5)
    step = np.where(s.canary, math.log(theta / 0.5), math.log((1 - theta) / 0.5))
    return first(np.cumsum(np.where(s.bad, step, 0.0)) >= math.log(1 / ALPHA))


def bernoulli_sprt(s: Stream, ratio: float) -> int | None:
    """An SPRT that also knows the baseline rate (canary requests only)."""
    p0, p1 = BASE_ERRORS, BASE_ERRORS * ratio
    step = np.where(s.bad, math.log(p1 / p0), math.log((1 - p1) / (1 - p0)))
    return first(np.cumsum(np.where(s.canary, step, 0.0)) >= math.log(1 / ALPHA))


def fixed_horizon(ratio: float = 1.25, power: float = 0.8) -> int:
    """Total requests of a one-sided two-proportion z-test sized for ``power`` at ``ratio``."""
    p0, p1 = BASE_ERRORS, BASE_ERRORS * ratio
    pbar = (p0 + p1) / 2
    z_a, z_b = norm.ppf(1 - ALPHA), norm.ppf(power)
    root = z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1))
    return 2 * math.ceil((root / (p1 - p0)) ** 2)


def kayenta(s: Stream, start: int = 5) -> int | None:
    """Per-interval points, Mann–Whitney 98% re-judged every interval; fail below 75%."""
    k = s.canary.size // INTERVAL
    cut = k * INTERVAL
    points = {}
    for name, values in (("errors", s.bad.astype(float)), ("latency", s.latency)):
        for version, mask in (("c", s.canary), ("b", ~s.canary)):
            v = np.where(mask[:cut], values[:cut], 0.0).reshape(k, INTERVAL).sum(1)
            n = mask[:cut].reshape(k, INTERVAL).sum(1)
            points[name, version] = v / np.maximum(n, 1)
    for i in range(start, k + 1):
        failed = sum(
            _mw_fails(points[m, "c"][:i], points[m, "b"][:i]) for m in ("errors", "latency")
        )
        if (2 - failed) / 2 < 0.75:
            return i * INTERVAL - 1
    return None


def _mw_fails(canary: np.ndarray, baseline: np.ndarray) -> bool:
    if np.ptp(np.concatenate([canary, baseline])) == 0:
        return False
    p = mannwhitneyu(canary, baseline, alternative="two-sided", method="asymptotic").pvalue
    return bool(
        p < 0.02
        and np.median(canary) - np.median(baseline) >= 0
        and canary.mean() > baseline.mean()
    )


def first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


@dataclass
class Tally:
    name: str
    times: list[float]
    misses: int = 0

    def add(self, at: int | None, scale: float = 1.0) -> None:
        if at is None:
            self.misses += 1
        else:
            self.times.append((at + 1) * scale)

    def row(self, runs: int) -> str:
        median = _median_with_misses(self.times, self.misses)
        caught = 100 * len(self.times) / runs
        return f"  {self.name:<44} {median:>10} {caught:>9.1f}%"


def _median_with_misses(times: list[float], misses: int) -> str:
    everything = sorted(times) + [math.inf] * misses
    if not everything:
        return "-"
    mid = everything[len(everything) // 2]
    return f"{mid:,.0f}" if math.isfinite(mid) else "> horizon"


def identical(runs: int, n: int, rng: np.random.Generator) -> None:
    rollbacks = promotions = kayenta_fails = 0
    for _ in range(runs):
        s = simulate(rng, n, 1.0, 1.0)
        decision, _ = hotfix_judge(s)
        rollbacks += decision == "rollback"
        promotions += decision == "promote"
        kayenta_fails += kayenta(s) is not None
    print(f"\nIdentical canary: {runs} runs × {n:,} requests, judge checked after every request")
    print(
        f"  hotfix judge false rollbacks        {100 * rollbacks / runs:5.1f}%   (α = {ALPHA:.0%})"
    )
    print(f"  hotfix judge promotions             {100 * promotions / runs:5.1f}%")
    print(f"  Kayenta-style false failures        {100 * kayenta_fails / runs:5.1f}%")


def regression(
    title: str,
    runs: int,
    n: int,
    rng: np.random.Generator,
    error_ratio: float,
    latency_ratio: float,
    extra: dict[str, Callable[[Stream], int | None]],
    scale: float = 1.0,
    sigma: float = SIGMA,
) -> dict[str, Tally]:
    tallies = {k: Tally(k, []) for k in ["hotfix judge", *extra, "Kayenta-style"]}
    for _ in range(runs):
        s = simulate(rng, n, error_ratio, latency_ratio, sigma)
        decision, at = hotfix_judge(s)
        tallies["hotfix judge"].add(at if decision == "rollback" else None, scale)
        for name, method in extra.items():
            tallies[name].add(method(s), scale)
        tallies["Kayenta-style"].add(kayenta(s), scale)
    unit = "requests per version" if scale != 1.0 else "requests (both versions)"
    print(f"\n{title}: {runs} runs, horizon {n:,} requests; median {unit} to roll back")
    print(f"  {'method':<44} {'median':>10} {'caught':>10}")
    for tally in tallies.values():
        print(tally.row(runs))
    return tallies


def median_of(tally: Tally) -> float:
    everything = sorted(tally.times) + [math.inf] * tally.misses
    return everything[len(everything) // 2]


def throughput() -> None:
    rng = np.random.default_rng(0)
    s = simulate(rng, 1_000_000, 1.0, 1.0)
    for size in (1_000_000, 10_000, 1_000):
        judge = Judge()
        started = time.perf_counter()
        for i in range(0, s.canary.size, size):
            part = slice(i, i + size)
            judge.update(s.canary[part], ~s.bad[part], s.latency[part], 0.5)
        elapsed = time.perf_counter() - started
        print(f"  1,000,000 requests in batches of {size:>9,}: {elapsed:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke check)")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    null_runs, runs = (200, 60) if args.quick else (1000, 200)
    started = time.perf_counter()
    identical(null_runs, 20_000, rng)
    oracles = {
        "oracle SPRT (knows the 2× ratio, all α on errors)": lambda s: oracle_sprt(s, 2.0),
        "SPRT that also knows the baseline rate": lambda s: bernoulli_sprt(s, 2.0),
    }
    twice = regression("Errors 2× (1% → 2%)", runs, 40_000, rng, 2.0, 1.0, oracles)
    fixed = fixed_horizon()
    ours, oracle = median_of(twice["hotfix judge"]), median_of(twice[next(iter(oracles))])
    print(f"  fixed-horizon test sized for 80% power at 1.25×: {fixed:,} requests")
    print(
        f"  → hotfix / oracle = {ours / oracle:.2f} (target ≤ 1.5); "
        f"fixed-horizon / hotfix = {fixed / ours:.1f}× (target ≥ 5)"
    )
    regression("Errors 1.25× (1% → 1.25%)", runs // 2, 80_000, rng, 1.25, 1.0, {})
    regression("Errors 5× (1% → 5%)", runs, 10_000, rng, 5.0, 1.0, {})
    lat = regression("Latency +10% mean", runs, 8_000, rng, 1.0, 1.1, {}, scale=0.5)
    print(f"  → median {median_of(lat['hotfix judge']):.0f} requests per version (target < 400)")
    for sigma in (0.3, 0.7):
        title = f"Latency +10% mean, σ(log) = {sigma} instead of {SIGMA}"
        regression(title, runs // 2, 12_000, rng, 1.0, 1.1, {}, scale=0.5, sigma=sigma)
    print("\nThroughput (the same judge, evaluated after every request):")
    throughput()
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
