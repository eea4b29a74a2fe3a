"""The record of deployments: which release went live when, and what production runs now.

    report(ctx, "v1.2.0", actor)   the pipeline reports a regular deployment (hotfix deployed)
    note(ctx, fleet, actor, source, key)   hotfix's own: production started, promoted, rolled back
    live(ctx)                      the live fleet, confirmed against the router's real split
    previous(ctx, "v1.2.0")        the release live before it, as the record knows it

A regular deployment that hotfix did not make is only recorded: production itself is run by
the target and router hotfix drives, and the rollback confirms what they say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotfix.domain.rollout.history import Deployment, previous_live
from hotfix.domain.rollout.state import Fleet
from hotfix.errors import ConflictError, NotFound, UsageError
from hotfix.services.context import Context
from hotfix.services.git.lines import tag_pattern


@dataclass(frozen=True)
class Reported:
    deployment: Deployment
    commit: str
    live: str | None  # what hotfix's production runs, for comparison

    def to_dict(self) -> dict[str, Any]:
        return {**self.deployment.to_dict(), "commit": self.commit, "live": self.live}


def release_commit(ctx: Context, version: str) -> str:
    """The commit of release tag ``version``; UsageError / NotFound for anything else."""
    if tag_pattern(ctx.cfg).parse(version) is None:
        raise UsageError(f"{version!r} is not a release tag (lines.tag_pattern)",
                         hint="see the releases of each line: hotfix lines")
    commit = ctx.git.tag_commit(version)
    if commit is None:
        raise NotFound(f"{version} was never released: there is no tag {version}",
                       hint="see the releases of each line: hotfix lines")
    return commit


def report(ctx: Context, version: str, actor: str) -> Reported:
    """Record that the pipeline deployed ``version`` (a release tag that exists)."""
    commit = release_commit(ctx, version)
    deployment = Deployment(version, ctx.clock.time(), actor, "pipeline")
    ctx.rollout.states.add_deployment(deployment)
    live = ctx.rollout.states.load_env()
    return Reported(deployment, commit, live.version if live else None)


def note(ctx: Context, fleet: Fleet, actor: str, source: str, key: str = "") -> None:
    """Record that hotfix itself made ``fleet`` production (unless it already was)."""
    history = ctx.rollout.states.deployments()
    if history and history[-1].version == fleet.version and source == "up":
        return
    ctx.rollout.states.add_deployment(
        Deployment(fleet.version, ctx.clock.time(), actor, source, key))


def history(ctx: Context) -> list[Deployment]:
    return ctx.rollout.states.deployments()


def live(ctx: Context) -> Fleet:
    """The live fleet, once the router confirms that it takes all the traffic."""
    fleet = ctx.rollout.states.load_env()
    if fleet is None:
        raise NotFound("hotfix runs no production here: nothing to roll back",
                       hint="production runs behind hotfix's router once a deploy started it "
                            "(hotfix deploy HF-N)")
    router = ctx.rollout.router
    router.ensure()  # a builtin router that died comes back with its last split
    split = router.current()
    weights = dict(split.weights) if split else {}
    if split is None or split.weight(fleet.version) < 100.0:
        shown = ", ".join(f"{v} {w:g}%" for v, w in weights.items()) or "nothing"
        raise ConflictError(
            f"production is not all on {fleet.version}: the router sends {shown}",
            hint="a canary is running: let it finish, or stop it (hotfix rollback HF-N of "
                 "that hotfix), then roll back")
    return fleet


def previous(ctx: Context, current: str) -> str | None:
    return previous_live(ctx.rollout.states.deployments(), current)
