"""``hotfix resume``: finish the git steps of a hotfix that were cut short."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("resume")(resume)


def resume(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Finish or undo a start, pick, release or backport that was interrupted."""
    from hotfix.services.git.resume import resume as resume_service  # pulls in the rollout

    with context() as ctx:
        result = resume_service(ctx, key, actor(ctx, as_))

        def render() -> None:
            if not result.done and not result.waiting:
                console.print(f"{result.key}: nothing to resume")
            for line in result.done:
                console.print(f"[green]done[/] {line}")
            for line in result.waiting:
                console.print(f"[yellow]waiting for you[/] {line}")

        emit(as_json, result.to_dict(), render)
    if result.waiting:
        raise typer.Exit(1)
