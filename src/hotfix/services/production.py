"""What production runs now, and taking it all down (demos, tests, a clean slate)."""

from __future__ import annotations

from typing import Any

from hotfix.adapters.rollout.registry import make_router, make_target
from hotfix.ports import Router, Split
from hotfix.services.context import Context
from hotfix.services.deploy_state import Fleet, StateFiles, rollout_dir


def up(ctx: Context, tag: str, router: Router | None = None) -> Fleet:
    """Production serving ``tag`` behind the router, unless a healthy live fleet exists.

    Returns the live fleet (which may be another version, already live)."""
    files = StateFiles(ctx.root)
    target = make_target(ctx.cfg, ctx.root)
    live = files.load_env()
    if live is None or not all(target.alive(i) for i in live.instances):
        if live is not None:
            target.stop(live.instances)
        live = Fleet(tag, target.start(tag, ctx.cfg.int("rollout.instances")))
        files.save_env(live)
    router = router or make_router(ctx.cfg, ctx.root)
    router.ensure()
    router.apply(Split({live.version: live.addresses}, {live.version: 100.0}))
    return live


def status(ctx: Context) -> dict[str, Any]:
    """The live version, its instances, and the router's live split."""
    files = StateFiles(ctx.root)
    live = files.load_env()
    split = make_router(ctx.cfg, ctx.root).current()
    return {"live": live.to_dict() if live else None,
            "split": split.to_dict() if split else None,
            "router": ctx.cfg.str("rollout.router"), "url": f"http://{ctx.cfg.str('rollout.listen')}"}


def teardown(ctx: Context) -> list[str]:
    """Stop every instance hotfix started for this repository, then the router."""
    files = StateFiles(ctx.root)
    target = make_target(ctx.cfg, ctx.root)
    stopped = []
    fleets = [files.load_env()]
    for path in sorted((rollout_dir(ctx.root) / "deploys").glob("*.json")):
        state = files.load(path.stem)
        if state is not None:
            fleets += [state.baseline, state.canary]
    for fleet in fleets:
        if fleet is not None:
            target.stop(fleet.instances)
            stopped += [f"{fleet.version}@{i.address}" for i in fleet.instances]
    make_router(ctx.cfg, ctx.root).stop()
    files.save_env(None)
    return sorted(set(stopped))
