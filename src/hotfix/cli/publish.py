"""``hotfix publish``: a released library, published by the project's own command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit

if TYPE_CHECKING:
    from hotfix.services.git.publish import Published


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)


def publish(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish a released library: release.publish_command, run at its release tag.

    The result goes on the record; exit 1 if the command fails or times out (the hotfix
    stays released: fix the cause and publish again)."""
    from hotfix.services.git.publish import publish as publish_service

    with context() as ctx:
        done = publish_service(ctx, key, actor(ctx, as_))
        emit(as_json, done.to_dict(), lambda: render(done))
    if not done.passed:
        raise typer.Exit(1)


def render(done: Published) -> None:
    run, key = done.run, done.record.key
    for line in run.output.splitlines():
        console.print(f"  [dim]{escape(line)}[/]", soft_wrap=True)
    command = escape(" ".join(run.args))
    if done.passed:
        console.print(f"{key}: published [bold]{done.tag}[/] ({command}, {run.seconds:.1f} s)")
    else:
        why = (f"stopped after {run.seconds:.0f} s (release.publish_timeout)" if run.timed_out
               else f"exit {run.exit_code}")
        console.print(f"[bold red]{key}: publishing {done.tag} failed[/]: {command}: {why}")
        console.print("  recorded; fix the cause, then publish again")
    step = done.record.next_step()
    if step:
        console.print(f"  [dim]next:[/] {step}")
