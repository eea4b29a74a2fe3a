"""A rollout world made of the shipped fakes on a manual clock, and a judge told what to say.

    world = World.make(rate=100)                 # v1 live behind the fake router
    rollout = world.rollout(judge=ScriptedJudge(promote_after(500)))
    rollout.enter(0); rollout.run()              # minutes of rollout, in milliseconds
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.deploy.fake import FakeTarget
from hotfix.adapters.metrics.fake import FakeTraffic, Profile
from hotfix.adapters.routers.fake import FakeRouter
from hotfix.domain.judge.intervals import Interval
from hotfix.domain.rollout.plan import Plan, parse_plan
from hotfix.domain.rollout.state import DeployState, Fleet
from hotfix.ports import JudgeLike, Split
from hotfix.services.rollout.canary import Progress, Rollout

PLAN = parse_plan([{"weight": 25, "min_requests": 40, "bake_seconds": 10},
                   {"weight": 50, "min_requests": 40, "bake_seconds": 10},
                   {"weight": 100}], max_wait_seconds=60)
GATED = parse_plan([{"weight": 25, "min_requests": 40, "bake_seconds": 10},
                    {"weight": 50, "min_requests": 40, "bake_seconds": 10, "gate": True},
                    {"weight": 100}], max_wait_seconds=60)


@dataclass(frozen=True)
class Said:
    decision: str
    seen: int

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "reason": f"scripted after {self.seen} requests",
                "requests_seen": self.seen}


class ScriptedJudge:
    """Says ``decide(requests seen so far)``; remembers the share given with each batch."""

    def __init__(self, decide: Callable[[int], str] = lambda seen: "continue") -> None:
        self.decide = decide
        self.seen = 0
        self.shares: list[float | None] = []
        self.finished = False

    def update(self, canary: npt.NDArray[np.bool_], ok: npt.NDArray[np.bool_],
               latency_ms: npt.NDArray[np.float64],
               expected_canary_share: float | None) -> Said:
        self.seen += len(canary)
        self.shares.append(expected_canary_share)
        return Said(self.decide(self.seen), self.seen)

    def update_intervals(self, intervals: Sequence[Interval],
                         shares: Sequence[float | None] | None = None) -> Said:
        self.seen += sum(iv.total for iv in intervals)
        self.shares.extend(shares or [None] * len(intervals))
        return Said(self.decide(self.seen), self.seen)

    def finish(self) -> Said:
        self.finished = True
        decision = self.decide(self.seen)
        return Said(decision if decision in ("rollback", "promote") else "inconclusive",
                    self.seen)


def promote_after(requests: int) -> Callable[[int], str]:
    return lambda seen: "promote" if seen >= requests else "continue"


@dataclass
class World:
    clock: ManualClock
    router: FakeRouter
    target: FakeTarget
    traffic: FakeTraffic
    baseline: Fleet
    canary: Fleet
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    saved: list[dict[str, Any]] = field(default_factory=list)  # every state saved, as JSON
    approved: set[int] = field(default_factory=set)  # gates approved (0-based steps)

    @classmethod
    def make(cls, profiles: Mapping[str, Profile] | None = None, rate: float = 100.0) -> World:
        clock, router, target = ManualClock(), FakeRouter(), FakeTarget()
        baseline, canary = Fleet("v1", target.start("v1", 2)), Fleet("v2", target.start("v2", 2))
        router.ensure()
        router.apply(Split({"v1": baseline.addresses}, {"v1": 100.0}))
        return cls(clock, router, target, FakeTraffic(clock, router, profiles, rate),
                   baseline, canary)

    def state(self) -> DeployState:
        return DeployState("HF-1", self.baseline, self.canary, started_at=self.clock.time())

    def rollout(self, *, plan: Plan = PLAN, judge: JudgeLike | None = None,
                state: DeployState | None = None, cursor: Mapping[str, Any] | None = None,
                **options: Any) -> Rollout:
        state = state or self.state()
        metrics = self.traffic.watch(canary="v2", baseline="v1", instances=dict, cursor=cursor)
        return Rollout(plan=plan, state=state, target=self.target, router=self.router,
                       metrics=metrics, judge=judge or ScriptedJudge(), clock=self.clock,
                       save=lambda s: self.saved.append(s.to_dict()),
                       on_event=lambda kind, body: self.events.append((kind, body)),
                       on_progress=self.progress.append, gate_approved=self.approved.__contains__,
                       **options)

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def canary_weights(self) -> list[float]:
        """The canary's weight in every split the router was given, in order."""
        return [split.weight("v2") for split in self.router.applied]
