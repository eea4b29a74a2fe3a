"""Anytime-valid confidence bounds on a rate ratio, by inverting the count tests.

The null log rate ratios δ0 sit on a lattice of step h (≈ 5%), and each one-sided mixture
test uses alternatives δ0 ± k·h on the same lattice, so one pass over the lattice gives
every test: log LR(δ0 → δ0 + k h) = X k h − (S(δ0 + k h) − S(δ0)), with X the canary's
bad events and S(δ) = Σ_blocks m_j ψ(ρ_j, δ). A null is rejected when its mixture e-value
reaches 1/α; the bounds are the edges of the runs of rejected nulls. Reporting only: the
decisions use the e-processes of ``judge_counts`` directly.
"""

from __future__ import annotations

import numpy as np

from hotfix.domain.judge.mixture import Bools, Floats, logsumexp

STEP = 0.05
NULLS = STEP * np.arange(-78, 79)
"""Null log rate ratios, ratios from 1/49 to 49."""
OFFSETS = np.arange(1, 61)
"""Alternatives, in lattice steps from the null (5% … 20×)."""
_raw = -0.5 * ((STEP * OFFSETS - np.log(2.0)) / 0.6) ** 2
OFFSET_LOG_WEIGHTS = _raw - logsumexp(_raw)
_PAD = int(OFFSETS[-1])


def rate_ratio_bounds(
    splits: tuple[Floats, Floats, Floats], canary_events: float, alpha: float
) -> tuple[float, float]:
    """(lower, upper) bounds on the canary/baseline rate ratio; 0 and inf when unbounded.

    ``splits`` is (a, n, m): blocks where the canary had ``a`` of ``n`` eligible requests
    held ``m`` bad events in all; with the canary's event total that is all the tests need.
    """
    a, n, m = splits
    rho = a / np.maximum(n, 1)
    lattice = STEP * np.arange(-78 - _PAD, 79 + _PAD)
    s = np.log1p(rho[None, :] * np.expm1(lattice[:, None])) @ m
    nulls = np.arange(NULLS.size) + _PAD
    level = np.log(1 / alpha)
    rejected = []
    for side in (+1, -1):
        alt = nulls[:, None] + side * OFFSETS[None, :]
        lr = canary_events * side * STEP * OFFSETS[None, :] - (s[alt] - s[nulls][:, None])
        rejected.append(logsumexp(OFFSET_LOG_WEIGHTS[None, :] + lr, axis=1) >= level)
    return _edge(rejected[0], from_top=False), _edge(rejected[1], from_top=True)


def _edge(rejected: Bools, *, from_top: bool) -> float:
    """The last null of the run of rejected nulls starting at one end of the lattice."""
    order = rejected[::-1] if from_top else rejected
    run = int(np.argmin(order)) if not order.all() else order.size
    if run == 0:
        return float("inf") if from_top else 0.0
    index = NULLS.size - run if from_top else run - 1
    return float(np.exp(NULLS[index]))
