"""``hotfix backout``: record the back-out plan, the release to return to."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("backout")(backout)


def backout(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    to: Annotated[str, typer.Option("--to", help="The release tag to return to, e.g. v1.1.0.")],
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the back-out plan: the release to return to if the deploy goes wrong.

    The guard backout-plan (guards.enable) refuses a deploy without one."""
    from hotfix.services.rollout.backout import backout as backout_service

    with context() as ctx:
        plan = backout_service(ctx, key, actor(ctx, as_), to)

    def render() -> None:
        console.print(f"{plan.record.key}: back-out plan recorded: return to [bold]{plan.to}[/] "
                      f"({plan.commit[:12]})")
        if plan.record.next_step():
            console.print(f"  [dim]next:[/] {plan.record.next_step()}")

    emit(as_json, plan.to_dict(), render)
