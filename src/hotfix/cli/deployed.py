"""``hotfix deployed``: the pipeline reports a regular deployment."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("deployed")(deployed)


def deployed(
    version: Annotated[str, typer.Argument(help="The release tag now live, e.g. v1.2.0.")],
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a release went live outside hotfix (call it from the deploy pipeline).

    A roll-back-first record returns, by default, to the release live before the current
    one: this record of deployments (with hotfix's own) is how it knows."""
    from hotfix.services.rollout.deployments import report

    with context() as ctx:
        out = report(ctx, version, actor(ctx, as_))

    def render() -> None:
        d = out.deployment
        console.print(f"recorded: {d.version} ({out.commit[:12]}) deployed, reported by {d.by}")
        if out.live is not None and out.live != d.version:
            console.print(f"  [yellow]note:[/] production behind hotfix's router runs "
                          f"{out.live}")

    emit(as_json, out.to_dict(), render)
