"""The conditional-binomial e-processes: exact validity, batching, oracles."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, hypergeom, nchypergeom_fisher

from hotfix.domain.judge.counts import (
    MIN_BLOCK,
    BlockCounts,
    CountEvidence,
    Partition,
    block_log_lr,
)
from hotfix.domain.judge.engine import noninferiority_grid, regression_grid
from hotfix.domain.judge.mixture import logsumexp
from hotfix.domain.judge.nch import nch_block_log_lr


def evidence(block: int = 10, margin: float = 0.5, floor: float = 0.0) -> CountEvidence:
    return CountEvidence(block, margin, regression_grid(), noninferiority_grid(margin), floor=floor)


def one_block(n_c: int, n_b: int, x: float, m: int) -> BlockCounts:
    return BlockCounts(
        np.array([float(n_c)]), np.array([float(n_b)]), np.array([x]), np.array([float(m)])
    )


def mixture_lr(n_c: int, n_b: int, m: int, alt: np.ndarray, null: float, log_w: np.ndarray):
    """The mixture LR of one block for every possible canary count x = 0..m."""
    xs = np.arange(m + 1, dtype=float)
    lr = np.stack([block_log_lr(one_block(n_c, n_b, x, m), alt, null)[:, 0] for x in xs], axis=1)
    return np.exp(logsumexp(log_w[:, None] + lr, axis=0))


def mixture_lr_nch(n_c: int, n_b: int, m: int, alt: np.ndarray, null: float, log_w: np.ndarray):
    xs = np.arange(m + 1, dtype=float)
    one = [np.array([float(v)]) for v in (n_c, n_b)]
    lr = np.stack(
        [nch_block_log_lr(*one, np.array([x]), np.array([float(m)]), alt, null)[:, 0] for x in xs],
        axis=1,
    )
    return np.exp(logsumexp(log_w[:, None] + lr, axis=0))


blocks = st.tuples(st.integers(1, 40), st.integers(1, 40)).flatmap(
    lambda nn: st.tuples(st.just(nn[0]), st.just(nn[1]), st.integers(0, nn[0] + nn[1]))
)


@given(blocks)
@settings(max_examples=150, deadline=None)
def test_regression_block_has_expectation_at_most_one_without_replacement(block) -> None:
    """Equal error rates: x | m is hypergeometric; the mixture LR averages to ≤ 1 (exactly)."""
    n_c, n_b, m = block
    grid = regression_grid()
    lr = mixture_lr(n_c, n_b, m, grid.offsets, 0.0, grid.log_weights)
    pmf = hypergeom.pmf(np.arange(m + 1), n_c + n_b, n_c, m)
    assert float(pmf @ lr) <= 1 + 1e-9


@given(blocks)
@settings(max_examples=150, deadline=None)
def test_noninferiority_block_has_expectation_at_most_one_at_the_margin(block) -> None:
    """Canary odds worse by exactly the margin: x | m is Fisher's noncentral hypergeometric."""
    n_c, n_b, m = block
    margin = 0.5
    grid = noninferiority_grid(margin)
    null = math.log1p(margin)
    lr = mixture_lr_nch(n_c, n_b, m, null - grid.offsets, null, grid.log_weights)
    lo, hi = max(0, m - n_b), min(m, n_c)
    support = np.arange(lo, hi + 1)
    pmf = nchypergeom_fisher.pmf(support, n_c + n_b, n_c, m, 1 + margin)
    assert float(pmf @ lr[support]) <= 1 + 1e-9


@given(st.integers(1, 50), st.integers(1, 50), st.integers(0, 60), st.floats(0.0, 2.5))
def test_one_block_log_lr_matches_the_binomial_likelihood_ratio(n_c, n_b, m, delta) -> None:
    """Oracle: scipy's binomial pmf at θ(δ) over the pmf at ρ."""
    x = min(m, n_c) // 2
    rho = n_c / (n_c + n_b)
    theta = rho * math.exp(delta) / (rho * math.exp(delta) + 1 - rho)
    ours = block_log_lr(one_block(n_c, n_b, x, m), np.array([delta]), 0.0)[0, 0]
    expected = binom.logpmf(x, m, theta) - binom.logpmf(x, m, rho) if m else 0.0
    assert math.isclose(ours, expected, abs_tol=1e-9)


streams = st.lists(st.tuples(st.booleans(), st.booleans()), max_size=400)


@given(streams, st.lists(st.integers(1, 80), min_size=1, max_size=8), st.sampled_from([10, 100]))
@settings(max_examples=80, deadline=None)
def test_batching_does_not_change_the_evidence(rows, cuts, block) -> None:
    """Blocks are fixed by request count: any batching gives the same per-request path
    (with block 100, across the blocks that grow from 10 requests)."""
    canary = np.array([r[0] for r in rows], dtype=bool)
    bad = np.array([r[1] for r in rows], dtype=bool)
    every = np.ones(canary.size, dtype=bool)
    whole = evidence(block).feed(canary, bad, every)
    split, parts, start = evidence(block), [], 0
    for cut in [*cuts, canary.size]:
        end = min(canary.size, start + cut) if cut != canary.size else canary.size
        parts.append(split.feed(canary[start:end], bad[start:end], every[start:end]))
        start = end
    for k in range(2):
        assert np.allclose(np.concatenate([p[k] for p in parts]), whole[k])


@given(streams)
@settings(max_examples=60, deadline=None)
def test_evidence_starts_at_one_and_stays_a_finite_positive_number(rows) -> None:
    canary = np.array([r[0] for r in rows], dtype=bool)
    bad = np.array([r[1] for r in rows], dtype=bool)
    ev = evidence(floor=0.01)
    assert np.allclose(ev.log_e(), 0.0, atol=1e-12)
    reg, ni = ev.feed(canary, bad, np.ones(canary.size, dtype=bool))
    assert np.isfinite(reg).all()
    assert np.isfinite(ni).all()


def test_no_bad_events_and_one_version_only_are_no_evidence() -> None:
    ev = evidence()
    n = 1000
    reg, ni = ev.feed(np.ones(n, dtype=bool), np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    assert np.allclose(reg, 0.0, atol=1e-12)
    assert np.allclose(ni, 0.0, atol=1e-12)
    reg, ni = ev.feed(np.ones(n, dtype=bool), np.ones(n, dtype=bool), np.ones(n, dtype=bool))
    assert np.allclose(reg, 0.0, atol=1e-12)
    assert np.allclose(ni, 0.0, atol=1e-12)


def test_identical_streams_rarely_cross() -> None:
    """Seeded Monte Carlo: 300 identical runs, each looked at after every request."""
    rng = np.random.default_rng(12345)
    crossings = 0
    for _ in range(300):
        canary = rng.random(6000) < rng.choice([0.05, 0.25, 0.5])
        bad = rng.random(6000) < 0.02
        reg, _ = evidence(block=100).feed(canary, bad, np.ones(6000, dtype=bool))
        crossings += bool(reg.max() >= math.log(20))
    assert crossings <= 0.05 * 300


def test_a_doubled_rate_is_detected_and_bounded_above_one() -> None:
    rng = np.random.default_rng(7)
    canary = rng.random(20_000) < 0.5
    bad = rng.random(20_000) < np.where(canary, 0.04, 0.02)
    ev = evidence(block=100)
    reg, _ = ev.feed(canary, bad, np.ones(20_000, dtype=bool))
    assert reg.max() >= math.log(20)
    lower, upper = ev.bounds(0.05)
    assert 1.0 < lower < 2.0 < upper


def test_error_free_canary_is_shown_fine_by_the_floor() -> None:
    ev = evidence(block=100, floor=0.001)
    n = 30_000
    _, ni = ev.feed(np.arange(n) % 2 == 0, np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    assert ni[-1] >= math.log(20)


def test_blocks_grow_from_ten_requests_to_the_block_size() -> None:
    part = Partition(100)
    edges = part.edge(np.arange(400))
    sizes = np.diff(edges)
    assert sizes[0] == MIN_BLOCK
    assert (np.diff(sizes) >= 0).all()
    assert sizes.max() == 100
    assert edges[int(np.argmax(sizes == 100))] < 5_000  # full size from about √(2s) = 100
    at = np.arange(20_000)
    k = part.index(at)
    assert (edges[k] <= at).all()
    assert (at < edges[k + 1]).all()
    assert (np.diff(Partition(10).edge(np.arange(50))) == 10).all()


def test_a_large_regression_is_seen_after_the_first_small_blocks() -> None:
    """The first blocks have 10 requests: the evidence of a 20%-error canary beside an
    error-free baseline arrives within them, not after a block of 100."""
    rng = np.random.default_rng(5)
    canary = np.arange(400) % 2 == 0
    bad = canary & (rng.random(400) < 0.5)
    reg, _ = evidence(block=100).feed(canary, bad, np.ones(400, dtype=bool))
    assert reg[9] > 0.0
    assert abs(reg[8]) < 1e-12  # nothing before the first block is complete
    assert int(np.argmax(reg >= math.log(20))) < 100
