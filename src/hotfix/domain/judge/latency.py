"""Latency: a normal-mixture SPRT on the shift of mean log-latency, canary − baseline.

Model: winsorised log-latency y = μ + Δ·[canary] + σ ε. With the baseline level μ
integrated out under its flat (right-Haar) prior, the likelihood ratio for Δ depends only on
D = ȳ_canary − ȳ_baseline and the information I = n_c n_b / ((n_c + n_b) σ²):

    LR(Δ) = exp(I D Δ − I Δ² / 2),

a martingale under Δ = 0 whatever the (predictable) traffic split. The regression side
mixes Δ over a grid spread evenly in log Δ from τ/3 to 3τ (``shift_grid``, equal weights):
a +5% and a +30% shift are caught at about the same cost relative to an SPRT that knows
the shift, where one half-normal of scale τ favours shifts near τ. The non-inferiority twin
tests Δ ≥ log(1 + tolerance) with a = I (log(1 + tol) − D), mixed over a half-normal of
scale τ in closed form (a = I D, b = I + 1/τ²):

    E = 2 / (τ √b) · exp(a² / 2b) · Φ(a / √b).

The level μ may move with time (load on the machine) while the split changes (5% → 50%):
pooled means would then mistake the load of the later step for a canary effect. So μ is a
level per block of consecutive requests (``Strata``), each integrated out: D and I are sums
over blocks of within-block differences, valid whatever the load does between blocks. σ² is
the pooled within-block variance of the data so far (plug-in), trusted only after a burn-in
of ``size`` latencies per version; the winsorising cap is frozen then, from the baseline's
burn-in latencies. The slow-request threshold of the tail test is frozen separately, from
more baseline latencies (``TailThreshold``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr

from hotfix.domain.judge.mixture import Bools, Floats, Grid, logsumexp

SHIFT_POINTS = 16
CHUNK = 1 << 15


def shift_grid(tau: float) -> Grid:
    """Shifts of mean log-latency from τ/3 to 3τ, evenly spaced in log, equal weights."""
    offsets = np.geomspace(tau / 3, 3 * tau, SHIFT_POINTS)
    return Grid(offsets=offsets, log_weights=np.full(SHIFT_POINTS, -np.log(SHIFT_POINTS)))


def grid_log_e(a: Floats, info: Floats, grid: Grid) -> Floats:
    """log Σ_g w_g exp(a Δ_g − I Δ_g² / 2) for score ``a`` and information ``info``."""
    a, info = np.atleast_1d(a), np.atleast_1d(info)
    out = np.empty(a.size)
    d = grid.offsets[:, None]
    for i in range(0, a.size, CHUNK):
        part = slice(i, i + CHUNK)
        terms = grid.log_weights[:, None] + d * a[None, part] - 0.5 * d * d * info[None, part]
        out[part] = logsumexp(terms, axis=0)
    return out


def half_normal_log_e(a: Floats, info: Floats, tau: float) -> Floats:
    """log E of the one-sided normal mixture for score ``a`` and information ``info``."""
    b = info + 1.0 / tau**2
    value = np.log(2.0) - 0.5 * np.log(tau**2 * b) + a**2 / (2 * b) + log_ndtr(a / np.sqrt(b))
    return np.asarray(value, dtype=np.float64)


COLUMNS = 6
"""Per-block sums, canary then baseline: n_c, n_b, Σy_c, Σy_b, Σy²_c, Σy²_b."""


@dataclass(frozen=True)
class ShiftStats:
    """Difference of means, information and pooled variance at each request.

    Stratified by block: D = S / W with W = Σ_j n_cj n_bj / n_j and S = Σ_j w_j (ȳ_cj − ȳ_bj),
    so a level that moves between blocks (load) cancels, whatever the split in each block.
    The variance pools the residuals about each block's per-version means.
    """

    diff: Floats
    info: Floats
    var: Floats

    @classmethod
    def of(cls, totals: Floats) -> ShiftStats:
        """From running (W, S, SS, df) of shape (4, n)."""
        w, s, ss, df = totals
        var = np.maximum(np.divide(ss, df, out=np.zeros_like(ss), where=df > 0), 1e-12)
        diff = np.divide(s, w, out=np.zeros_like(s), where=w > 0)
        return cls(diff=diff, info=w / var, var=var)


def block_terms(part: Floats) -> Floats:
    """(W, S, SS, df) contributed by blocks with sums ``part`` of shape (6, n)."""
    n_c, n_b, s_c, s_b, q_c, q_b = part
    both = (n_c > 0) & (n_b > 0)
    nc, nb = np.maximum(n_c, 1.0), np.maximum(n_b, 1.0)
    w = np.where(both, nc * nb / (nc + nb), 0.0)
    s = w * (s_c / nc - s_b / nb)
    ss = np.maximum(q_c - s_c**2 / nc, 0.0) + np.maximum(q_b - s_b**2 / nb, 0.0)
    df = np.maximum(n_c - 1, 0.0) + np.maximum(n_b - 1, 0.0)
    return np.stack([w, s, ss, df])


@dataclass
class Strata:
    """Running block sums of winsorised, centred log-latency.

    Blocks are ``block`` consecutive requests (all requests count for the partition, with
    or without a latency), as in the count tests.
    """

    block: int
    filled: int = 0
    part: Floats = field(default_factory=lambda: np.zeros(COLUMNS))
    done: Floats = field(default_factory=lambda: np.zeros(4))
    n: Floats = field(default_factory=lambda: np.zeros(2))
    """Latencies used so far, canary and baseline."""

    def feed(self, canary: Bools, y: Floats, use: Bools) -> ShiftStats:
        """Add requests; the statistics after each one."""
        n = canary.size
        if not n:
            return ShiftStats.of(self.totals()[:, :0])
        c, b = canary & use, ~canary & use
        yc, yb = np.where(c, y, 0.0), np.where(b, y, 0.0)
        cum = np.cumsum(np.stack([c, b, yc, yb, yc * yc, yb * yb]).astype(np.float64), axis=1)
        self.n += cum[:2, -1]
        blk = (np.arange(n) + self.filled) // self.block
        starts = np.maximum(np.arange(int(blk[-1]) + 1) * self.block - self.filled, 0)
        before = np.concatenate([np.zeros((COLUMNS, 1)), cum], axis=1)[:, starts]
        part = cum - before[:, blk]
        part[:, blk == 0] += self.part[:, None]
        terms = block_terms(part)
        ends = (np.arange(starts.size) + 1) * self.block - 1 - self.filled
        ends = ends[ends < n]
        done = self.done[:, None] + np.concatenate(
            [np.zeros((4, 1)), np.cumsum(terms[:, ends], axis=1)], axis=1
        )
        totals = done[:, blk] + terms
        self.done = done[:, -1].copy()
        self.filled = (self.filled + n) % self.block
        self.part = part[:, -1].copy() if self.filled else np.zeros(COLUMNS)
        return ShiftStats.of(totals)

    def totals(self) -> Floats:
        """Running (W, S, SS, df) now, shape (4, 1)."""
        return self.done[:, None] + block_terms(self.part[:, None])


@dataclass
class Burnin:
    """Holds requests until both versions have ``size`` latencies; then freezes the cap."""

    size: int
    winsor_quantile: float
    cap: float | None = None
    shift: float = 0.0
    _held: list[tuple[Bools, Floats, Bools]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.cap is not None

    def take(self, canary: Bools, y: Floats, use: Bools) -> int:
        """Hold this batch's requests; the index where burn-in ends (−1: not in this batch)."""
        held_c = sum(int((c & u).sum()) for c, _, u in self._held)
        held_b = sum(int((~c & u).sum()) for c, _, u in self._held)
        n_c = held_c + np.cumsum(canary & use)
        n_b = held_b + np.cumsum(~canary & use)
        ready = np.flatnonzero((n_c >= self.size) & (n_b >= self.size))
        end = int(ready[0]) if ready.size else canary.size - 1
        part = slice(0, end + 1)
        self._held.append((canary[part], y[part], use[part]))
        if ready.size:
            self._freeze()
        return end if ready.size else -1

    def release(self) -> tuple[Bools, Floats, Bools]:
        """The held requests (latencies centred, winsorised) once frozen; empties the buffer."""
        canary, y, use = (np.concatenate(part) for part in zip(*self._held, strict=True))
        self._held = []
        return canary, np.where(use, self.clip(np.nan_to_num(y)), 0.0), use

    def clip(self, y: Floats) -> Floats:
        assert self.cap is not None
        return np.minimum(y, self.cap) - self.shift

    def _freeze(self) -> None:
        canary, y, use = (np.concatenate(part) for part in zip(*self._held, strict=True))
        base = y[~canary & use]
        self.shift = float(np.median(base))
        self.cap = float(np.quantile(base, self.winsor_quantile))


@dataclass
class TailThreshold:
    """Freezes the "slow" threshold at the ``quantile`` of the baseline's first ``size``
    latencies; only requests after those are counted (no data is used twice)."""

    size: int
    quantile: float
    threshold: float | None = None
    _held: list[Floats] = field(default_factory=list)
    _count: int = 0

    def take(self, canary: Bools, y: Floats, use: Bools) -> int:
        """Index of the first request of this batch that the tail test counts (its size:
        none yet)."""
        if self.threshold is not None or not canary.size:
            return 0
        base = ~canary & use
        seen = self._count + np.cumsum(base)
        ready = np.flatnonzero(seen >= self.size)
        end = int(ready[0]) if ready.size else canary.size - 1
        self._held.append(y[: end + 1][base[: end + 1]])
        self._count = int(seen[end])
        if not ready.size:
            return canary.size
        self.threshold = float(np.quantile(np.concatenate(self._held), self.quantile))
        self._held = []
        return end + 1


def bound_offset(info: float, tau: float, alpha: float) -> float:
    """The score a* at which the half-normal mixture reaches 1/α, divided by the information."""
    if info <= 0:
        return float("inf")
    level = math.log(1 / alpha)

    def gap(a: float) -> float:
        return float(half_normal_log_e(np.array(a), np.array(info), tau)) - level

    high = 1.0
    while gap(high) < 0:
        high *= 2
    root: float = brentq(gap, -high, high)
    return root / info
