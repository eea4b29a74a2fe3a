"""``hotfix rollback``: the canary (or a promoted hotfix) out of production, by hand."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("rollback")(rollback)


def rollback(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    reason: Annotated[str, typer.Option("--reason", "-m", help="Why, for the record.")]
    = "rolled back by hand",
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send all traffic back to the previous version at once and stop the hotfix's instances.

    Works at any time: during a rollout (its controller is stopped first) or after promotion.
    """
    from hotfix.cli.rollout_view import print_outcome
    from hotfix.services.rollout import deploy as service

    with context() as ctx:
        out = service.rollback(ctx, key, actor(ctx, as_), reason)
        emit(as_json, out.to_dict(), lambda: print_outcome(console, out))
