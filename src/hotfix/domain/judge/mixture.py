"""Mixing grids and log-space helpers shared by the judge's e-processes.

Every e-process of the judge is a weighted average, over a grid of effect sizes, of
likelihood ratios. Averages of e-processes are e-processes, so the mixture keeps α while
adapting to the effect the data show. All arithmetic is in log space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Grid:
    """Effect offsets (log rate ratio, > 0) with log prior weights summing to one."""

    offsets: Floats
    log_weights: Floats


def offset_grid(lo: float, hi: float, n: int, centre: float, spread: float) -> Grid:
    """``n`` offsets evenly spaced in [lo, hi] with weights ∝ a normal density at ``centre``.

    Moderate effects get most of the weight; the tails of the grid keep some so that tiny
    and huge effects are still caught, only more slowly.
    """
    offsets = np.linspace(lo, hi, n)
    log_w = -0.5 * ((offsets - centre) / spread) ** 2
    log_w -= logsumexp(log_w)
    return Grid(offsets=offsets, log_weights=log_w)


def logsumexp(values: Floats, axis: int | None = None) -> Floats:
    """log Σ exp(values) along ``axis`` without overflow."""
    top = np.max(values, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    total = np.log(np.sum(np.exp(values - top), axis=axis, keepdims=True)) + top
    return np.asarray(np.squeeze(total, axis=axis), dtype=np.float64)


def mix(log_weights: Floats, log_lr: Floats) -> Floats:
    """log of the mixture Σ_g w_g LR_g for an array of shape (grid, time) → (time,)."""
    return logsumexp(log_weights[:, None] + log_lr, axis=0)


def first_at_least(path: Floats, level: float) -> int | None:
    """Index of the first element ≥ ``level``, or None."""
    hits = np.flatnonzero(path >= level)
    return int(hits[0]) if hits.size else None
