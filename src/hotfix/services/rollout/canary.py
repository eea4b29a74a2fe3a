"""The rollout loop: read metrics, feed the judge, take the plan's next move, persist.

Independent of the record and of the machine: the deploy service hands in the adapters
(target, router, metrics, clock), and callbacks for events (``on_event``), for progress
(``on_progress``) and for gate approvals (``gate_approved``). Every wait is on the clock,
so tests run the loop on a manual clock and fakes (``tests/services/rollout/test_canary_loop.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hotfix.domain.rollout.plan import Action, Move, Plan, next_move
from hotfix.domain.rollout.state import DeployState, Fleet, Status
from hotfix.ports import (
    Clock,
    DeployTarget,
    JudgeLike,
    MetricsSource,
    Observations,
    Router,
    Split,
    UserCounts,
    UserJudgeLike,
    VerdictLike,
)

WAITING = (Status.RUNNING, Status.GATED)


@dataclass
class Progress:
    """One look at a live rollout, for the progress display."""

    key: str
    status: Status
    step: int  # 1-based
    steps: int
    weight: float
    move: Action
    reason: str
    requests: dict[str, int]
    errors: dict[str, int]
    verdict: Mapping[str, Any]


@dataclass
class Tally:
    requests: dict[str, int] = field(default_factory=lambda: {"baseline": 0, "canary": 0})
    errors: dict[str, int] = field(default_factory=lambda: {"baseline": 0, "canary": 0})

    def add(self, obs: Observations) -> None:
        self.requests["canary"] += obs.canary_count
        self.requests["baseline"] += obs.baseline_count
        self.errors["canary"] += obs.errors(True)
        self.errors["baseline"] += obs.errors(False)


@dataclass(kw_only=True)
class Rollout:
    plan: Plan
    state: DeployState
    target: DeployTarget
    router: Router
    metrics: MetricsSource
    judge: JudgeLike | UserJudgeLike  # a flag rollout's judge counts users
    clock: Clock
    save: Callable[[DeployState], None]
    on_event: Callable[[str, dict[str, Any]], None]
    on_progress: Callable[[Progress], None] = lambda p: None
    gate_approved: Callable[[int], bool] = lambda step: False
    stopped: Callable[[], bool] = lambda: False  # someone else rolled back by hand
    poll_seconds: float = 1.0
    drain_seconds: float = 5.0
    on_inconclusive: str = "pause"
    share_known: bool = True  # False with sticky routing: the request share is not binomial
    tally: Tally = field(default_factory=Tally)
    _last_look: float = field(default=0.0, init=False)

    def replay(self) -> None:
        """Feed the judge everything since the rollout began (after a restart)."""
        obs = self.metrics.poll()
        self.tally.add(obs)
        self._judge(obs)

    def run(self) -> DeployState:
        while self.state.status in WAITING:
            if self.stopped():
                break
            obs = self.metrics.poll()
            self.tally.add(obs)
            verdict = self._judge(obs)
            self.state.position = self.state.position.observed(obs.canary_count,
                                                               obs.baseline_count)
            self.state.verdict = verdict.to_dict()
            move = next_move(self.plan, self.state.position, verdict.decision,
                             self.clock.time())
            self._report(move)
            self._take(move)
            self.save(self.state)
            if self.state.status in WAITING and move.action in (Action.HOLD, Action.GATE):
                self.clock.sleep(self.poll_seconds)
        return self.state

    def _judge(self, obs: Observations) -> VerdictLike:
        """Feed ``obs`` in segments, each with the weight that was live when it arrived."""
        if isinstance(self.judge, UserJudgeLike):
            return self._judge_users(self.judge, obs.users or UserCounts())
        history = self.state.weights if self.share_known else []
        if obs.intervals:
            return _judge_intervals(self.judge, obs, history)
        if history and len(obs):  # before the first step the canary had no traffic at all
            obs = _since(obs, history[0][0])
        if len(history) <= 1 or len(obs) == 0:
            share = history[-1][1] / 100.0 if history else None
            return self.judge.update(obs.canary, obs.ok, obs.latency_ms, share)
        verdict = None
        edges = [t for t, _ in history[1:]]
        segment = np.searchsorted(edges, obs.t, side="right")
        for index in np.unique(segment):
            rows = segment == index
            verdict = self.judge.update(obs.canary[rows], obs.ok[rows], obs.latency_ms[rows],
                                        history[index][1] / 100.0)
        assert verdict is not None
        return verdict

    def _judge_users(self, judge: UserJudgeLike, users: UserCounts) -> VerdictLike:
        """The users counted since the last look, judged at the share of users live all that
        time; a look over a change of split (or a replay) is counted, not judged."""
        history, since = self.state.weights, self._last_look
        self._last_look = self.clock.time()
        live = history and history[-1][0] < since
        share = history[-1][1] / 100.0 if live else None
        slow = (users.slow_canary, users.slow_baseline) if users.slow_counted else None
        return judge.update_users((users.seen_canary, users.seen_baseline),
                                  (users.failed_canary, users.failed_baseline), share,
                                  users.unlabelled, slow)

    @property
    def weight(self) -> float:
        return self.plan.steps[self.state.position.step].weight

    def _take(self, move: Move) -> None:
        if move.action == Action.GATE:
            self._gate(move.step)
        elif move.action == Action.ADVANCE:
            self.enter(move.step)
        elif move.action == Action.PROMOTE:
            self.promote(move.reason)
        elif move.action == Action.ROLLBACK:
            self.rollback(move.reason)
        elif move.action == Action.INCONCLUSIVE:
            self._inconclusive(move.reason)

    def _gate(self, step: int) -> None:
        if self.gate_approved(step):
            self.state.position = self.state.position.approve(step)
            self.state.status = Status.RUNNING
        elif self.state.status != Status.GATED:
            self.state.status = Status.GATED
            self._event("deploy_step", {"gate": step + 1, "waiting": True})

    def enter(self, step: int) -> None:
        """Give the canary the weight of ``step`` (at once) and start the step's clock."""
        weight = self.plan.steps[step].weight
        self.router.apply(_split(self.state.baseline, self.state.canary, weight))
        now = self.clock.time()
        self.state.position = self.state.position.entered(step, now)
        self.state.weights.append((now, weight))
        self.state.status = Status.RUNNING
        self.save(self.state)
        self._event("deploy_step", {"step": step + 1, "weight": weight})

    def promote(self, reason: str) -> None:
        st = self.state
        self.router.apply(Split({st.canary.version: st.canary.addresses},
                                {st.canary.version: 100.0}))
        self.router.drain(st.baseline.version, self.drain_seconds)
        self.target.stop(st.baseline.instances)
        st.status, st.reason = Status.PROMOTED, reason
        self.save(st)
        self._event("promote", {"reason": reason})

    def rollback(self, reason: str) -> float:
        """Canary weight to 0 at once, then stop its instances; seconds until 0 % was live."""
        st, began = self.state, self.clock.monotonic()
        self.router.apply(Split({st.baseline.version: st.baseline.addresses},
                                {st.baseline.version: 100.0}))
        zero_after = self.clock.monotonic() - began
        st.status, st.reason = Status.ROLLED_BACK, reason
        self.save(st)
        self.router.drain(st.canary.version, self.drain_seconds)
        self.target.stop(st.canary.instances)
        self._event("rollback", {"reason": reason, "zero_canary_after_s": round(zero_after, 4)})
        return zero_after

    def _inconclusive(self, reason: str) -> None:
        self.state.verdict = self.judge.finish().to_dict()
        if self.on_inconclusive == "rollback":
            self.rollback(f"inconclusive: {reason}")
        else:
            self.state.status, self.state.reason = Status.PAUSED, f"inconclusive: {reason}"
            self._event("deploy_step", {"paused": True, "reason": self.state.reason})

    def _event(self, kind: str, payload: dict[str, Any]) -> None:
        body = {**payload, "canary": self.state.canary.version,
                "baseline": self.state.baseline.version, "requests": dict(self.tally.requests),
                "errors": dict(self.tally.errors)}
        if self.state.verdict:
            body["verdict"] = self.state.verdict
        self.on_event(kind, body)

    def _report(self, move: Move) -> None:
        pos = self.state.position
        self.on_progress(Progress(
            self.state.key, self.state.status, pos.step + 1, len(self.plan.steps), self.weight,
            move.action, move.reason, dict(self.tally.requests), dict(self.tally.errors),
            self.state.verdict))


def _since(obs: Observations, t: float) -> Observations:
    keep = obs.t >= t
    return Observations(obs.t[keep], obs.canary[keep], obs.ok[keep], obs.latency_ms[keep])


def _split(baseline: Fleet, canary: Fleet, weight: float) -> Split:
    return Split({baseline.version: baseline.addresses, canary.version: canary.addresses},
                 {baseline.version: 100.0 - weight, canary.version: weight})


def step_for_weight(weights: Sequence[float], weight: float) -> int | None:
    matches = [i for i, w in enumerate(weights) if abs(w - weight) < 1e-9]
    return matches[0] if matches else None


def _judge_intervals(judge: JudgeLike, obs: Observations,
                     history: Sequence[tuple[float, float]]) -> VerdictLike:
    """Aggregates, each with the weight live throughout it (None, not checked, when the
    weight changed inside it); those that ended before the first step are dropped."""
    kept = [iv for iv in obs.intervals if not history or iv.end > history[0][0]]
    starts = [t for t, _ in history]

    def share(start: float, end: float) -> float | None:
        if not history or start < starts[0]:
            return None
        at = int(np.searchsorted(starts, start, side="right")) - 1
        changed = at + 1 < len(starts) and starts[at + 1] < end
        return None if changed else history[at][1] / 100.0

    return judge.update_intervals(kept, [share(iv.start, iv.end) for iv in kept])
