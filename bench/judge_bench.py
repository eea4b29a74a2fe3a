"""Benchmark the canary judge on simulated request streams, against oracles.

    python bench/judge_bench.py            # full: 40 runs per grid point, 200 per null
    python bench/judge_bench.py --quick    # fewer runs, for a smoke check
    python bench/judge_bench.py --split-null 2000  # identical canaries, 5% → 25% → 50%

Every detection figure is a ratio to an oracle SPRT that knows the effect and has the same
share of α as the judge's test of that metric (errors 0.7 × α, latency 0.25 × α):

- errors: ratio 1.25×, 1.5×, 2×, 3×, 5× at baseline rates 0.1%, 1%, 5% and canary shares
  5%, 25%, 50%. Simulated at the level of bad events (geometric gaps), blocked exactly as
  the judge blocks requests; the judge's error e-process (``CountEvidence``) against Wald's
  SPRT on which version each bad event came from, knowing the ratio and the split.
- latency: +5%, +10%, +20% in geometric mean at σ(log) 0.3, 0.5, 0.8, 50/50 split, request
  by request through the whole ``Judge`` (its latency test's ``regressed_at``), against the
  SPRT on the difference of mean log-latency knowing the shift and σ (the level unknown).

Both are checked after every request (the judge's count tests see a block when it is
complete). False rollbacks are counted on every null of the grid (ratio 1 at each base rate
and split; no shift at each σ) and printed against the test's share of α. Then the end-to-end
identical canary (the whole judge, all metrics) beside a Kayenta-style judge (Mann–Whitney on
per-interval points, 98%, re-judged every interval, fails when fewer than 75% of its metrics
pass), and the judge's throughput.

Promotion: a good canary (identical, or better: half the errors and 10% faster) through the
default rollout plan, driven by the controller's own ``next_move`` on a simulated clock (a
poll a second, the requests of that second fed to the judge at the step's weight), at
baseline error rates 0.1%, 1%, 5% and 20, 100, 500 requests a second. Printed: the time to
promotion as a ratio to the least the plan allows (every step's bake time, or the time its
minimum canary requests take at that rate, whichever is longer), and how many runs were
promoted, rolled back, or given up on (``max_wait_seconds`` beyond a step's bake time).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from dataclasses import dataclass

import numpy as np
from scipy.stats import beta, mannwhitneyu, norm

from hotfix.domain.judge.counts import BlockCounts, CountEvidence, Partition
from hotfix.domain.judge.engine import Judge, JudgeSettings, regression_grid
from hotfix.domain.rollout.plan import DEFAULT_STEPS, Action, Plan, Position, next_move, parse_plan

ALPHA = 0.05
SETTINGS = JudgeSettings(alpha=ALPHA)
SHARE = SETTINGS.weights()
BLOCK = SETTINGS.block
BASE_ERRORS = 0.01
SIGMA = 0.5
PARTITION = Partition(BLOCK)  # the judge's blocks of requests for its count tests
INTERVAL = 250  # requests per Kayenta interval ("a minute" of traffic)

ERROR_RATIOS = (1.25, 1.5, 2.0, 3.0, 5.0)
BASE_RATES = (0.001, 0.01, 0.05)
SPLITS = (0.05, 0.25, 0.5)
SHIFTS = (0.05, 0.10, 0.20)
SIGMAS = (0.3, 0.5, 0.8)


# ── errors: bad events, blocked as the judge blocks requests ─────────────────────────────


@dataclass(frozen=True)
class Events:
    at: np.ndarray  # request index of each bad event
    canary: np.ndarray  # whether it was the canary's
    blocks: BlockCounts  # the blocks with at least one bad event
    block_index: np.ndarray


def error_events(rng: np.random.Generator, base: float, ratio: float, share: float,
                 horizon: int) -> Events:
    """Requests split at random (canary ``share``), bad with probability base (baseline) or
    base × ratio (canary), up to ``horizon`` requests; only the bad events are drawn."""
    bad_c, bad_b = share * base * ratio, (1 - share) * base
    q = bad_c + bad_b  # chance that a request is a bad event
    gaps = rng.geometric(q, size=int(horizon * q * 1.2) + 100)
    at = np.cumsum(gaps) - 1
    at = at[at < horizon]
    canary = rng.random(at.size) < bad_c / q
    blk = PARTITION.index(at)
    index, first_of = np.unique(blk, return_index=True)
    size = (PARTITION.edge(index + 1) - PARTITION.edge(index)).astype(np.float64)
    m = np.diff(np.append(first_of, at.size)).astype(np.float64)
    x = np.add.reduceat(canary.astype(np.float64), first_of) if at.size else np.zeros(0)
    good_c, good_b = share * (1 - base * ratio), (1 - share) * (1 - base)
    good_share = good_c / (good_c + good_b)
    n_c = x + rng.binomial((size - m).astype(np.int64), good_share)
    return Events(at, canary, BlockCounts(n_c, size - n_c, x, m), index)


def judge_errors(ev: Events) -> int | None:
    """The request after which the judge's error e-process reaches 1/(α × its share)."""
    test = CountEvidence(BLOCK, SETTINGS.error_margin, regression_grid(), None)
    reg, _ = test.feed_blocks(ev.blocks)
    hit = first(reg[1:] >= math.log(1 / (ALPHA * SHARE["errors"])))
    return None if hit is None else int(PARTITION.edge(ev.block_index[hit:hit + 1] + 1)[0] - 1)


def oracle_errors(ev: Events, ratio: float, share: float) -> int | None:
    """Wald's SPRT on which version each bad event came from, knowing ratio and split."""
    theta = share * ratio / (share * ratio + 1 - share)
    step = np.where(ev.canary, math.log(theta / share), math.log((1 - theta) / (1 - share)))
    hit = first(np.cumsum(step) >= math.log(1 / (ALPHA * SHARE["errors"])))
    return None if hit is None else int(ev.at[hit])


def oracle_errors_expected(base: float, ratio: float, share: float) -> float:
    """Wald's approximation of the oracle's mean requests to decide."""
    theta = share * ratio / (share * ratio + 1 - share)
    kl = theta * math.log(theta / share) + (1 - theta) * math.log((1 - theta) / (1 - share))
    q = share * base * ratio + (1 - share) * base
    return math.log(1 / (ALPHA * SHARE["errors"])) / (kl * q)


# ── latency: request by request, through the whole judge ─────────────────────────────────


def latency_stream(rng: np.random.Generator, shift: float, sigma: float, n: int,
                   share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    canary = rng.random(n) < share
    y = math.log(50.0) + sigma * rng.standard_normal(n) + np.where(canary, math.log1p(shift), 0)
    return canary, np.exp(y)


def judge_latency(canary: np.ndarray, latency: np.ndarray) -> tuple[int | None, str]:
    verdict = Judge(SETTINGS).update(canary, np.ones(canary.size, dtype=bool), latency, 0.5)
    return verdict.metric("latency").regressed_at, verdict.decision


def oracle_latency(canary: np.ndarray, latency: np.ndarray, shift: float,
                   sigma: float) -> int | None:
    """The SPRT on the difference of mean log-latency knowing the shift Δ and σ: the
    likelihood ratio of the level-free statistic, exp(Δ a − Δ² I / 2)."""
    y, delta = np.log(latency), math.log1p(shift)
    n_c, n_b = np.cumsum(canary), np.cumsum(~canary)
    s_c, s_b = np.cumsum(np.where(canary, y, 0.0)), np.cumsum(np.where(canary, 0.0, y))
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where((n_c > 0) & (n_b > 0), n_c * n_b / (n_c + n_b), 0.0)
        diff = np.where(w > 0, s_c / np.maximum(n_c, 1) - s_b / np.maximum(n_b, 1), 0.0)
    llr = (delta * w * diff - delta**2 * w / 2) / sigma**2
    return first(llr >= math.log(1 / (ALPHA * SHARE["latency"])))


def oracle_latency_expected(shift: float, sigma: float) -> float:
    delta = math.log1p(shift)
    return math.log(1 / (ALPHA * SHARE["latency"])) / (delta**2 / (8 * sigma**2))


# ── the grid ──────────────────────────────────────────────────────────────────────────────


@dataclass
class Point:
    label: str
    oracle: list[float]
    judge: list[float]

    def ratio(self) -> float:
        return median(self.judge) / median(self.oracle)


def median(times: list[float]) -> float:
    """Median where a miss (no decision within the horizon) counts as ∞."""
    return float(statistics.median(times)) if times else math.nan


def at_or_inf(at: int | None) -> float:
    return math.inf if at is None else float(at + 1)


def errors_grid(rng: np.random.Generator, runs: int, null_runs: int) -> list[Point]:
    print(f"\nErrors: requests (both versions) to roll back, median of {runs} runs; "
          f"share of α {SHARE['errors']:.2f}")
    print(f"  {'base':>5} {'split':>5} {'ratio':>5} {'oracle':>10} {'judge':>10} "
          f"{'judge/oracle':>12} {'caught':>7}")
    points = []
    for base in BASE_RATES:
        for share in SPLITS:
            longest = 0
            for ratio in ERROR_RATIOS:
                horizon = int(8 * oracle_errors_expected(base, ratio, share)) + 20 * BLOCK
                horizon -= horizon % BLOCK
                longest = max(longest, horizon)
                point = Point(f"{base:.1%} {share:.0%} {ratio}×", [], [])
                for _ in range(runs):
                    ev = error_events(rng, base, ratio, share, horizon)
                    point.oracle.append(at_or_inf(oracle_errors(ev, ratio, share)))
                    point.judge.append(at_or_inf(judge_errors(ev)))
                caught = sum(math.isfinite(t) for t in point.judge) / runs
                print(f"  {base:>5.1%} {share:>5.0%} {ratio:>4}× {_n(median(point.oracle)):>10} "
                      f"{_n(median(point.judge)):>10} {point.ratio():>12.2f} {caught:>7.0%}")
                points.append(point)
            false = sum(judge_errors(error_events(rng, base, 1.0, share, longest)) is not None
                        for _ in range(null_runs))
            print(f"  {base:>5.1%} {share:>5.0%}   1×  false rollbacks {false / null_runs:6.1%} "
                  f"of {null_runs} runs × {longest:,} requests "
                  f"(share of α: {ALPHA * SHARE['errors']:.1%})")
    return points


def latency_grid(rng: np.random.Generator, runs: int, null_runs: int) -> list[Point]:
    print(f"\nLatency: requests (both versions, 50/50) to roll back, median of {runs} runs; "
          f"share of α {SHARE['latency']:.2f}")
    print(f"  {'σ':>5} {'shift':>6} {'oracle':>10} {'judge':>10} {'judge/oracle':>12} "
          f"{'caught':>7}")
    points = []
    for sigma in SIGMAS:
        longest = 0
        for shift in SHIFTS:
            horizon = int(6 * oracle_latency_expected(shift, sigma)) + 2_000
            longest = max(longest, horizon)
            point = Point(f"σ {sigma} +{shift:.0%}", [], [])
            for _ in range(runs):
                canary, latency = latency_stream(rng, shift, sigma, horizon)
                point.oracle.append(at_or_inf(oracle_latency(canary, latency, shift, sigma)))
                point.judge.append(at_or_inf(judge_latency(canary, latency)[0]))
            caught = sum(math.isfinite(t) for t in point.judge) / runs
            print(f"  {sigma:>5} {shift:>+6.0%} {_n(median(point.oracle)):>10} "
                  f"{_n(median(point.judge)):>10} {point.ratio():>12.2f} {caught:>7.0%}")
            points.append(point)
        latency_false = rollbacks = 0
        for _ in range(null_runs):
            at, decision = judge_latency(*latency_stream(rng, 0.0, sigma, longest))
            latency_false += at is not None
            rollbacks += decision == "rollback"
        print(f"  {sigma:>5}    +0%  false rollbacks on latency {latency_false / null_runs:6.1%} "
              f"(share of α: {ALPHA * SHARE['latency']:.2%}), by the whole judge "
              f"{rollbacks / null_runs:.1%} (α {ALPHA:.0%}), {null_runs} runs × {longest:,}")
    return points


def summary(points: list[Point]) -> None:
    ratios = [p.ratio() for p in points]
    worst = max(points, key=Point.ratio)
    print(f"\nJudge / oracle over the {len(points)} grid points: median "
          f"{statistics.median(ratios):.2f} (target ≤ 1.15), worst {worst.ratio():.2f} at "
          f"{worst.label} (target ≤ 1.5); {sum(r <= 1.5 for r in ratios)} of {len(ratios)} "
          f"points ≤ 1.5")


def _n(value: float) -> str:
    return f"{value:,.0f}" if math.isfinite(value) else "> horizon"


# ── end to end: the identical canary, Kayenta-style, throughput ────────────────────────────


@dataclass(frozen=True)
class Stream:
    canary: np.ndarray
    bad: np.ndarray
    latency: np.ndarray


def simulate(rng: np.random.Generator, n: int) -> Stream:
    canary = rng.random(n) < 0.5
    bad = rng.random(n) < BASE_ERRORS
    return Stream(canary, bad, np.exp(math.log(50.0) + SIGMA * rng.standard_normal(n)))


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


def identical(runs: int, n: int, rng: np.random.Generator) -> None:
    rollbacks = promotions = kayenta_fails = 0
    for _ in range(runs):
        s = simulate(rng, n)
        decision = Judge(SETTINGS).update(s.canary, ~s.bad, s.latency, 0.5).decision
        rollbacks += decision == "rollback"
        promotions += decision == "promote"
        kayenta_fails += kayenta(s) is not None
    print(f"\nIdentical canary, the whole judge: {runs} runs × {n:,} requests (1% errors, "
          f"σ {SIGMA}), checked after every request")
    print(f"  hotfix judge false rollbacks        {100 * rollbacks / runs:5.1f}%   "
          f"(α = {ALPHA:.0%})")
    print(f"  hotfix judge promotions             {100 * promotions / runs:5.1f}%")
    print(f"  Kayenta-style false failures        {100 * kayenta_fails / runs:5.1f}%")


def fixed_horizon(ratio: float = 1.25, power: float = 0.8) -> int:
    """Total requests of a one-sided two-proportion z-test sized for ``power`` at ``ratio``."""
    p0, p1 = BASE_ERRORS, BASE_ERRORS * ratio
    pbar = (p0 + p1) / 2
    z_a, z_b = norm.ppf(1 - ALPHA), norm.ppf(power)
    root = z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1))
    return 2 * math.ceil((root / (p1 - p0)) ** 2)


def throughput() -> None:
    rng = np.random.default_rng(0)
    s = simulate(rng, 1_000_000)
    for size in (1_000_000, 10_000, 1_000):
        judge = Judge()
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(0, s.canary.size, size):
            part = slice(i, i + size)
            judge.update(s.canary[part], ~s.bad[part], s.latency[part], 0.5)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"  1,000,000 requests in batches of {size:>9,}: {cpu:6.2f} s CPU "
              f"({elapsed:.2f} s wall)")


# ── promotion: a good canary through the rollout plan, on a simulated clock ───────────────

PROMOTION_RATES = (20, 100, 500)  # requests a second, both versions
GOOD = {"identical": (1.0, 1.0), "better": (0.5, 0.9)}  # canary: × errors, × latency
POLL = 1.0  # seconds between the controller's looks (rollout.poll_seconds)


def plan_minimum(plan: Plan, rate: float) -> float:
    """Seconds the plan takes at least: each judged step's bake time, or the time its
    minimum canary requests take at ``rate``, whichever is longer."""
    return sum(max(s.bake_seconds, s.min_requests / (rate * s.weight / 100))
               for s in plan.steps[:-1])


def promote_run(rng: np.random.Generator, plan: Plan, rate: float, base: float,
                kind: str) -> tuple[str, float]:
    """The outcome of one rollout and the simulated seconds it took."""
    errors, slower = GOOD[kind]
    judge, pos, now = Judge(SETTINGS), Position(), 0.0
    while True:
        share = plan.steps[pos.step].weight / 100
        n = rng.poisson(rate * POLL)
        canary = rng.random(n) < share
        bad = rng.random(n) < np.where(canary, base * errors, base)
        latency = np.exp(math.log(50.0) + SIGMA * rng.standard_normal(n)) * np.where(
            canary, slower, 1.0)
        verdict = judge.update(canary, ~bad, latency, share)
        now += POLL
        pos = pos.observed(int(canary.sum()), int(n - canary.sum()))
        move = next_move(plan, pos, verdict.decision, now)
        if move.action in (Action.PROMOTE, Action.ROLLBACK, Action.INCONCLUSIVE):
            return move.action.value, now
        if move.action == Action.ADVANCE:
            pos = pos.entered(move.step, now)


def promotion_grid(rng: np.random.Generator, runs: int) -> None:
    plan = parse_plan(DEFAULT_STEPS)
    print(f"\nPromotion of a good canary through the default plan ({plan.describe()}; "
          f"{runs} runs a point, a poll every {POLL:g} s): time to promotion ÷ the plan's "
          f"minimum (target ≤ 2)")
    print(f"  {'canary':>9} {'base':>5} {'req/s':>5} {'minimum':>8} {'median':>8} "
          f"{'× min':>6} {'worst ×':>8} {'promoted':>9} {'rolled back':>11} {'gave up':>7}")
    ratios = []
    for kind in GOOD:
        for base in BASE_RATES:
            for rate in PROMOTION_RATES:
                least = plan_minimum(plan, rate)
                outcomes = [promote_run(rng, plan, rate, base, kind) for _ in range(runs)]
                times = [t if what == "promote" else math.inf for what, t in outcomes]
                ratio = median(times) / least
                ratios.append(ratio)
                count = {what: sum(o == what for o, _ in outcomes) / runs
                         for what in ("promote", "rollback", "inconclusive")}
                print(f"  {kind:>9} {base:>5.1%} {rate:>5} {least:>7.0f}s "
                      f"{_s(median(times)):>8} {_r(ratio):>6} {_r(max(times) / least):>8} "
                      f"{count['promote']:>9.0%} {count['rollback']:>11.0%} "
                      f"{count['inconclusive']:>7.0%}")
    finite = [r for r in ratios if math.isfinite(r)]
    print(f"  over the {len(ratios)} points: median {_r(statistics.median(ratios))}× the minimum, "
          f"worst {_r(max(ratios))}×; {sum(r <= 2 for r in ratios)} of {len(ratios)} points "
          f"≤ 2× ({len(finite)} with a median run promoted)")


SPLIT_STEPS = ((0.05, 3_000), (0.25, 3_000), (0.5, 66_000))
"""The promotion grid's identical canary at 100 req/s: 30 s at 5%, 30 s at 25%, then the
50% step until ``max_wait_seconds`` runs out (60 s bake + 600 s)."""


def split_null(rng: np.random.Generator, runs: int, base: float = 0.001) -> None:
    """Identical canaries through the plan's weight changes, every request a look, counting
    any rollback within the whole 72,000 requests (also after a promotion, which the grid
    would have stopped at): an upper estimate of the grid's false-rollback rate."""
    hits, alone = 0, dict.fromkeys(("errors", "latency", "tail"), 0)
    for _ in range(runs):
        judge = Judge(SETTINGS)
        for share, n in SPLIT_STEPS:
            canary = rng.random(n) < share
            bad = rng.random(n) < base
            latency = np.exp(math.log(50.0) + SIGMA * rng.standard_normal(n))
            judge.update(canary, ~bad, latency, share)
        verdict = judge.verdict()
        hits += verdict.decision == "rollback"
        for m in verdict.metrics:
            alone[m.name] += m.regressed_at is not None
    upper = float(beta.ppf(0.95, hits + 1, runs - hits))
    print(f"\nIdentical canaries, split 5% → 25% → 50% ({sum(n for _, n in SPLIT_STEPS):,} "
          f"requests, {base:.1%} errors, σ {SIGMA}), {runs} runs: false rollbacks "
          f"{hits / runs:.2%} (one-sided 95% upper bound {upper:.2%}; α {ALPHA:.0%}); each "
          f"metric alone: " + ", ".join(f"{k} {v / runs:.2%} (share {ALPHA * SHARE[k]:.2%})"
                                        for k, v in alone.items()))


def _s(seconds: float) -> str:
    return f"{seconds:.0f}s" if math.isfinite(seconds) else "never"


def _r(ratio: float) -> str:
    return f"{ratio:.2f}" if math.isfinite(ratio) else "∞"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke check)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--promotion", action="store_true",
                        help="only the promotion of good canaries through the plan")
    parser.add_argument("--split-null", type=int, metavar="RUNS", default=0,
                        help="only identical canaries through the plan's weight changes")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    if args.split_null:
        started = time.perf_counter()
        split_null(rng, args.split_null)
        print(f"\nTotal time {time.perf_counter() - started:.0f} s")
        return
    runs, null_runs, latency_nulls = (12, 40, 20) if args.quick else (40, 200, 100)
    started = time.perf_counter()
    if args.promotion:
        promotion_grid(rng, 10 if args.quick else 30)
        print(f"\nTotal time {time.perf_counter() - started:.0f} s")
        return
    points = errors_grid(rng, runs, null_runs)
    two = next(p for p in points if p.label == "1.0% 50% 2.0×")
    print(f"  fixed-horizon test sized for 80% power at 1.25× (1%, 50%): {fixed_horizon():,} "
          f"requests = {fixed_horizon() / median(two.judge):.1f}× the judge at 2× (target ≥ 5)")
    points += latency_grid(rng, runs, latency_nulls)
    summary(points)
    identical(null_runs, 20_000, rng)
    promotion_grid(rng, 10 if args.quick else 30)
    print("\nThroughput (the same judge, evaluated after every request):")
    throughput()
    print(f"\nTotal time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
