"""A flag rollout: ``hotfix deploy HF-N --via flag:KEY`` moves the flag's percentage through
the rollout plan, judged on the flag's variants.

HF-N is the flag's record, in state ``set`` (approved, served). The canary is the variant
the flag rolls out (its one variant besides the default, or the first of its split), the
baseline the default. The same ``Rollout`` loop as a canary runs the plan, gates and bake
times; here its router is the flag (``FlagRouter``: each split is a ``deploy_step`` event
carrying the whole definition then served, so the very next OFREP evaluation sees it), no
instances start or stop, and its judge counts users (domain/judge/users.py) from the app's
counters by variant (adapters/metrics/variants.py). A regression sets the canary variant
to 0 % at once, then ``rollback`` (the record returns to ``set``); promotion sets it to 100 %,
then ``promote`` (``completed``). A kill during the rollout stops it.

A flag with targeting rules is rolled out on its fallthrough: the rules keep matching first,
each step moves the split that serves everyone they do not match, and the judge counts only
that population — the app's series labelled ``reason="SPLIT"`` (adapters/metrics/variants.py).
A split that serves a third variant cannot be judged as two sides, and is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotfix.domain.flags.model import Flag
from hotfix.domain.record.states import State
from hotfix.domain.rollout.plan import Plan
from hotfix.domain.rollout.state import DeployState, Fleet, Instance, Status
from hotfix.errors import ConfigError, ConflictError, UsageError
from hotfix.ports import RequestLogFile, Split, UserJudgeLike
from hotfix.ports.record import Records
from hotfix.services.context import Context
from hotfix.services.flags.catalog import flag_of
from hotfix.services.flags.changes import one
from hotfix.services.rollout.canary import Progress, Rollout, step_for_weight
from hotfix.services.rollout.record_link import gate_checker, recorder

VIA = "flag:"


def flag_key(via: str) -> str:
    if not via.startswith(VIA) or not via[len(VIA):]:
        raise UsageError(f"--via {via!r}: say which flag, --via flag:KEY",
                         hint="hotfix deploy HF-N --via flag:new-checkout")
    return via[len(VIA):]


def via_of(state: DeployState | None) -> str | None:
    """The ``--via`` of a saved rollout (None for a canary of versions)."""
    via = state.cursor.get("via") if state is not None else None
    return str(via) if via else None


class FlagRouter:
    """``ports.Router`` over a flag: a split of the two variants is the flag's percentage."""

    name = "flag"
    url = ""

    def __init__(self, records: Records, record: str, flag: str, actor: str) -> None:
        self.records, self.record, self.flag, self.actor = records, record, flag, actor

    def ensure(self) -> None:
        pass

    def served(self) -> Flag:
        flag = one(self.records, self.flag).served
        if flag is None:
            raise ConflictError(f"flag {self.flag!r} is not served")
        return flag

    def apply(self, split: Split) -> None:
        flag = self.served()
        canary, baseline = variants(flag)
        percent = round(split.weight(canary))
        definition = {**flag.to_dict(), "split": [[canary, percent], [baseline, 100 - percent]]}
        self.records.act(self.record, "deploy_step", self.actor, {
            "flag": self.flag, "definition": definition,
            "reason": f"rollout: {canary} at {percent} %"})

    def current(self) -> Split | None:
        flag = self.served()
        return Split(dict.fromkeys(flag.variants, ()), {v: float(w) for v, w in flag.split})

    def drain(self, version: str, timeout: float) -> bool:
        return True  # evaluations are not in flight: the next one sees the new split

    def stop(self) -> None:
        pass

    def request_log(self) -> RequestLogFile | None:
        return None


class NoFleet:
    """``ports.DeployTarget`` of a flag rollout: the app already runs, nothing starts."""

    name = "flag"

    def start(self, version: str, count: int) -> list[Instance]:
        return []

    def stop(self, instances: Any) -> None:
        pass

    def alive(self, instance: Instance) -> bool:
        return True


def variants(flag: Flag) -> tuple[str, str]:
    """(canary, baseline): the variant rolled out, and the default it is compared with."""
    others = [v for v in flag.variants if v != flag.default]
    split = [v for v, _ in flag.split if v != flag.default]
    canary = split[0] if split else (others[0] if len(others) == 1 else None)
    if canary is None:
        raise UsageError(f"flag {flag.key!r}: which variant to roll out? it has "
                         f"{len(others)} besides the default {flag.default!r}",
                         hint=f"put it first in the split: hotfix flags set {flag.key} "
                              "--split VARIANT=0")
    return canary, flag.default


def checked_flag(ctx: Context, key: str, flag: str) -> Flag:
    """The flag record ``key``'s served flag, if a rollout can judge it."""
    rec = ctx.records.get(key)
    if flag_of(rec) != flag:
        raise UsageError(f"{rec.key} is not flag {flag!r}'s record",
                         hint=f"hotfix flags show {flag} names its record")
    served = one(ctx.records, flag).served
    if served is None or served.killed:
        raise ConflictError(f"flag {flag!r} is {'killed' if served else 'not served yet'}",
                            hint=f"hotfix flags set {flag} … --reason \"…\" first")
    canary, baseline = variants(served)
    others = sorted(v for v, w in served.split if w and v not in (canary, baseline))
    if others:
        raise UsageError(f"flag {flag!r}'s split also serves {', '.join(others)}: a rollout "
                         f"compares two variants, {canary} and {baseline}",
                         hint=f"set their share to 0 first: hotfix flags set {flag} --split "
                              f"{canary}=0 --reason \"…\"")
    return served


def whole_percentages(plan: Plan) -> None:
    if any(w != int(w) for w in plan.weights):
        raise ConfigError("a flag's split is in whole percentages: rollout.steps has "
                          f"weights {plan.weights}", hint="use whole numbers in rollout.steps")


def start(ctx: Context, key: str, actor: str, flag: str, plan: Plan,
          on_progress: Callable[[Progress], None] | None = None) -> Rollout:
    """The rollout of a served flag, its first step entered; ``run()`` it."""
    served = checked_flag(ctx, key, flag)
    whole_percentages(plan)
    canary, baseline = variants(served)
    judge = ctx.rollout.user_judge()  # the judge.* settings are checked before acting
    ctx.records.act(key, "deploy", actor, {"via": VIA + flag, "flag": flag, "canary": canary,
                                           "baseline": baseline, "plan": plan.describe()})
    state = DeployState(key, Fleet(baseline), Fleet(canary),
                        controller=ctx.rollout.controllers.me(), started_at=ctx.clock.time())
    rollout = build(ctx, plan, state, actor, flag, on_progress, cursor=None, judge=judge)
    state.cursor = {"via": VIA + flag, **rollout.metrics.cursor()}
    ctx.rollout.states.save(state)
    rollout.enter(0)
    return rollout


def resumed(ctx: Context, plan: Plan, state: DeployState, actor: str,
            on_progress: Callable[[Progress], None] | None = None) -> Rollout:
    """A flag rollout whose controller died: everything since it began is counted (not
    judged: those counters cannot be split by step), then it goes on from its step."""
    state.controller = ctx.rollout.controllers.me()
    rollout = build(ctx, plan, state, actor, flag_key(via_of(state) or VIA), on_progress,
                    cursor=state.cursor)
    rollout.replay()
    live = rollout.router.current() or Split({}, {})
    step = step_for_weight(plan.weights, live.weight(state.canary.version))
    if step is None or step != state.position.step:
        rollout.enter(step if step is not None else state.position.step)
    if state.status == Status.PAUSED:
        state.position = state.position.entered(state.position.step, ctx.clock.time())
        state.status = Status.RUNNING
    ctx.rollout.states.save(state)
    return rollout


def build(ctx: Context, plan: Plan, state: DeployState, actor: str, flag: str,
          on_progress: Callable[[Progress], None] | None, *, cursor: dict[str, Any] | None,
          judge: UserJudgeLike | None = None) -> Rollout:
    cfg = ctx.cfg
    served = one(ctx.records, flag).served
    metrics = ctx.rollout.flag_metrics(flag=flag, canary=state.canary.version,
                                       baseline=state.baseline.version,
                                       clock=ctx.clock.time, cursor=cursor,
                                       split_only=bool(served and served.rules))
    return Rollout(
        plan=plan, state=state, target=NoFleet(),
        router=FlagRouter(ctx.records, state.key, flag, actor), metrics=metrics,
        judge=judge or ctx.rollout.user_judge(), clock=ctx.clock, save=ctx.rollout.states.save,
        on_event=recorder(ctx, state.key, actor), on_progress=on_progress or (lambda p: None),
        gate_approved=gate_checker(ctx, state.key), stopped=_stopped(ctx, state),
        poll_seconds=cfg.float("rollout.poll_seconds"), drain_seconds=0.0,
        on_inconclusive=cfg.str("rollout.on_inconclusive"))


def run(ctx: Context, rollout: Rollout) -> DeployState:
    """Run ``rollout`` to its end; one stopped by a kill of the flag ends there, as rolled
    back (the kill switch already serves the off variant to everyone)."""
    state = rollout.run()
    if state.active and ctx.records.get(state.key).state == State.KILLED:
        state.status, state.reason = Status.ROLLED_BACK, "the flag was killed"
        ctx.rollout.states.save(state)
    return state


def _stopped(ctx: Context, state: DeployState) -> Callable[[], bool]:
    """Another controller took over, or the record left ``rolling_out`` (a kill)."""
    states, controllers = ctx.rollout.states, ctx.rollout.controllers

    def check() -> bool:
        current = states.load(state.key)
        if current is not None and current.controller != controllers.me():
            return True
        return ctx.records.get(state.key).state != State.ROLLING_OUT
    return check
