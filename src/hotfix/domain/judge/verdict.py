"""What the judge says, with the numbers behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["continue", "rollback", "promote", "inconclusive"]


def json_number(value: float) -> float | None:
    """A finite float rounded for display, or None (JSON has no inf/nan)."""
    return float(f"{value:.6g}") if math.isfinite(value) else None


def e_value(log_e: float) -> float:
    """exp(log E), capped so that it stays a finite float."""
    return math.exp(min(log_e, 700.0))


@dataclass(frozen=True)
class MetricVerdict:
    """One metric: its two e-processes, their thresholds, the effect estimate and bounds.

    ``estimate``, ``lower`` and ``upper`` are canary/baseline ratios: of error rates, of
    geometric-mean latencies, of slow-request rates. ``tolerance`` is the ratio below which
    the canary counts as fine; a metric that only rolls back (the tail) has no tolerance
    (inf) and no non-inferiority test.
    """

    name: str
    weight: float
    log_e_regression: float
    log_e_noninferior: float
    threshold_regression: float
    threshold_noninferior: float
    regressed_at: int | None
    within_tolerance_at: int | None
    estimate: float
    lower: float
    upper: float
    tolerance: float
    counts: dict[str, float] = field(default_factory=dict)

    @property
    def gates_promotion(self) -> bool:
        return math.isfinite(self.threshold_noninferior)

    def to_dict(self) -> dict[str, Any]:
        gates = self.gates_promotion
        return {
            "weight": json_number(self.weight),
            "e_regression": json_number(e_value(self.log_e_regression)),
            "threshold_regression": json_number(self.threshold_regression),
            "e_noninferior": json_number(e_value(self.log_e_noninferior)) if gates else None,
            "threshold_noninferior": json_number(self.threshold_noninferior),
            "regressed_at": self.regressed_at,
            "within_tolerance_at": self.within_tolerance_at,
            "ratio": json_number(self.estimate),
            "lower": json_number(self.lower),
            "upper": json_number(self.upper),
            "tolerance": json_number(self.tolerance),
            "counts": {k: json_number(v) for k, v in self.counts.items()},
        }


@dataclass(frozen=True)
class SampleRatioVerdict:
    checked: bool
    expected_share: float | None
    observed_share: float | None
    log_e: float
    threshold: float
    flagged_at: int | None

    @property
    def flagged(self) -> bool:
        return self.flagged_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "expected_share": _maybe(self.expected_share),
            "observed_share": _maybe(self.observed_share),
            "e_value": json_number(e_value(self.log_e)),
            "threshold": json_number(self.threshold),
            "flagged": self.flagged,
            "flagged_at": self.flagged_at,
        }


@dataclass(frozen=True)
class Verdict:
    """The judge's decision after the requests seen so far.

    ``decided_at`` is the 0-based index, in the whole stream, of the request after which the
    decision was reached (None while continuing). ``log_e`` is the combined regression
    e-process (weighted average over metrics), compared with 1/α. ``unit`` is what was
    counted: requests (a canary), or users (a flag rollout, domain/judge/users.py), in which
    case ``decided_at`` is the look, not the request.
    """

    decision: Decision
    reason: str
    decided_at: int | None
    alpha: float
    log_e: float
    requests: dict[str, int]
    metrics: tuple[MetricVerdict, ...]
    sample_ratio: SampleRatioVerdict
    unit: str = "request"

    @property
    def threshold(self) -> float:
        return 1 / self.alpha

    def metric(self, name: str) -> MetricVerdict:
        return next(m for m in self.metrics if m.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reason": self.reason,
            "decided_at": self.decided_at,
            "alpha": self.alpha,
            "e_value": json_number(e_value(self.log_e)),
            "threshold": json_number(self.threshold),
            "requests": dict(self.requests),
            "metrics": {m.name: m.to_dict() for m in self.metrics},
            "sample_ratio": self.sample_ratio.to_dict(),
            "unit": self.unit,
        }


def _maybe(value: float | None) -> float | None:
    return None if value is None else json_number(value)
