"""Anytime validity of the canary judge when the traffic split changes mid-stream, and exact
expectations of its e-values under the null (computed, not simulated, on small cases)."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import beta, hypergeom

from hotfix.domain.judge.counts import BlockCounts, CountEvidence, block_log_lr
from hotfix.domain.judge.engine import Judge, JudgeSettings, regression_grid
from hotfix.domain.judge.latency import CHUNK, grid_log_e, shift_grid
from hotfix.domain.judge.mixture import logsumexp

STEPS = ((0.05, 1_230), (0.25, 1_770), (0.5, 9_000))
"""A rollout's split, 5% → 25% → 50%; the changes fall inside blocks of 100 requests."""


def upper_bound(hits: int, runs: int, level: float = 0.99) -> float:
    """One-sided Clopper–Pearson upper bound on a rate from ``hits`` of ``runs``."""
    return float(beta.ppf(level, hits + 1, runs - hits))


def stepped(rng: np.random.Generator, base: float, ratio: float = 1.0):
    """One stream through the steps: (canary, bad, share) per step."""
    for share, n in STEPS:
        canary = rng.random(n) < share
        bad = rng.random(n) < np.where(canary, base * ratio, base)
        yield canary, bad, share


def error_test_crosses(rng: np.random.Generator, level: float, base: float,
                       ratio: float = 1.0) -> bool:
    test = CountEvidence(100, 0.5, regression_grid(), None)
    for canary, bad, _ in stepped(rng, base, ratio):
        reg, _ = test.feed(canary, bad, np.ones(canary.size, dtype=bool))
        if reg.size and reg.max() >= level:
            return True
    return False


def test_error_test_keeps_alpha_when_the_split_changes_inside_blocks() -> None:
    """Identical versions, 5% → 25% → 50%: the error e-process crosses 1/α in at most α of
    runs — the 99% upper bound over 600 runs is below α — at a level where a test that kept
    the first step's share would cross in nearly every run; a real 2× regression is caught."""
    rng = np.random.default_rng(16)
    alpha, runs = 0.2, 600
    level = math.log(1 / alpha)
    false = sum(error_test_crosses(rng, level, 0.02) for _ in range(runs))
    assert upper_bound(false, runs) <= alpha
    caught = sum(error_test_crosses(rng, level, 0.02, ratio=2.0) for _ in range(100))
    assert caught >= 90


def test_a_test_that_ignores_the_new_split_would_fail_the_same_check() -> None:
    """The check above can fail: conditioning on the first step's share instead of each
    block's own split rolls identical canaries back as soon as the weight goes up."""
    rng = np.random.default_rng(17)
    grid = regression_grid()
    false = 0
    for _ in range(100):
        state = np.zeros(grid.offsets.size)
        for canary, bad, _ in stepped(rng, 0.02):
            blocks = canary.size // 100
            c = canary[: blocks * 100].reshape(blocks, 100)
            e = bad[: blocks * 100].reshape(blocks, 100)
            wrong = BlockCounts(np.full(blocks, 5.0), np.full(blocks, 95.0),
                                (c & e).sum(axis=1).astype(float), e.sum(axis=1).astype(float))
            state = state + block_log_lr(wrong, grid.offsets, 0.0).sum(axis=1)
        false += float(logsumexp(grid.log_weights + state)) >= math.log(1 / 0.2)
    assert false >= 90


def test_whole_judge_keeps_alpha_when_the_split_changes() -> None:
    """The whole judge (errors, latency, tail) on identical canaries, 5% → 25% → 50%,
    looked at after every request: the 99% upper bound on its rollbacks over 150 runs is
    below α."""
    rng = np.random.default_rng(18)
    alpha, runs = 0.2, 150
    settings = JudgeSettings(alpha=alpha)
    rollbacks = 0
    for _ in range(runs):
        judge = Judge(settings)
        for canary, bad, share in stepped(rng, 0.01):
            latency = np.exp(math.log(50.0) + 0.5 * rng.standard_normal(canary.size))
            verdict = judge.update(canary, ~bad, latency, share)
        rollbacks += verdict.decision == "rollback"
    assert upper_bound(rollbacks, runs) <= alpha, rollbacks


def test_error_mixture_over_blocks_of_different_splits_averages_to_at_most_one() -> None:
    """Exact: two blocks with different splits (1 of 6, then 4 of 6 canary requests) and
    every number of bad events; the mixture of the products of block LRs, averaged over
    the hypergeometric laws of both blocks, is ≤ 1 (and equals 1 for the binomial)."""
    grid = regression_grid()
    for m1 in range(7):
        for m2 in range(7):
            total = 0.0
            for x1 in range(min(m1, 1) + 1):
                for x2 in range(max(0, m2 - 2), min(m2, 4) + 1):
                    counts = BlockCounts(np.array([1.0, 4.0]), np.array([5.0, 2.0]),
                                         np.array([float(x1), float(x2)]),
                                         np.array([float(m1), float(m2)]))
                    log_lr = block_log_lr(counts, grid.offsets, 0.0).sum(axis=1)
                    p = hypergeom.pmf(x1, 6, 1, m1) * hypergeom.pmf(x2, 6, 4, m2)
                    total += p * math.exp(float(logsumexp(grid.log_weights + log_lr)))
            assert total <= 1 + 1e-9


def test_latency_grid_mixture_averages_to_one_without_a_shift() -> None:
    """Exact (Gauss–Hermite): with no shift the score a = I·D is N(0, I); every component
    exp(aΔ − IΔ²/2) averages to 1, so the mixture does; a faster canary (Δ < 0) gives less."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(120)
    weights = weights / weights.sum()
    grid = shift_grid(0.1)
    for info in (5.0, 80.0, 900.0):
        for true_shift, most in ((0.0, 1.0), (-0.05, 0.999)):
            a = info * true_shift + math.sqrt(info) * nodes
            mean = float(weights @ np.exp(grid_log_e(a, np.full(a.size, info), grid)))
            if true_shift == 0.0:
                assert math.isclose(mean, 1.0, rel_tol=1e-6)
            else:
                assert mean < most


def test_latency_grid_mixture_is_the_weighted_sum_in_chunks() -> None:
    rng = np.random.default_rng(3)
    grid = shift_grid(0.1)
    n = CHUNK + 17
    a, info = rng.normal(0, 10, n), rng.uniform(1, 400, n)
    terms = grid.log_weights[:, None] + np.outer(grid.offsets, a) - 0.5 * np.outer(
        grid.offsets**2, info)
    assert np.allclose(grid_log_e(a, info, grid), logsumexp(terms, axis=0))
    assert math.isclose(float(np.exp(grid.log_weights).sum()), 1.0)
    assert grid.offsets[0] < 0.05
    assert grid.offsets[-1] >= 0.3 - 1e-12
