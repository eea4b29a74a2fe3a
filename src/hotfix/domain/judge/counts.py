"""Conditional-binomial e-processes for a bad-event count (errors, slow requests).

Requests are grouped in blocks of consecutive requests (a partition fixed in advance by
request count, ``Partition``, so it is the same however the caller batches the stream):
small at first, so that a large regression is seen within tens of requests, growing to
``block`` requests, so that a long canary loses little information to blocking (a block
of n requests keeps about (n − 1)/n of it). In block j the canary
served n_c of the n eligible requests, ρ_j = n_c / n, and x_j of the m_j bad events. Given
m_j, with no regression x_j is at most Binomial(m_j, ρ_j) in convex order (sampling without
replacement is less spread than with), so the likelihood ratio for a log rate ratio δ,

    LR_j(δ : δ0) = exp(x_j (δ − δ0) − m_j (ψ_j(δ) − ψ_j(δ0))),  ψ_j(δ) = log(1 + ρ_j (e^δ − 1)),

has expectation ≤ 1 under δ ≤ δ0 (regression test) or δ ≥ δ0 (non-inferiority twin).
Products over blocks, mixed over a grid of δ, are e-processes. Blocks with no bad events
or only one version contribute nothing: no data is no evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hotfix.domain.judge.bounds import rate_ratio_bounds
from hotfix.domain.judge.mixture import Bools, Floats, Grid, mix
from hotfix.domain.judge.nch import nch_block_log_lr

Ints = npt.NDArray[np.int64]

FLOOR_FRACTIONS = np.linspace(0.0, 0.9, 10)
"""Alternatives of the absolute floor test, as fractions of the floor."""
FLOOR_LOG_WEIGHTS = np.full(FLOOR_FRACTIONS.size, -np.log(FLOOR_FRACTIONS.size))
FLOOR_SHARE = 0.25
"""Weight of the floor test in the non-inferiority average (the ratio test has the rest):
the ratio test decides most promotions, so it keeps most of the weight."""


MIN_BLOCK = 10


@dataclass(frozen=True)
class Partition:
    """Blocks of consecutive requests: the block starting after s requests has ⌈√(2s)⌉
    requests, at least ``MIN_BLOCK`` and at most ``block`` (then every block has ``block``).

    Relative to the time already spent, the delay of a block (its size) and the information
    it loses (about one request's worth) are then both small: √(2s) balances them.
    """

    block: int
    growth: Ints = field(init=False)
    """Edges of the growing blocks, from 0 to the first edge of full size."""

    def __post_init__(self) -> None:
        edges, low = [0], min(MIN_BLOCK, self.block)
        while True:
            size = min(self.block, max(low, math.ceil(math.sqrt(2 * edges[-1]))))
            if size >= self.block:
                break
            edges.append(edges[-1] + size)
        object.__setattr__(self, "growth", np.array(edges, dtype=np.int64))

    def index(self, at: Ints) -> Ints:
        """The block of each request position."""
        g, end = self.growth, int(self.growth[-1])
        grown = np.searchsorted(g, at, side="right") - 1
        return np.where(at < end, grown, g.size - 1 + (at - end) // self.block)

    def edge(self, k: Ints) -> Ints:
        """Position of the first request of block ``k``."""
        g = self.growth
        end = int(g[-1])
        return np.where(k < g.size, g[np.minimum(k, g.size - 1)],
                        end + (k - (g.size - 1)) * self.block)


def psi(rho: Floats, delta: Floats) -> Floats:
    """ψ(ρ, δ) = log(1 + ρ (e^δ − 1)), broadcast."""
    return np.asarray(np.log1p(rho * np.expm1(delta)), dtype=np.float64)


@dataclass
class BlockCounts:
    """Counts per block: canary and baseline exposures, canary and total bad events."""

    n_c: Floats
    n_b: Floats
    x: Floats
    m: Floats

    def rho(self) -> Floats:
        total = self.n_c + self.n_b
        return np.divide(self.n_c, total, out=np.zeros_like(total), where=total > 0)


@dataclass
class Totals:
    canary: int = 0
    baseline: int = 0
    canary_events: int = 0
    baseline_events: int = 0


def block_log_lr(counts: BlockCounts, alt: Floats, null: float) -> Floats:
    """log LR per (alternative, block): shape (len(alt), blocks)."""
    rho = counts.rho()[None, :]
    informative = (counts.m > 0) & (counts.n_c > 0) & (counts.n_b > 0)
    gain = counts.x[None, :] * (alt[:, None] - null)
    cost = counts.m[None, :] * (psi(rho, alt[:, None]) - psi(rho, np.array(null)))
    return np.where(informative[None, :], gain - cost, 0.0)


@dataclass
class CountEvidence:
    """The regression e-process and its non-inferiority twin for one bad-event count.

    ``ni_grid`` None: a regression test only (the tail), whose non-inferiority side stays
    at log E = 0. ``floor`` > 0 adds, to the non-inferiority side, an absolute test "the
    canary's rate is below ``floor``" (a weighted average: ``FLOOR_SHARE`` of it, the rest
    the ratio test), so a service with no bad events at all can still be shown fine.
    """

    block: int
    margin: float
    grid: Grid
    ni_grid: Grid | None
    floor: float = 0.0
    totals: Totals = field(default_factory=Totals)
    _reg: Floats = field(init=False)
    _ni: Floats = field(init=False)
    _floor_lr: Floats = field(init=False)
    _pos: int = 0
    _partition: Partition = field(init=False)
    _partial: Floats = field(default_factory=lambda: np.zeros(4))
    _events_by_split: Floats = field(init=False)
    _large_splits: dict[tuple[int, int], float] = field(default_factory=dict)
    _canary_events: float = 0.0

    def __post_init__(self) -> None:
        self._reg = np.zeros(self.grid.offsets.size)
        self._ni = np.zeros(0 if self.ni_grid is None else self.ni_grid.offsets.size)
        self._floor_lr = np.zeros(FLOOR_FRACTIONS.size)
        self._events_by_split = np.zeros((self.block + 1, self.block + 1))
        self._partition = Partition(self.block)

    @property
    def null_ni(self) -> float:
        return float(np.log1p(self.margin))

    def feed(self, canary: Bools, event: Bools, eligible: Bools) -> tuple[Floats, Floats]:
        """Add requests; per request, log E of the regression and non-inferiority tests."""
        self._count_totals(canary, event, eligible)
        counts, done_at = self._blocks(canary, event, eligible)
        reg, ni = self.feed_blocks(counts)
        return reg[done_at], ni[done_at]

    def feed_blocks(self, counts: BlockCounts) -> tuple[Floats, Floats]:
        """Add complete blocks; log E of both tests before and after each (blocks + 1).

        For callers that count blocks themselves (the benchmark): only the e-values move,
        not the totals or the bounds; ``feed`` counts requests.
        """
        return self._advance_reg(counts), self._advance_ni(counts)

    def feed_counts(self, counts: BlockCounts) -> tuple[Floats, Floats]:
        """Add blocks counted elsewhere (one per monitoring interval): totals, bounds and
        both tests; log E after each block."""
        t = self.totals
        t.canary += int(counts.n_c.sum())
        t.baseline += int(counts.n_b.sum())
        t.canary_events += int(counts.x.sum())
        t.baseline_events += int((counts.m - counts.x).sum())
        self._record(np.stack([counts.n_c, counts.n_b, counts.x, counts.m]))
        reg, ni = self.feed_blocks(counts)
        return reg[1:], ni[1:]

    def flush(self) -> tuple[float, float]:
        """Fold the partial block in (the end of the bake time); the final log E values."""
        part = self._partial[:, None]
        this = self._partition.index(np.array([self._pos], dtype=np.int64))
        if self._pos > int(self._partition.edge(this)[0]):  # the next block starts afresh
            self._pos = int(self._partition.edge(this + 1)[0])
        self._partial = np.zeros(4)
        self._record(part)
        counts = BlockCounts(part[0], part[1], part[2], part[3])
        return float(self._advance_reg(counts)[-1]), float(self._advance_ni(counts)[-1])

    def log_e(self) -> tuple[float, float]:
        """Current log E of the regression and non-inferiority tests."""
        reg = mix(self.grid.log_weights, self._reg[:, None])
        if self.ni_grid is None:
            return float(reg[0]), 0.0
        ratio = mix(self.ni_grid.log_weights, self._ni[:, None])
        return float(reg[0]), float(self._with_floor(ratio, self._floor_lr[:, None])[0])

    def bounds(self, alpha: float) -> tuple[float, float]:
        """Anytime-valid (1 − α) lower and upper bounds on the rate ratio (0 / inf if none)."""
        a, n = np.nonzero(self._events_by_split)
        large = list(self._large_splits.items())
        splits = (np.concatenate([a, [k[0] for k, _ in large]]).astype(np.float64),
                  np.concatenate([n, [k[1] for k, _ in large]]).astype(np.float64),
                  np.concatenate([self._events_by_split[a, n], [m for _, m in large]]))
        return rate_ratio_bounds(splits, self._canary_events, alpha)

    def _count_totals(self, canary: Bools, event: Bools, eligible: Bools) -> None:
        t = self.totals
        c, b = canary & eligible, ~canary & eligible
        t.canary += int(c.sum())
        t.baseline += int(b.sum())
        t.canary_events += int((c & event).sum())
        t.baseline_events += int((b & event).sum())

    def _blocks(self, canary: Bools, event: Bools, eligible: Bools) -> tuple[BlockCounts, Ints]:
        n, start, part = canary.size, self._pos, self._partition
        at = start + np.arange(n + 1, dtype=np.int64)
        index = part.index(at)
        blk = index[:-1] - index[0]
        size = int(blk[-1]) + 1 if n else 1
        cols = [canary & eligible, ~canary & eligible, canary & event & eligible, event & eligible]
        sums = np.stack([np.bincount(blk, weights=c, minlength=size) for c in cols]).astype(
            np.float64
        )
        sums[:, 0] += self._partial
        complete = int(index[-1] - index[0])  # blocks that end within this batch
        self._partial = sums[:, complete].copy() if complete < size else np.zeros(4)
        self._pos = start + n
        done = sums[:, :complete]
        self._record(done)
        done_at = index[1:] - index[0]
        return BlockCounts(done[0], done[1], done[2], done[3]), done_at

    def _record(self, done: Floats) -> None:
        n_c, n = done[0].astype(int), (done[0] + done[1]).astype(int)
        small = n <= self.block  # blocks of requests; intervals may be larger
        np.add.at(self._events_by_split, (n_c[small], n[small]), done[3][small])
        for a, total, m in zip(n_c[~small].tolist(), n[~small].tolist(),
                               done[3][~small].tolist(), strict=True):
            if m > 0:
                self._large_splits[a, total] = self._large_splits.get((a, total), 0.0) + m
        self._canary_events += float(done[2].sum())

    def _advance_reg(self, counts: BlockCounts) -> Floats:
        lr = block_log_lr(counts, self.grid.offsets, 0.0)
        self._reg, path = advance(self._reg, lr)
        return mix(self.grid.log_weights, path)

    def _advance_ni(self, counts: BlockCounts) -> Floats:
        if self.ni_grid is None:
            return np.zeros(counts.x.size + 1)
        alt = self.null_ni - self.ni_grid.offsets
        lr = nch_block_log_lr(counts.n_c, counts.n_b, counts.x, counts.m, alt, self.null_ni)
        self._ni, path = advance(self._ni, lr)
        self._floor_lr, floor = advance(self._floor_lr, self._floor_log_lr(counts))
        return self._with_floor(mix(self.ni_grid.log_weights, path), floor)

    def _floor_log_lr(self, counts: BlockCounts) -> Floats:
        """Canary alone: log LR of a rate p = f·u < f against the floor f, per block."""
        if self.floor <= 0:
            return np.zeros((FLOOR_FRACTIONS.size, counts.x.size))
        u = FLOOR_FRACTIONS[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            bad = np.where(counts.x > 0, counts.x * np.log(u), 0.0)
        good = (counts.n_c - counts.x) * (np.log1p(-self.floor * u) - np.log1p(-self.floor))
        return np.asarray(bad + good, dtype=np.float64)

    def _with_floor(self, ratio: Floats, floor_path: Floats) -> Floats:
        if self.floor <= 0:
            return ratio
        floor = mix(FLOOR_LOG_WEIGHTS, floor_path) + np.log(FLOOR_SHARE)
        return np.asarray(np.logaddexp(ratio + np.log1p(-FLOOR_SHARE), floor), dtype=np.float64)


def advance(state: Floats, lr: Floats) -> tuple[Floats, Floats]:
    """Accumulate per-block log LRs (grid, blocks) onto ``state``.

    Returns the new state and the path (grid, blocks + 1) starting with the old state.
    """
    path = np.concatenate([state[:, None], state[:, None] + np.cumsum(lr, axis=1)], axis=1)
    return path[:, -1].copy(), path
