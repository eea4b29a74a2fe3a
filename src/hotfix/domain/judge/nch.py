"""Exact conditional likelihood ratios for the non-inferiority side of the count tests.

Given m bad events in a block where the canary served n_c and the baseline n_b requests,
the canary's share x follows Fisher's noncentral hypergeometric law with the odds ratio ω
of the two bad-event probabilities:

    P(x | m) = C(n_c, x) C(n_b, m − x) ω^x / Z(ω),   Z(ω) = Σ_k C(n_c, k) C(n_b, m − k) ω^k.

The likelihood ratio ω_a : ω_0 has expectation exactly 1 under ω_0 and at most 1 for larger
ω, whatever the block's size. Showing ω < 1 + margin also shows the rate ratio below it
(for a worse canary the odds ratio exceeds the rate ratio). The binomial approximation is
not enough here: for small canary shares it overshoots 1 by up to 1% per block, which
compounds over thousands of blocks.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from hotfix.domain.judge.mixture import Floats, logsumexp


def log_choose(n: Floats, k: Floats) -> Floats:
    return np.asarray(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1), dtype=np.float64)


def nch_block_log_lr(
    n_c: Floats, n_b: Floats, x: Floats, m: Floats, alt: Floats, null: float
) -> Floats:
    """log LR per (alternative log odds ratio, block): shape (len(alt), blocks)."""
    out = np.zeros((alt.size, n_c.size))
    informative = np.flatnonzero((m > 0) & (n_c > 0) & (n_b > 0))
    if not informative.size:
        return out
    lo = np.maximum(0.0, m - n_b)
    width = (np.minimum(m, n_c) - lo + 1).astype(np.int64)
    for bucket in _buckets(informative, width):
        out[:, bucket] = _log_lr(
            n_c[bucket], n_b[bucket], x[bucket], m[bucket], lo[bucket], alt, null
        )
    return out


def _buckets(index: np.ndarray, width: np.ndarray) -> list[np.ndarray]:
    """Blocks grouped by support size (powers of two), so padding stays small."""
    size = np.ceil(np.log2(width[index])).astype(np.int64)
    return [index[size == s] for s in np.unique(size)]


def _log_lr(
    n_c: Floats, n_b: Floats, x: Floats, m: Floats, lo: Floats, alt: Floats, null: float
) -> Floats:
    k = lo[:, None] + np.arange(int(np.max(np.minimum(m, n_c) - lo)) + 1)[None, :]
    inside = k <= np.minimum(m, n_c)[:, None]
    kk = np.where(inside, k, lo[:, None])
    base = np.where(
        inside, log_choose(n_c[:, None], kk) + log_choose(n_b[:, None], m[:, None] - kk), -np.inf
    )
    points = np.concatenate([alt, [null]])
    log_z = logsumexp(base[None, :, :] + points[:, None, None] * k[None, :, :], axis=2)
    return np.asarray(
        x[None, :] * (alt[:, None] - null) - (log_z[:-1] - log_z[-1:]), dtype=np.float64
    )
