"""Deploy a released hotfix progressively; roll it back; resume a rollout cut short.

    deploy(ctx, "HF-3", actor)    canary of the release tag beside production, judged step
                                  by step; ends promoted, rolled back, paused or gated
    rollback(ctx, "HF-3", actor)  by hand, at any time (also after promotion)
    resume(ctx, "HF-3", actor)    after the controller died: find the live weights, then
                                  continue, or roll back when the canary is gone

Production (the live version, its instances, the router) is started on the first deploy
from the hotfix's base tag when nothing is running yet. Every step and decision is an event
on the record.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotfix.adapters.deploy import procs
from hotfix.adapters.rollout.registry import make_metrics, make_router, make_target
from hotfix.domain.lifecycle import plan as guard
from hotfix.domain.rollout import Plan, PlanError, parse_plan
from hotfix.errors import ConfigError, ConflictError, GuardRefused, NotFound, UsageError
from hotfix.ports import Router, Split
from hotfix.services import production
from hotfix.services.canary import JudgeLike, Progress, Rollout, step_for_weight
from hotfix.services.context import Context
from hotfix.services.deploy_state import (
    ACTIVE,
    GATED,
    PAUSED,
    PROMOTED,
    ROLLED_BACK,
    RUNNING,
    DeployState,
    Fleet,
    StateFiles,
)

ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Outcome:
    key: str
    status: str
    reason: str
    canary: str
    baseline: str
    requests: dict[str, int]
    errors: dict[str, int]
    verdict: dict[str, Any]
    url: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "status": self.status, "reason": self.reason,
                "canary": self.canary, "baseline": self.baseline, "requests": self.requests,
                "errors": self.errors, "verdict": self.verdict, "url": self.url}


def plan_of(ctx: Context) -> Plan:
    try:
        return parse_plan(ctx.cfg.list("rollout.steps"), ctx.cfg.float("rollout.max_wait_seconds"))
    except PlanError as exc:
        raise ConfigError(f"rollout.steps: {exc}", hint="see docs/rollout.md for the plan "
                          "format; `hotfix config --list` shows the default") from None


def deploy(ctx: Context, key: str, actor: str, *, tag: str | None = None,
           on_progress: ProgressFn | None = None, approve_gate: bool = False,
           judge: JudgeLike | None = None) -> Outcome:
    files = StateFiles(ctx.root)
    rec = ctx.records.get(key)
    state = files.load(rec.key)
    if state is not None and state.status in ACTIVE:
        if _controller_alive(state):
            if approve_gate:
                return _approve_gate(ctx, rec.key, actor, state)
            raise ConflictError(f"{rec.key} is being deployed by process {state.controller[0]}",
                                hint=f"wait, or stop it: hotfix rollback {rec.key}")
        if approve_gate and state.status == GATED:
            _approve_gate(ctx, rec.key, actor, state)
        return resume(ctx, rec.key, actor, on_progress=on_progress, judge=judge)
    if approve_gate:
        raise UsageError(f"{rec.key} has no rollout waiting at a gate",
                         hint=f"start one: hotfix deploy {rec.key}")
    return _fresh(ctx, rec.key, actor, _canary_tag(rec.facts, rec.last("release"), tag),
                  on_progress, judge)


def _canary_tag(facts: Any, release: Any, tag: str | None) -> str:
    found = tag or facts.get("tag") or (release or {}).get("tag")
    if not found:
        raise UsageError("which version to deploy? the hotfix has no release tag",
                         hint="release it first (hotfix release HF-N), or pass --tag vX.Y.Z")
    return str(found)


def _fresh(ctx: Context, key: str, actor: str, tag: str, on_progress: ProgressFn | None,
           judge: JudgeLike | None) -> Outcome:
    plan, files = plan_of(ctx), StateFiles(ctx.root)
    rec = ctx.records.get(key)
    router, target = make_router(ctx.cfg, ctx.root), make_target(ctx.cfg, ctx.root)
    if rec.state.value != "deploying":
        _allowed(ctx, key, "deploy", actor)
    live = files.load_env()
    baseline_tag = live.version if live else rec.facts.get("base_tag")
    if not baseline_tag:
        raise UsageError("nothing is live and the hotfix has no base tag to start from",
                         hint=f"start the hotfix from a release: hotfix start {key}")
    if rec.state.value != "deploying":  # else an earlier attempt stopped before its canary
        ctx.records.act(key, "deploy", actor, {"tag": tag, "baseline": baseline_tag,
                                               "plan": plan.describe(), "router": router.name})
    baseline = production.up(ctx, str(baseline_tag), router)
    try:
        canary = Fleet(tag, target.start(tag, ctx.cfg.int("rollout.instances")))
    except Exception as exc:
        ctx.records.act(key, "rollback", actor, {"reason": f"canary did not start: {exc}",
                                                 "canary": tag, "baseline": baseline.version})
        raise
    state = DeployState(key, baseline, canary, controller=_me(), started_at=time.time())
    rollout = _rollout(ctx, plan, state, router, None, actor, on_progress, judge)
    state.cursor = rollout.metrics.cursor()
    files.save(state)
    rollout.enter(0)
    return _finish(ctx, rollout)


def resume(ctx: Context, key: str, actor: str, *, on_progress: ProgressFn | None = None,
           judge: JudgeLike | None = None) -> Outcome:
    """Continue a rollout whose controller died, or roll it back if its canary is gone."""
    files = StateFiles(ctx.root)
    state = files.load(ctx.records.get(key).key)
    if state is None or state.status not in ACTIVE:
        raise NotFound(f"{key} has no rollout to resume",
                       hint=f"start one: hotfix deploy {key}")
    if _controller_alive(state):
        raise ConflictError(f"{key} is being deployed by process {state.controller[0]}")
    plan, router = plan_of(ctx), make_router(ctx.cfg, ctx.root)
    router.ensure()  # a builtin router restarts with its last split
    state.controller = _me()
    rollout = _rollout(ctx, plan, state, router, state.cursor, actor, on_progress, judge)
    target = rollout.target
    if not all(target.alive(i) for i in state.canary.instances):
        rollout.rollback("resumed: the canary's instances are gone")
        return _finish(ctx, rollout)
    rollout.replay()
    step = step_for_weight(plan.weights, (router.current() or Split({}, {})).weight(
        state.canary.version))
    if step is None or step != state.position.step:
        rollout.enter(step if step is not None else state.position.step)
    if state.status == PAUSED:  # a person chose to keep judging: the wait starts again
        state.position = state.position.entered(state.position.step, time.time())
        state.status = RUNNING
    files.save(state)
    return _finish(ctx, rollout)


def interrupted(ctx: Context, key: str) -> bool:
    """Whether ``key`` has a rollout whose controller is gone (``resume`` continues it)."""
    state = StateFiles(ctx.root).load(ctx.records.get(key).key)
    return state is not None and state.status in ACTIVE and not _controller_alive(state)


def rollback(ctx: Context, key: str, actor: str, reason: str = "rolled back by hand"
             ) -> Outcome:
    files = StateFiles(ctx.root)
    state = files.load(ctx.records.get(key).key)
    if state is None:
        raise NotFound(f"{key} was never deployed", hint=f"see its state: hotfix status {key}")
    if state.status != ROLLED_BACK:
        _allowed(ctx, key, "rollback", actor)  # before production is touched
    if _controller_alive(state):
        _stop_controller(state)
        state = files.load(state.key) or state  # its last saved position
    router = make_router(ctx.cfg, ctx.root)
    router.ensure()
    rollout = _rollout(ctx, plan_of(ctx), state, router, state.cursor, actor, None, None,
                       replay=False)
    if state.status == PROMOTED:
        state.baseline = Fleet(state.baseline.version, rollout.target.start(
            state.baseline.version, ctx.cfg.int("rollout.instances")))
    elif state.status == ROLLED_BACK:
        rollout.target.stop(state.canary.instances)  # finish one that was cut short
        return _outcome(ctx, rollout)
    rollout.rollback(reason)
    files.save_env(state.baseline)
    return _outcome(ctx, rollout)


def _allowed(ctx: Context, key: str, action: str, actor: str) -> None:
    refusal = guard(ctx.records.get(key), action, actor, {}, [])
    if refusal is not None:
        raise GuardRefused(refusal.message, hint=refusal.hint)


def _approve_gate(ctx: Context, key: str, actor: str, state: DeployState) -> Outcome:
    step = state.position.step + 2  # gates are on the step after the current one (1-based)
    ctx.records.act(key, "deploy_step", actor, {"gate_approved": step})
    return Outcome(key, state.status, f"gate of step {step} approved", state.canary.version,
                   state.baseline.version, {}, {}, state.verdict, "")


def _rollout(ctx: Context, plan: Plan, state: DeployState, router: Router,
             cursor: dict[str, Any] | None, actor: str, on_progress: ProgressFn | None,
             judge: JudgeLike | None, replay: bool = True) -> Rollout:
    from hotfix.services.deploy_wiring import gate_checker, new_judge, recorder

    files = StateFiles(ctx.root)
    fleets = {state.baseline.version: state.baseline, state.canary.version: state.canary}
    metrics = make_metrics(ctx.cfg, router, state.canary.version, state.baseline.version,
                           lambda: {v: f.addresses for v, f in fleets.items()},
                           cursor if replay else None)
    cfg = ctx.cfg
    return Rollout(
        plan, state, make_target(cfg, ctx.root), router, metrics, judge or new_judge(cfg),
        files.save, recorder(ctx, state.key, actor), on_progress or (lambda p: None),
        gate_checker(ctx, state.key), _stopped(files, state.key),
        cfg.float("rollout.poll_seconds"), cfg.float("rollout.drain_seconds"),
        cfg.str("rollout.on_inconclusive"),
        share_known=not (cfg.str("rollout.sticky_header") or cfg.str("rollout.sticky_cookie")))


def _finish(ctx: Context, rollout: Rollout) -> Outcome:
    state = rollout.run()
    if state.status == PROMOTED:
        StateFiles(ctx.root).save_env(state.canary)
    return _outcome(ctx, rollout)


def _outcome(ctx: Context, rollout: Rollout) -> Outcome:
    st = rollout.state
    return Outcome(st.key, st.status, st.reason, st.canary.version, st.baseline.version,
                   rollout.tally.requests, rollout.tally.errors, st.verdict, rollout.router.url)


def _stopped(files: StateFiles, key: str) -> Callable[[], bool]:
    def check() -> bool:
        current = files.load(key)
        return current is not None and current.controller != _me()
    return check


def _me() -> tuple[int, int]:
    return os.getpid(), procs.start_ticks(os.getpid())


def _controller_alive(state: DeployState) -> bool:
    pid, ticks = state.controller
    return bool(pid) and (pid, ticks) != _me() and procs.alive(pid, ticks)


def _stop_controller(state: DeployState) -> None:
    pid, ticks = state.controller
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while procs.alive(pid, ticks) and time.monotonic() < deadline:
        time.sleep(0.05)
