"""Rollout plans and the controller's next move: data in, data out.

A plan is a list of steps of canary traffic weight (percent). Each step but the last is
*judged*: it ends once the canary has served ``min_requests`` during the step and
``bake_seconds`` have passed, and the judge has not asked for a rollback. The last step must
be 100 %: reaching it is the promotion, and it needs the judge's ``promote`` (every metric
shown within tolerance). A step with ``gate = true`` waits for a person before it starts.

    5 % ──bake──▶ 25 % ──bake──▶ 50 % ──bake + judge says promote──▶ 100 % (promoted)
       └──────────── judge says rollback, at any time ──────────────▶ 0 % (rolled back)

No data is no evidence: a step without canary traffic holds, says so, and ends
``inconclusive`` after ``max_wait_seconds``; it never promotes.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """The controller's next move."""

    HOLD = "hold"
    ADVANCE = "advance"
    GATE = "gate"
    PROMOTE = "promote"
    ROLLBACK = "rollback"
    INCONCLUSIVE = "inconclusive"


STEP_KEYS = ("weight", "min_requests", "bake_seconds", "gate")
DEFAULT_STEPS: list[dict[str, Any]] = [
    {"weight": 5, "min_requests": 100, "bake_seconds": 30},
    {"weight": 25, "min_requests": 200, "bake_seconds": 30},
    {"weight": 50, "min_requests": 300, "bake_seconds": 60},
    {"weight": 100},
]


class PlanError(ValueError):
    """The plan in the configuration is malformed; the message names the step."""


@dataclass(frozen=True)
class Step:
    weight: float  # percent of requests sent to the canary
    min_requests: int = 0  # canary requests seen during this step before it may end
    bake_seconds: float = 0.0  # time spent at this weight before it may end
    gate: bool = False  # a person approves before this step starts


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    max_wait_seconds: float = 600.0  # beyond a step's bake time, before "inconclusive"

    @property
    def weights(self) -> list[float]:
        return [s.weight for s in self.steps]

    def describe(self) -> str:
        return " → ".join(f"{s.weight:g}%" + (" (gate)" if s.gate else "") for s in self.steps)


def parse_plan(raw: Sequence[Mapping[str, Any]], max_wait_seconds: float = 600.0) -> Plan:
    """Validate the ``rollout.steps`` setting into a plan."""
    steps = tuple(_parse_step(i, item) for i, item in enumerate(raw))
    if len(steps) < 2:
        raise PlanError("a plan needs at least one judged step below 100% and a final 100% step")
    for i, (a, b) in enumerate(itertools.pairwise(steps), start=2):
        if b.weight <= a.weight:
            raise PlanError(f"step {i}: weights must increase ({a.weight:g}% then {b.weight:g}%)")
    if steps[-1].weight != 100:
        raise PlanError(f"step {len(steps)}: the last step must be weight 100 (the promotion)")
    if steps[0].gate:
        raise PlanError("step 1: cannot be gated (running `hotfix deploy` is its approval)")
    if max_wait_seconds <= 0:
        raise PlanError(f"max_wait_seconds must be positive, got {max_wait_seconds}")
    return Plan(steps, float(max_wait_seconds))


def _parse_step(index: int, item: Mapping[str, Any]) -> Step:
    where = f"step {index + 1}"
    if not isinstance(item, Mapping):
        raise PlanError(f"{where}: must be a table like {{ weight = 5, bake_seconds = 30 }}")
    unknown = sorted(set(item) - set(STEP_KEYS))
    if unknown:
        raise PlanError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(STEP_KEYS)}")
    weight = _number(where, "weight", item.get("weight"))
    if not 0 < weight <= 100:
        raise PlanError(f"{where}: weight must be in (0, 100], got {weight:g}")
    min_requests = _number(where, "min_requests", item.get("min_requests", 0))
    bake = _number(where, "bake_seconds", item.get("bake_seconds", 0))
    if min_requests < 0 or bake < 0 or min_requests != int(min_requests):
        raise PlanError(f"{where}: min_requests must be a whole number ≥ 0 and bake_seconds ≥ 0")
    gate = item.get("gate", False)
    if not isinstance(gate, bool):
        raise PlanError(f"{where}: gate must be true or false, got {gate!r}")
    return Step(weight, int(min_requests), bake, gate)


def _number(where: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanError(f"{where}: {name} must be a number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Position:
    """Where a rollout stands; persisted so that a killed controller can resume."""

    step: int = 0
    step_started: float = 0.0  # epoch seconds
    canary_at_step: int = 0  # canary requests observed since the step started
    baseline_at_step: int = 0
    canary_total: int = 0
    approved_gates: frozenset[int] = field(default_factory=frozenset)

    def observed(self, canary: int, baseline: int) -> Position:
        return replace(self, canary_at_step=self.canary_at_step + canary,
                       baseline_at_step=self.baseline_at_step + baseline,
                       canary_total=self.canary_total + canary)

    def entered(self, step: int, now: float) -> Position:
        return replace(self, step=step, step_started=now, canary_at_step=0, baseline_at_step=0)

    def approve(self, step: int) -> Position:
        return replace(self, approved_gates=self.approved_gates | {step})

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "step_started": self.step_started,
                "canary_at_step": self.canary_at_step, "baseline_at_step": self.baseline_at_step,
                "canary_total": self.canary_total, "approved_gates": sorted(self.approved_gates)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Position:
        return cls(int(d["step"]), float(d["step_started"]), int(d["canary_at_step"]),
                   int(d["baseline_at_step"]), int(d["canary_total"]),
                   frozenset(int(g) for g in d.get("approved_gates", ())))


@dataclass(frozen=True)
class Move:
    action: Action
    reason: str
    step: int  # the step to enter (advance, gate, promote) or the current one


def next_move(plan: Plan, pos: Position, decision: str, now: float) -> Move:
    """The controller's next move, given the judge's latest ``decision``."""
    step = plan.steps[pos.step]
    if decision == "rollback":
        return Move(Action.ROLLBACK, "the judge found a regression", pos.step)
    overdue = now - pos.step_started - step.bake_seconds >= plan.max_wait_seconds
    if pos.canary_at_step == 0 or pos.baseline_at_step == 0:
        who = "the canary" if pos.canary_at_step == 0 else "the baseline"
        return _hold_or_give_up(pos, overdue, f"no traffic to {who} at this step: waiting")
    if pos.canary_at_step < step.min_requests:
        return _hold_or_give_up(pos, overdue, f"waiting for traffic: {pos.canary_at_step}/"
                                              f"{step.min_requests} canary requests at this step")
    elapsed = now - pos.step_started
    if elapsed < step.bake_seconds:
        return Move(Action.HOLD, f"baking: {elapsed:.0f}/{step.bake_seconds:g} s", pos.step)
    return _after_bake(plan, pos, decision, overdue)


def _after_bake(plan: Plan, pos: Position, decision: str, overdue: bool) -> Move:
    target = pos.step + 1
    final = target == len(plan.steps) - 1
    if final and decision != "promote":
        return _hold_or_give_up(pos, overdue, "the judge has not yet shown the canary within "
                                              "tolerance on every metric")
    if plan.steps[target].gate and target not in pos.approved_gates:
        waits = f"step {target + 1} ({plan.steps[target].weight:g}%) waits for approval"
        return Move(Action.GATE, waits, target)
    if final:
        return Move(Action.PROMOTE, "every metric within tolerance; plan complete", target)
    return Move(Action.ADVANCE, f"step {pos.step + 1} done", target)


def _hold_or_give_up(pos: Position, overdue: bool, reason: str) -> Move:
    if overdue:
        return Move(Action.INCONCLUSIVE, f"gave up waiting ({reason})", pos.step)
    return Move(Action.HOLD, reason, pos.step)
