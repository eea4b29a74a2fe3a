"""``hotfix start``: the hotfix branch from the release tag, in its own worktree."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit

KeyArg = Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")]


def register(app: typer.Typer) -> None:
    app.command("start")(start)


def start(
    key: KeyArg,
    line: Annotated[str | None, typer.Option(
        "--line", help="The affected release line, e.g. 1.1. Default: the newest one.")] = None,
    from_tag: Annotated[str | None, typer.Option(
        "--from", help="Branch from this older release tag of the line (the one production "
                       "runs), e.g. v1.1.2. Default: the line's latest tag.")] = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Branch hotfix/X.Y.Z from the line's latest release tag, in .hotfix/worktrees/."""
    from hotfix.services.git.start import start as start_service

    with context() as ctx:
        done = start_service(ctx, key, actor(ctx, as_), line=line, from_tag=from_tag)
        work = done.work

        def render() -> None:
            console.print(f"{work.key}: branch [bold]{work.branch}[/] from {work.base_tag} "
                          f"(line {work.line}); the release will be {work.tag}")
            console.print(f"  worktree  {work.worktree}")
            console.print(f"  [dim]next:[/] commit a fix there, or hotfix pick {work.key} SHA…")

        emit(as_json, done.to_dict(), render)
