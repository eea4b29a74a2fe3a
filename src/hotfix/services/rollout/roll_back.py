"""Roll back first: production from the release that broke it to an earlier one, at once.

    roll_back(ctx, "HF-4", actor, to="v1.1.1")   on a record of the ``rollback`` kind
    resume(ctx, "HF-4", actor)                   after a kill: finish or undo, by the router

The release to return to (default: the one live before the current one, as the record of
deployments knows it) is started beside production through the same target as a canary and
health-checked; only then does the router send it all the traffic, in one split. The release
that broke production stays up (warm) until the router confirms the switch, then drains and
stops. Each phase is saved (``Rollback`` in the rollout's state) before it is taken, so a
rollback killed half-way is finished or undone by ``resume``, which reads the router's real
weights. Each step is a ``rollback`` event on the record; the last one (``done``) moves it to
``rolled_back``, where ``verify`` runs the smoke checks and the bug's own check against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotfix.domain.rollout.history import Phase, Rollback
from hotfix.domain.rollout.state import Fleet
from hotfix.errors import ConflictError, HotfixError, NotFound, UsageError
from hotfix.ports import Split
from hotfix.services.context import Context
from hotfix.services.git.lines import tag_pattern
from hotfix.services.git.steps import guard
from hotfix.services.rollout import deployments

StepFn = Callable[[str], None]


class RollbackFailed(HotfixError):
    """The release to return to did not start or take the traffic: production stayed."""


@dataclass(frozen=True)
class RolledBack:
    key: str
    live: str  # the release that broke production
    to: str
    phase: Phase
    switch_seconds: float | None
    url: str
    steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "from": self.live, "to": self.to, "phase": str(self.phase),
                "switch_seconds": self.switch_seconds, "url": self.url,
                "steps": list(self.steps)}


def roll_back(ctx: Context, key: str, actor: str, *, to: str | None = None,
              reason: str = "", on_step: StepFn | None = None) -> RolledBack:
    rec = ctx.records.get(key)
    if rec.kind != "rollback":
        raise UsageError(f"{rec.key} is a {rec.kind} record: --to returns production to a "
                         "release only for a roll-back-first record",
                         hint=f"undo its own canary: hotfix rollback {rec.key}; or triage it "
                              "to roll back first (-a caused_by_last_deploy=yes -a "
                              "rollback_safe=yes)")
    _not_running(ctx, rec.key)
    guard(ctx, rec, "rollback", actor)  # before production is touched
    if to is not None:
        deployments.release_commit(ctx, to)  # a release that exists, before asking the router
    live = deployments.live(ctx)
    version = _release_to(ctx, live.version, to)
    said = _Steps(on_step)
    ctx.records.act(rec.key, "rollback", actor, _payload(live.version, version, phase="begin",
                                                          reason=reason,
                                                          facts={"rollback_to": version}))
    state = Rollback(rec.key, live, Fleet(version), controller=ctx.rollout.controllers.me(),
                     started_at=ctx.clock.time())
    began = ctx.clock.monotonic()
    _save(ctx, state, Phase.STARTING)
    said(f"starting {version} beside {live.version} (no traffic yet)")
    _start(ctx, state, actor, said)
    return _switch(ctx, state, actor, said, began)


def _not_running(ctx: Context, key: str) -> None:
    state = ctx.rollout.states.load_rollback(key)
    if state is None or not state.active:
        return
    controllers = ctx.rollout.controllers
    if state.controller != controllers.me() and controllers.alive(state.controller):
        raise ConflictError(f"{key} is being rolled back by process {state.controller[0]}",
                            hint="wait for it to finish: hotfix status " + key)
    raise ConflictError(f"the rollback of {key} to {state.to.version} was cut short "
                        f"({state.phase})", hint=f"finish or undo it: hotfix resume {key}")


def _release_to(ctx: Context, current: str, to: str | None) -> str:
    """The release to return to: ``to``, checked, or the one live before ``current``."""
    chosen = to or deployments.previous(ctx, current)
    if chosen is None:
        raise UsageError(f"the record of deployments knows no release before {current}",
                         hint="name it: hotfix rollback HF-N --to vX.Y.Z (the pipeline "
                              "reports its deployments with: hotfix deployed vX.Y.Z)")
    deployments.release_commit(ctx, chosen)
    if chosen == current:
        raise UsageError(f"production already runs {chosen}",
                         hint="name an earlier release: hotfix rollback HF-N --to vX.Y.Z")
    pattern = tag_pattern(ctx.cfg)
    new, old = pattern.parse(current), pattern.parse(chosen)
    if new is not None and old is not None and old > new:
        raise UsageError(f"{chosen} is newer than {current}, which production runs: a "
                         "rollback returns to an earlier release",
                         hint=f"to go forward, ship a fix: hotfix start HF-N, or deploy "
                              f"{chosen} as a release")
    return chosen


def _start(ctx: Context, state: Rollback, actor: str, said: _Steps) -> None:
    version, live = state.to.version, state.live.version
    try:
        state.to = Fleet(version, ctx.rollout.target.start(version, ctx.cfg.int(
            "rollout.instances")))
    except HotfixError as exc:
        state.reason = f"{version} did not start: {exc.message}"
        _save(ctx, state, Phase.FAILED)
        ctx.records.act(state.key, "rollback", actor,
                        _payload(live, version, phase="failed", failed=state.reason))
        raise RollbackFailed(f"{state.reason}. Production stays on {live}, untouched",
                             hint=exc.hint) from None
    _save(ctx, state, Phase.STARTED)
    said(f"{version} is up and healthy on {', '.join(state.to.addresses)}")


def _switch(ctx: Context, state: Rollback, actor: str, said: _Steps,
            began: float | None) -> RolledBack:
    router, to = ctx.rollout.router, state.to
    router.apply(Split({to.version: to.addresses}, {to.version: 100.0}))
    if began is not None:
        state.switch_seconds = round(ctx.clock.monotonic() - began, 4)
    _save(ctx, state, Phase.SWITCHED)
    _confirm(ctx, state, actor)
    took = f" in {state.switch_seconds:.2f} s" if state.switch_seconds is not None else ""
    said(f"all traffic on {to.version}{took}; the router confirms it")
    return _finish(ctx, state, actor, said)


def _confirm(ctx: Context, state: Rollback, actor: str) -> None:
    """The router's live split sends everything to ``to``, whose instances all run."""
    split = ctx.rollout.router.current()
    target, to = ctx.rollout.target, state.to
    if split is not None and split.weight(to.version) >= 100.0 and all(
            target.alive(i) for i in to.instances):
        return
    back = state.live
    ctx.rollout.router.apply(Split({back.version: back.addresses}, {back.version: 100.0}))
    target.stop(to.instances)
    state.reason = (f"the router did not confirm the switch to {to.version} "
                    f"({split.to_dict()['weights'] if split else 'not running'})")
    _save(ctx, state, Phase.FAILED)
    ctx.records.act(state.key, "rollback", actor, _payload(back.version, to.version,
                                                           phase="failed",
                                                           failed=state.reason))
    raise RollbackFailed(f"{state.reason}: production is back on {back.version}",
                         hint=f"see the router (hotfix status {state.key}); try again: "
                              f"hotfix rollback {state.key} --to {to.version}")


def _finish(ctx: Context, state: Rollback, actor: str, said: _Steps) -> RolledBack:
    """Drain and stop the release that broke production; record the rollback done."""
    parts, live = ctx.rollout, state.live
    parts.router.drain(live.version, ctx.cfg.float("rollout.drain_seconds"))
    parts.target.stop(live.instances)
    parts.states.save_env(state.to)
    deployments.note(ctx, state.to, actor, "rollback", state.key)
    _save(ctx, state, Phase.DONE)
    said(f"{live.version} drained and stopped")
    ctx.records.act(state.key, "rollback", actor, _payload(
        live.version, state.to.version, phase="done", done=True,
        switch_seconds=state.switch_seconds,
        facts={"rolled_back_from": live.version, "rolled_back_to": state.to.version}))
    return _result(ctx, state, said)


def interrupted(ctx: Context, key: str) -> bool:
    """Whether ``key`` has a rollback whose process is gone (``resume`` finishes it)."""
    state = ctx.rollout.states.load_rollback(key)
    if state is None or not state.active:
        return False
    controllers = ctx.rollout.controllers
    return state.controller == controllers.me() or not controllers.alive(state.controller)


def resume(ctx: Context, key: str, actor: str, *, on_step: StepFn | None = None
           ) -> RolledBack:
    """Finish a rollback cut short when the router (or the started release) allows; else
    undo it, leaving production on the release it was on."""
    state = ctx.rollout.states.load_rollback(ctx.records.get(key).key)
    if state is None or not state.active:
        raise NotFound(f"{key} has no rollback to resume",
                       hint=f"start one: hotfix rollback {key} --to vX.Y.Z")
    said, parts = _Steps(on_step), ctx.rollout
    state.controller = parts.controllers.me()
    parts.router.ensure()  # a builtin router comes back with its last split
    split = parts.router.current()
    up = bool(state.to.instances) and all(parts.target.alive(i) for i in state.to.instances)
    on_to = split is not None and split.weight(state.to.version) >= 100.0
    if up and on_to:
        said(f"the router already sends all traffic to {state.to.version}: finishing")
        return _finish(ctx, state, actor, said)
    if up:
        said(f"{state.to.version} is up; the router still sends to {state.live.version}: "
             "switching now")
        return _switch(ctx, state, actor, said, None)
    return _undo(ctx, state, actor, said)


def _undo(ctx: Context, state: Rollback, actor: str, said: _Steps) -> RolledBack:
    parts, live = ctx.rollout, state.live
    parts.target.stop(state.to.instances)  # whatever of them is left
    live_up = all(parts.target.alive(i) for i in live.instances)
    if live_up:
        parts.router.apply(Split({live.version: live.addresses}, {live.version: 100.0}))
    state.reason = (f"resumed: the instances of {state.to.version} are gone; production "
                    + (f"stays on {live.version}" if live_up else
                       f"runs nothing: {live.version}'s instances are gone too"))
    _save(ctx, state, Phase.FAILED)
    said(f"undone: {state.reason}")
    ctx.records.act(state.key, "rollback", actor, _payload(
        live.version, state.to.version, phase="undone", failed=state.reason))
    return _result(ctx, state, said)


def _result(ctx: Context, state: Rollback, said: _Steps) -> RolledBack:
    return RolledBack(state.key, state.live.version, state.to.version, state.phase,
                      state.switch_seconds, ctx.rollout.router.url, tuple(said.lines))


def _save(ctx: Context, state: Rollback, phase: Phase) -> None:
    state.enter(phase)
    ctx.rollout.states.save_rollback(state)


def _payload(live: str, to: str, *, phase: str, **more: Any) -> dict[str, Any]:
    return {"from": live, "to": to, "phase": phase, **more}


class _Steps:
    def __init__(self, on_step: StepFn | None) -> None:
        self.lines: list[str] = []
        self.on_step = on_step

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        if self.on_step is not None:
            self.on_step(line)
