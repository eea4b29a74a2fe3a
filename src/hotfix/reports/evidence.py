"""The canary's evidence as the record holds it: one point per deploy step and decision.

Each ``deploy_step``, ``promote`` and ``rollback`` event carries the requests and errors per
version so far and, once the judge has spoken, its verdict (per metric: the canary/baseline
ratio, its anytime-valid bounds and the tolerance). ``evidence(events)`` lines them up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotfix.domain.record.events import Event

ROLLOUT_EVENTS = ("deploy", "deploy_step", "promote", "rollback")


@dataclass(frozen=True)
class Bounds:
    ratio: float | None
    lower: float | None
    upper: float | None
    tolerance: float | None


@dataclass(frozen=True)
class Point:
    seconds: float  # since the deploy began
    kind: str  # deploy_step | promote | rollback
    weight: float  # the canary's share of traffic (%) from this point on
    requests: Mapping[str, int]  # baseline / canary, so far
    errors: Mapping[str, int]
    metrics: Mapping[str, Bounds] = field(default_factory=dict)

    def error_rate(self, side: str) -> float | None:
        seen = self.requests.get(side, 0)
        return None if not seen else self.errors.get(side, 0) / seen


@dataclass(frozen=True)
class Evidence:
    baseline: str
    canary: str
    started: datetime
    points: tuple[Point, ...]
    decision: str | None  # promote | rollback | None while it runs
    reason: str | None

    @property
    def decided_after(self) -> float | None:
        return self.points[-1].seconds if self.decision and self.points else None


def evidence(events: Iterable[Event]) -> Evidence | None:
    """The newest rollout's evidence, None when the record was never deployed."""
    rollout: list[Event] = []
    for event in events:
        if event.kind == "deploy":
            rollout = [event]
        elif event.kind in ROLLOUT_EVENTS and rollout:
            rollout.append(event)
    if not rollout:
        return None
    start, points, weight = rollout[0], [], 0.0
    decision = reason = None
    for event in rollout[1:]:
        body = event.payload
        if body.get("paused"):
            continue
        if event.kind == "deploy_step":
            weight = _number(body.get("weight"), weight)
        elif event.kind in ("promote", "rollback"):
            weight = 100.0 if event.kind == "promote" else 0.0
            decision, reason = event.kind, str(body.get("reason") or "")
        points.append(Point((event.at - start.at).total_seconds(), event.kind, weight,
                            _counts(body.get("requests")), _counts(body.get("errors")),
                            _metrics(body.get("verdict"))))
    baseline = str(start.payload.get("baseline") or "baseline")
    canary = str(start.payload.get("tag") or "canary")
    return Evidence(baseline, canary, start.at, tuple(points), decision, reason)


def _counts(value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): int(v) for k, v in value.items() if isinstance(v, int | float)}


def _metrics(verdict: Any) -> dict[str, Bounds]:
    if not isinstance(verdict, Mapping) or not isinstance(verdict.get("metrics"), Mapping):
        return {}
    found = {}
    for name, metric in verdict["metrics"].items():
        if isinstance(metric, Mapping):
            found[str(name)] = Bounds(*(_maybe(metric.get(k)) for k in
                                        ("ratio", "lower", "upper", "tolerance")))
    return found


def _maybe(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default
