"""The latency test's block sums: equal to a direct per-block computation, however batched."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hotfix.domain.judge.latency import Strata


def direct(canary: np.ndarray, y: np.ndarray, use: np.ndarray, block: int) -> tuple[float, ...]:
    """W, S, SS, df by looping over the blocks of the whole stream."""
    w = s = ss = df = 0.0
    for start in range(0, canary.size, block):
        c, v, u = canary[start:start + block], y[start:start + block], use[start:start + block]
        yc, yb = v[c & u], v[~c & u]
        if yc.size and yb.size:
            weight = yc.size * yb.size / (yc.size + yb.size)
            w += weight
            s += weight * (yc.mean() - yb.mean())
        for part in (yc, yb):
            if part.size:
                ss += float(((part - part.mean()) ** 2).sum())
                df += part.size - 1
    return w, s, ss, df


@given(st.integers(2, 40), st.lists(st.integers(0, 300), min_size=1, max_size=5),
       st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_block_sums_match_a_direct_computation(block: int, cuts: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = sum(cuts)
    canary = rng.random(n) < 0.3
    use = rng.random(n) < 0.9
    y = rng.standard_normal(n) + np.repeat(rng.normal(0, 3, n // block + 1), block)[:n]
    strata, start, last = Strata(block), 0, None
    for cut in cuts:
        stats = strata.feed(canary[start:start + cut], np.where(use, y, 0.0)[start:start + cut],
                            use[start:start + cut])
        assert stats.diff.size == cut
        last = stats if cut else last
        start += cut
    w, s, ss, df = direct(canary, y, use, block)
    got = strata.totals()[:, 0]
    assert np.allclose(got, [w, s, ss, df], rtol=1e-9, atol=1e-7)
    if last is not None and w > 0 and df > 0:
        assert math.isclose(float(last.diff[-1]), s / w, rel_tol=1e-9, abs_tol=1e-9)
        assert math.isclose(float(last.var[-1]), ss / df, rel_tol=1e-9)
