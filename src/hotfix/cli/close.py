"""``hotfix close``: only once the fix is folded back into main (or an approver says so)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import ActorOpt, JsonOpt, OverrideOpt, actor, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("close")(close)


def close(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    note: Annotated[str, typer.Option("--note", "-m", help="Closing note.")] = "",
    override: OverrideOpt = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close a hotfix. Refused before the fix is folded back into main, or while a field
    close.require asks for is not documented (hotfix document).

    Removes the hotfix's worktrees (branches and tags stay); one with changes is kept."""
    from hotfix.services.record.close import close as close_hotfix

    with context() as ctx:
        done = close_hotfix(ctx, key, actor(ctx, as_), note, override=override)

        def render() -> None:
            console.print(f"{done.record.key} closed")
            for path in done.removed:
                console.print(f"  removed worktree {escape(path)} (its branch stays)")
            for line in done.kept:
                console.print(f"  [yellow]kept[/] {escape(line)}")

        emit(as_json, done.to_dict(), render)
