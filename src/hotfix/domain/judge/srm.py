"""Sample-ratio check: is the canary getting the share of traffic it was given?

A mixture, over log-odds shifts η of both signs, of the likelihood ratios of
"P(canary) = logistic(logit ρ + η)" against the configured share ρ. An e-process under a
correct split; crossing 1/α flags a broken router (dropped, duplicated or mis-routed
requests), which would otherwise leave the comparison with missing data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hotfix.domain.judge.mixture import Bools, Floats, logsumexp, mix

SHIFTS = np.concatenate([-np.geomspace(0.01, 3.0, 15), np.geomspace(0.01, 3.0, 15)])
SHIFT_LOG_WEIGHTS = np.full(SHIFTS.size, -np.log(SHIFTS.size))
CHUNK = 1 << 15


@dataclass
class SampleRatio:
    alpha: float
    canary: int = 0
    total: int = 0
    expected: float = 0.0
    _lr: Floats = field(default_factory=lambda: np.zeros(SHIFTS.size))

    def feed(self, canary: Bools, share: float) -> Floats:
        """Per-request log E after each request of a batch sent with canary share ``share``."""
        out = [self._chunk(canary[i : i + CHUNK], share) for i in range(0, canary.size, CHUNK)]
        self.canary += int(canary.sum())
        self.total += canary.size
        self.expected += share * canary.size
        return np.concatenate(out) if out else np.zeros(0)

    def feed_counts(self, canary: Floats, total: Floats, shares: Floats) -> Floats:
        """Per-interval log E after each interval of ``total`` requests, ``canary`` of them
        to the canary, sent with canary share ``shares`` (NaN: unknown, not checked)."""
        out = np.zeros(canary.size)
        for j, (hits, seen, share) in enumerate(zip(canary, total, shares, strict=True)):
            if 0 < share < 1:
                self._lr = self._lr + SHIFTS * hits - np.log1p(share * np.expm1(SHIFTS)) * seen
                self.canary += int(hits)
                self.total += int(seen)
                self.expected += float(share) * float(seen)
            out[j] = self.log_e()
        return out
    def feed_units(self, canary: int, total: int, share: float) -> float:
        """Add ``total`` units at once, ``canary`` of them the canary's; log E after them.

        For units counted between two looks (users first served): only the value at the
        look is an e-process value, so nothing inside the batch is looked at."""
        if 0 < share < 1 and total > 0:
            norm = np.log1p(share * np.expm1(SHIFTS))
            self._lr = self._lr + SHIFTS * canary - norm * total
        self.canary += canary
        self.total += total
        self.expected += share * total
        return self.log_e()

    def log_e(self) -> float:
        return float(mix(SHIFT_LOG_WEIGHTS, self._lr[:, None])[0])

    def _chunk(self, canary: Bools, share: float) -> Floats:
        if not 0 < share < 1:
            return np.full(canary.size, self.log_e())
        hits = np.cumsum(canary)
        seen = np.arange(1, canary.size + 1)
        norm = np.log1p(share * np.expm1(SHIFTS))
        lr = self._lr[:, None] + SHIFTS[:, None] * hits[None, :] - norm[:, None] * seen[None, :]
        self._lr = lr[:, -1].copy()
        return logsumexp(SHIFT_LOG_WEIGHTS[:, None] + lr, axis=0)
