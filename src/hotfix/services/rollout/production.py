"""What production runs now, replacing it at once, and taking it all down (demos, tests, a
clean slate). Every release that goes live here is noted in the record of deployments."""

from __future__ import annotations

from typing import Any

from hotfix.domain.rollout.state import Fleet
from hotfix.ports import Split
from hotfix.services.context import Context
from hotfix.services.rollout import deployments


def up(ctx: Context, tag: str) -> Fleet:
    """Production serving ``tag`` behind the router, unless a healthy live fleet exists.

    Returns the live fleet (which may be another version, already live)."""
    states, target, router = ctx.rollout.states, ctx.rollout.target, ctx.rollout.router
    live = states.load_env()
    if live is None or not all(target.alive(i) for i in live.instances):
        if live is not None:
            target.stop(live.instances)
        live = Fleet(tag, target.start(tag, ctx.cfg.int("rollout.instances")))
        states.save_env(live)
        deployments.note(ctx, live, "hotfix", "up")
    router.ensure()
    router.apply(Split({live.version: live.addresses}, {live.version: 100.0}))
    return live


def replace(ctx: Context, tag: str, actor: str) -> Fleet:
    """A regular deployment, as a pipeline makes one: ``tag`` takes all the traffic at once
    and the old fleet stops (demos, tests). Recorded as the pipeline's (``hotfix deployed``)."""
    states, target, router = ctx.rollout.states, ctx.rollout.target, ctx.rollout.router
    old = states.load_env()
    new = Fleet(tag, target.start(tag, ctx.cfg.int("rollout.instances")))
    router.ensure()
    router.apply(Split({tag: new.addresses}, {tag: 100.0}))
    states.save_env(new)
    if old is not None and old.version != tag:
        router.drain(old.version, ctx.cfg.float("rollout.drain_seconds"))
        target.stop(old.instances)
    deployments.report(ctx, tag, actor)
    return new


def status(ctx: Context) -> dict[str, Any]:
    """The live version, its instances, and the router's live split."""
    live = ctx.rollout.states.load_env()
    split = ctx.rollout.router.current()
    return {"live": live.to_dict() if live else None,
            "split": split.to_dict() if split else None,
            "router": ctx.cfg.str("rollout.router"), "url": f"http://{ctx.cfg.str('rollout.listen')}"}


def teardown(ctx: Context) -> list[str]:
    """Stop every instance hotfix started for this repository, then the router."""
    states, target = ctx.rollout.states, ctx.rollout.target
    stopped = []
    fleets = [states.load_env()]
    for key in states.rollout_keys():
        state = states.load(key)
        if state is not None:
            fleets += [state.baseline, state.canary]
    for key in states.rollback_keys():
        back = states.load_rollback(key)
        if back is not None:
            fleets += [back.live, back.to]
    for fleet in fleets:
        if fleet is not None:
            target.stop(fleet.instances)
            stopped += [f"{fleet.version}@{i.address}" for i in fleet.instances]
    ctx.rollout.router.stop()
    states.save_env(None)
    return sorted(set(stopped))
