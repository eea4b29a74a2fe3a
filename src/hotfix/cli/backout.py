"""``hotfix backout``: record the back-out plan, the release to return to."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("backout")(backout)


def backout(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    to: Annotated[str, typer.Option("--to", help="The release tag to return to, e.g. v1.1.0.")],
    acknowledge: Annotated[str | None, typer.Option(
        "--acknowledge", help="Approvers only: how to back out a change that returning to "
        "the release does not undo (a migration, a stored format).")] = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the back-out plan: the release to return to if the deploy goes wrong.

    The release must be deployable now: one instance starts, passes its health check and
    stops (deploy.backout_dry_start). A fix the scope guard flagged as hard to back out
    (deploy.irreversible_kinds) needs --acknowledge from an approver. The guard
    backout-plan (guards.enable) refuses a deploy without a plan."""
    from hotfix.services.rollout.backout import backout as backout_service

    with context() as ctx:
        plan = backout_service(ctx, key, actor(ctx, as_), to, acknowledge)

    def render() -> None:
        console.print(f"{plan.record.key}: back-out plan recorded: return to [bold]{plan.to}[/] "
                      f"({plan.commit[:12]})")
        if plan.dry_start is not None:
            console.print(f"  dry start  {plan.to} started, healthy and stopped in "
                          f"{plan.dry_start['seconds']:.2f} s")
        if plan.irreversible:
            console.print(f"  [yellow]not undone by returning[/]: {', '.join(plan.irreversible)}"
                          f"; acknowledged: {escape(plan.acknowledged or '')}")
        if plan.record.next_step():
            console.print(f"  [dim]next:[/] {plan.record.next_step()}")

    emit(as_json, plan.to_dict(), render)
