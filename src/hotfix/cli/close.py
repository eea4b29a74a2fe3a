"""``hotfix close``: only once the fix is folded back into main (or an approver says so)."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, OverrideOpt, actor, console, context, emit
from hotfix.services import record


def register(app: typer.Typer) -> None:
    app.command("close")(close)


def close(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    note: Annotated[str, typer.Option("--note", "-m", help="Closing note.")] = "",
    override: OverrideOpt = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close a hotfix. Refused before the fix is folded back into main."""
    with context() as ctx:
        rec = record.act(ctx, key, "close", actor(ctx, as_), {"note": note}, override=override)
        emit(as_json, rec.summary(), lambda: console.print(f"{rec.key} closed"))
