"""Latency: a normal-mixture SPRT on the shift of mean log-latency, canary − baseline.

Model: winsorised log-latency y = μ + Δ·[canary] + σ ε. With the baseline level μ
integrated out under its flat (right-Haar) prior, the likelihood ratio for Δ depends only on
D = ȳ_canary − ȳ_baseline and the information I = n_c n_b / ((n_c + n_b) σ²):

    LR(Δ) = exp(I D Δ − I Δ² / 2),

a martingale under Δ = 0 whatever the (predictable) traffic split. Mixing Δ over a
half-normal of scale τ on the regression side gives, in closed form (a = I D, b = I + 1/τ²),

    E = 2 / (τ √b) · exp(a² / 2b) · Φ(a / √b).

The non-inferiority twin tests Δ ≥ log(1 + tolerance) with a = I (log(1 + tol) − D). σ² is
the pooled variance of the data so far (plug-in), trusted only after a burn-in of ``size``
latencies per version; the winsorising cap and the tail threshold are frozen then, from the
baseline's burn-in latencies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr

from hotfix.domain.judge.mixture import Bools, Floats


def half_normal_log_e(a: Floats, info: Floats, tau: float) -> Floats:
    """log E of the one-sided normal mixture for score ``a`` and information ``info``."""
    b = info + 1.0 / tau**2
    value = np.log(2.0) - 0.5 * np.log(tau**2 * b) + a**2 / (2 * b) + log_ndtr(a / np.sqrt(b))
    return np.asarray(value, dtype=np.float64)


@dataclass
class Sums:
    """Running sums of centred, winsorised log-latency per version (index 0 canary)."""

    n: Floats = field(default_factory=lambda: np.zeros(2))
    s: Floats = field(default_factory=lambda: np.zeros(2))
    q: Floats = field(default_factory=lambda: np.zeros(2))

    def cumulative(self, canary: Bools, y: Floats, use: Bools) -> tuple[Floats, ...]:
        """Per-request running (n_c, n_b, s_c, s_b, q_c, q_b), then fold the batch in."""
        out = []
        for k, mask in enumerate((canary & use, ~canary & use)):
            v = np.where(mask, y, 0.0)
            out += [
                self.n[k] + np.cumsum(mask),
                self.s[k] + np.cumsum(v),
                self.q[k] + np.cumsum(v * v),
            ]
        n_c, s_c, q_c, n_b, s_b, q_b = out
        if canary.size:
            self.n = np.array([n_c[-1], n_b[-1]])
            self.s = np.array([s_c[-1], s_b[-1]])
            self.q = np.array([q_c[-1], q_b[-1]])
        return n_c, n_b, s_c, s_b, q_c, q_b


@dataclass(frozen=True)
class ShiftStats:
    """Difference of means, information and pooled variance at each request."""

    diff: Floats
    info: Floats
    var: Floats

    @classmethod
    def of(cls, sums: tuple[Floats, ...]) -> ShiftStats:
        """From running (n_c, n_b, s_c, s_b, q_c, q_b)."""
        n_c, n_b, s_c, s_b, q_c, q_b = sums
        nc, nb = np.maximum(n_c, 1.0), np.maximum(n_b, 1.0)
        within = (q_c - s_c**2 / nc) + (q_b - s_b**2 / nb)
        var = np.maximum(within / np.maximum(n_c + n_b - 2, 1.0), 1e-12)
        info = np.where((n_c > 0) & (n_b > 0), nc * nb / ((nc + nb) * var), 0.0)
        return cls(diff=s_c / nc - s_b / nb, info=info, var=var)


@dataclass
class Burnin:
    """Holds latencies until both versions have ``size``; then freezes cap and threshold."""

    size: int
    winsor_quantile: float
    tail_quantile: float
    cap: float | None = None
    threshold: float | None = None
    shift: float = 0.0
    _held: list[tuple[Bools, Floats]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.cap is not None

    def take(self, canary: Bools, y: Floats, use: Bools) -> int:
        """Hold this batch's latencies; the index where burn-in ends (−1: not in this batch)."""
        held_c = sum(int(c.sum()) for c, _ in self._held)
        held_b = sum(c.size - int(c.sum()) for c, _ in self._held)
        n_c = held_c + np.cumsum(canary & use)
        n_b = held_b + np.cumsum(~canary & use)
        ready = np.flatnonzero((n_c >= self.size) & (n_b >= self.size))
        end = int(ready[0]) if ready.size else canary.size - 1
        part = slice(0, end + 1)
        self._held.append((canary[part][use[part]], y[part][use[part]]))
        if ready.size:
            self._freeze()
        return end if ready.size else -1

    def release(self) -> tuple[Bools, Floats]:
        """The held latencies (centred, winsorised) once frozen; empties the buffer."""
        canary = np.concatenate([c for c, _ in self._held])
        y = np.concatenate([v for _, v in self._held])
        self._held = []
        return canary, self.clip(y)

    def clip(self, y: Floats) -> Floats:
        assert self.cap is not None
        return np.minimum(y, self.cap) - self.shift

    def _freeze(self) -> None:
        canary = np.concatenate([c for c, _ in self._held])
        base = np.concatenate([v for _, v in self._held])[~canary]
        self.shift = float(np.median(base))
        self.cap = float(np.quantile(base, self.winsor_quantile))
        self.threshold = float(np.quantile(base, self.tail_quantile))


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
