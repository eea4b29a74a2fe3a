"""Deploy a released hotfix progressively; roll it back; resume a rollout cut short.

    deploy(ctx, "HF-3", actor)    canary of the release tag beside production, judged step
                                  by step; ends promoted, rolled back, paused or gated
    deploy(ctx, "HF-7", actor, via="flag:new-checkout")
                                  a flag's percentage through the same plan, judged on its
                                  variants (flag_rollout.py)
    rollback(ctx, "HF-3", actor)  by hand, at any time (also after promotion)
    resume(ctx, "HF-3", actor)    after the controller died: find the live weights, then
                                  continue, or roll back when the canary is gone

Production (the live version, its instances, the router) is started on the first deploy
from the hotfix's base tag when nothing is running yet. Every step and decision is an event
on the record. The target, router, metrics, state files, controllers and judge come built on
``ctx.rollout``; time comes from ``ctx.clock``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotfix.domain.record.lifecycle import plan as guard
from hotfix.domain.rollout.plan import Plan, PlanError, parse_plan
from hotfix.domain.rollout.state import DeployState, Fleet, Status
from hotfix.errors import ConfigError, ConflictError, GuardRefused, NotFound, UsageError
from hotfix.ports import JudgeLike, Split
from hotfix.services.context import Context
from hotfix.services.rollout import backout, backup, deployments, flag_rollout, production
from hotfix.services.rollout.canary import Progress, Rollout, step_for_weight
from hotfix.services.rollout.record_link import gate_checker, recorder

ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Outcome:
    key: str
    status: Status
    reason: str
    canary: str
    baseline: str
    requests: dict[str, int]
    errors: dict[str, int]
    verdict: dict[str, Any]
    url: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "status": str(self.status), "reason": self.reason,
                "canary": self.canary, "baseline": self.baseline, "requests": self.requests,
                "errors": self.errors, "verdict": self.verdict, "url": self.url}


def plan_of(ctx: Context) -> Plan:
    try:
        return parse_plan(ctx.cfg.list("rollout.steps"), ctx.cfg.float("rollout.max_wait_seconds"))
    except PlanError as exc:
        raise ConfigError(f"rollout.steps: {exc}", hint="see docs/rollout.md for the plan "
                          "format; `hotfix config --list` shows the default") from None


def deploy(ctx: Context, key: str, actor: str, *, tag: str | None = None,
           via: str | None = None, on_progress: ProgressFn | None = None,
           approve_gate: bool = False, override: str | None = None) -> Outcome:
    """``override`` (an approver's reason) forces a refused back-out plan or a failed
    backup; both overrides are recorded. ``via="flag:KEY"`` rolls a flag out instead."""
    rec = ctx.records.get(key)
    if via is not None and tag is not None:
        raise UsageError("a flag rollout deploys no version", hint="drop --tag, or --via")
    flag = flag_rollout.flag_key(via) if via is not None else None
    state = ctx.rollout.states.load(rec.key)
    if state is not None and state.active:
        if _controller_alive(ctx, state):
            if approve_gate:
                return _approve_gate(ctx, rec.key, actor, state)
            raise ConflictError(f"{rec.key} is being deployed by process {state.controller[0]}",
                                hint=f"wait, or stop it: hotfix rollback {rec.key}")
        if approve_gate and state.status == Status.GATED:
            _approve_gate(ctx, rec.key, actor, state)
        return resume(ctx, rec.key, actor, on_progress=on_progress)
    if approve_gate:
        raise UsageError(f"{rec.key} has no rollout waiting at a gate",
                         hint=f"start one: hotfix deploy {rec.key}")
    if flag is None and rec.kind == "flag":
        raise UsageError(f"{rec.key} is a flag's record: roll the flag out",
                         hint=f"hotfix deploy {rec.key} --via flag:KEY")
    if flag is not None:
        _allowed(ctx, rec.key, "deploy", actor, override)
        rollout = flag_rollout.start(ctx, rec.key, actor, flag, plan_of(ctx), on_progress)
        flag_rollout.run(ctx, rollout)
        return _outcome(rollout)
    return _fresh(ctx, rec.key, actor, _canary_tag(rec.facts, rec.last("release"), tag),
                  on_progress, override)


def _canary_tag(facts: Any, release: Any, tag: str | None) -> str:
    found = tag or facts.get("tag") or (release or {}).get("tag")
    if not found:
        raise UsageError("which version to deploy? the hotfix has no release tag",
                         hint="release it first (hotfix release HF-N), or pass --tag vX.Y.Z")
    return str(found)


def _fresh(ctx: Context, key: str, actor: str, tag: str,
           on_progress: ProgressFn | None, override: str | None = None) -> Outcome:
    plan, parts = plan_of(ctx), ctx.rollout
    rec = ctx.records.get(key)
    fresh = rec.state.value != "deploying"  # else an earlier attempt stopped before its canary
    if fresh:
        _allowed(ctx, key, "deploy", actor, override)
    judge = parts.judge()  # the judge.* settings are checked before production is touched
    live = parts.states.load_env()
    baseline_tag = live.version if live else rec.facts.get("base_tag")
    if not baseline_tag:
        raise UsageError("nothing is live and the hotfix has no base tag to start from",
                         hint=f"start the hotfix from a release: hotfix start {key}")
    if fresh:
        forced = backout.require_reversible(ctx, rec, actor, override)
        backup.back_up(ctx, key, actor, tag, override)
        payload = {"tag": tag, "baseline": baseline_tag, "plan": plan.describe(),
                   "router": parts.router.name}
        if forced:
            payload["irreversible_overridden"] = {"files": forced, "by": actor,
                                                  "reason": override}
        ctx.records.act(key, "deploy", actor, payload, override=override)
    baseline = production.up(ctx, str(baseline_tag))
    try:
        canary = Fleet(tag, parts.target.start(tag, ctx.cfg.int("rollout.instances")))
    except Exception as exc:
        ctx.records.act(key, "rollback", actor, {"reason": f"canary did not start: {exc}",
                                                 "canary": tag, "baseline": baseline.version})
        raise
    state = DeployState(key, baseline, canary, controller=parts.controllers.me(),
                        started_at=ctx.clock.time())
    rollout = _rollout(ctx, plan, state, actor, on_progress, cursor=None, judge=judge)
    state.cursor = rollout.metrics.cursor()
    parts.states.save(state)
    rollout.enter(0)
    return _finish(ctx, rollout, actor)


def resume(ctx: Context, key: str, actor: str, *,
           on_progress: ProgressFn | None = None) -> Outcome:
    """Continue a rollout whose controller died, or roll it back if its canary is gone."""
    parts = ctx.rollout
    state = parts.states.load(ctx.records.get(key).key)
    if state is None or not state.active:
        raise NotFound(f"{key} has no rollout to resume",
                       hint=f"start one: hotfix deploy {key}")
    if _controller_alive(ctx, state):
        raise ConflictError(f"{key} is being deployed by process {state.controller[0]}")
    plan = plan_of(ctx)
    if flag_rollout.via_of(state):
        rollout = flag_rollout.resumed(ctx, plan, state, actor, on_progress)
        flag_rollout.run(ctx, rollout)
        return _outcome(rollout)
    parts.router.ensure()  # a builtin router restarts with its last split
    state.controller = parts.controllers.me()
    rollout = _rollout(ctx, plan, state, actor, on_progress, cursor=state.cursor)
    if not all(parts.target.alive(i) for i in state.canary.instances):
        rollout.rollback("resumed: the canary's instances are gone")
        return _finish(ctx, rollout, actor)
    rollout.replay()
    live = parts.router.current() or Split({}, {})
    step = step_for_weight(plan.weights, live.weight(state.canary.version))
    if step is None or step != state.position.step:
        rollout.enter(step if step is not None else state.position.step)
    if state.status == Status.PAUSED:  # a person chose to keep judging: the wait starts again
        state.position = state.position.entered(state.position.step, ctx.clock.time())
        state.status = Status.RUNNING
    parts.states.save(state)
    return _finish(ctx, rollout, actor)


def interrupted(ctx: Context, key: str) -> bool:
    """Whether ``key`` has a rollout whose controller is gone (``resume`` continues it)."""
    state = ctx.rollout.states.load(ctx.records.get(key).key)
    return state is not None and state.active and not _controller_alive(ctx, state)


def rollback(ctx: Context, key: str, actor: str, reason: str = "rolled back by hand"
             ) -> Outcome:
    parts = ctx.rollout
    state = parts.states.load(ctx.records.get(key).key)
    if state is None:
        raise NotFound(f"{key} was never deployed", hint=f"see its state: hotfix status {key}")
    if state.status != Status.ROLLED_BACK:
        _allowed(ctx, key, "rollback", actor)  # before production is touched
    if _controller_alive(ctx, state):
        parts.controllers.stop(state.controller)
        state = parts.states.load(state.key) or state  # its last saved position
    via = flag_rollout.via_of(state)
    if via:
        flagged = flag_rollout.build(ctx, plan_of(ctx), state, actor, flag_rollout.flag_key(via),
                                     None, cursor=None)
        if state.status != Status.ROLLED_BACK:
            flagged.rollback(reason)
        return _outcome(flagged)
    parts.router.ensure()
    rollout = _rollout(ctx, plan_of(ctx), state, actor, None, cursor=None)
    if state.status == Status.PROMOTED:
        state.baseline = Fleet(state.baseline.version, parts.target.start(
            state.baseline.version, ctx.cfg.int("rollout.instances")))
    elif state.status == Status.ROLLED_BACK:
        parts.target.stop(state.canary.instances)  # finish one that was cut short
        return _outcome(rollout)
    promoted = state.status == Status.PROMOTED
    rollout.rollback(reason)
    parts.states.save_env(state.baseline)
    if promoted:
        deployments.note(ctx, state.baseline, actor, "rollback", state.key)
    return _outcome(rollout)


def _allowed(ctx: Context, key: str, action: str, actor: str,
             override: str | None = None) -> None:
    """Refuse before production is touched; an approver's ``override`` passes a guard that
    approvers may force (``records.act`` then records the override)."""
    refusal = guard(ctx.records.get(key), action, actor, {}, [])
    if refusal is None:
        return
    approvers = [str(a) for a in ctx.cfg.list("approvals.approvers")]
    if override is not None and refusal.overridable and actor in approvers:
        return
    if override is not None and refusal.overridable:
        raise GuardRefused(f"{actor} cannot override: only approvers can",
                           hint="approvers are listed in hotfix.toml under [approvals] "
                                "approvers")
    raise GuardRefused(refusal.message, hint=refusal.command_hint)



def _approve_gate(ctx: Context, key: str, actor: str, state: DeployState) -> Outcome:
    step = state.position.step + 2  # gates are on the step after the current one (1-based)
    ctx.records.act(key, "deploy_step", actor, {"gate_approved": step})
    return Outcome(key, state.status, f"gate of step {step} approved", state.canary.version,
                   state.baseline.version, {}, {}, state.verdict, "")


def _rollout(ctx: Context, plan: Plan, state: DeployState, actor: str,
             on_progress: ProgressFn | None, *, cursor: dict[str, Any] | None,
             judge: JudgeLike | None = None) -> Rollout:
    parts, cfg = ctx.rollout, ctx.cfg
    fleets = {state.baseline.version: state.baseline, state.canary.version: state.canary}
    metrics = parts.metrics(canary=state.canary.version, baseline=state.baseline.version,
                            instances=lambda: {v: f.addresses for v, f in fleets.items()},
                            cursor=cursor)
    return Rollout(
        plan=plan, state=state, target=parts.target, router=parts.router, metrics=metrics,
        judge=judge or parts.judge(), clock=ctx.clock, save=parts.states.save,
        on_event=recorder(ctx, state.key, actor), on_progress=on_progress or (lambda p: None),
        gate_approved=gate_checker(ctx, state.key), stopped=_stopped(ctx, state.key),
        poll_seconds=cfg.float("rollout.poll_seconds"),
        drain_seconds=cfg.float("rollout.drain_seconds"),
        on_inconclusive=cfg.str("rollout.on_inconclusive"),
        share_known=not (cfg.str("rollout.sticky_header") or cfg.str("rollout.sticky_cookie")))


def _finish(ctx: Context, rollout: Rollout, actor: str) -> Outcome:
    try:
        state = rollout.run()
    finally:
        closing = getattr(rollout.metrics, "close", None)  # a monitoring API's connections
        if callable(closing):
            closing()
    if state.status == Status.PROMOTED:
        ctx.rollout.states.save_env(state.canary)
        deployments.note(ctx, state.canary, actor, "promote", state.key)
    return _outcome(rollout)


def _outcome(rollout: Rollout) -> Outcome:
    st = rollout.state
    return Outcome(st.key, st.status, st.reason, st.canary.version, st.baseline.version,
                   rollout.tally.requests, rollout.tally.errors, st.verdict, rollout.router.url)


def _stopped(ctx: Context, key: str) -> Callable[[], bool]:
    """Whether another controller took the rollout over (its state names that one)."""
    states, controllers = ctx.rollout.states, ctx.rollout.controllers

    def check() -> bool:
        current = states.load(key)
        return current is not None and current.controller != controllers.me()
    return check


def _controller_alive(ctx: Context, state: DeployState) -> bool:
    """Whether the controller named in ``state`` is another process, still running."""
    controllers = ctx.rollout.controllers
    who = state.controller
    return bool(who[0]) and who != controllers.me() and controllers.alive(who)
