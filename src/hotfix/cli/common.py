"""What every command shares: options, the context, identity, and rendering."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hotfix.errors import HotfixError, UsageError

if TYPE_CHECKING:
    from hotfix.config import Config
    from hotfix.ports import GitRepo
    from hotfix.services.context import Context

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ActorOpt = Annotated[
    str | None,
    typer.Option("--as", help="Who acts (email). Default: git config user.email."),
]
OverrideOpt = Annotated[
    str | None,
    typer.Option("--override", help="Approvers only: force a refused guard, with the reason."),
]


@contextmanager
def context() -> Iterator[Context]:
    """The context of the repository the command runs in, closed afterwards."""
    ctx = open_at(Path.cwd())
    try:
        yield ctx
    except HotfixError as exc:
        if ctx.acting_as is not None and exc.hint:  # signed in: who acts is never --as
            from hotfix.domain.record.actors import signed_in

            exc.hint = signed_in(exc.hint)
        raise
    finally:
        ctx.close()


def open_at(start: Path) -> Context:
    """The context of the repository above ``start``, in this process's environment."""
    from hotfix.wiring import open_context

    return open_context(start, dict(os.environ))


def settings(repo: Path | None = None) -> tuple[GitRepo, Config]:
    """The repository ``repo`` (default: the current directory's) and its settings."""
    from hotfix.wiring import find_settings

    return find_settings(repo or Path.cwd(), dict(os.environ))


def actor(ctx: Context, given: str | None) -> str:
    """Who acts: through a team server, its token's user (``--as`` is refused there);
    locally, ``--as`` if given, else the repository's git user.email."""
    if ctx.acting_as is not None:
        if given is not None:
            raise UsageError(f"--as is refused when acting through the team server: who acts "
                             f"is the signed-in user, {ctx.acting_as}",
                             hint="drop --as; to act as someone else, sign in as them: "
                             "hotfix login URL")
        return ctx.acting_as
    who = given or ctx.git.config_value("user.email")
    if not who:
        raise UsageError("who is acting? no --as given and git has no user.email",
                         hint="pass --as you@example.com, or: git config user.email "
                         "you@example.com")
    return who.strip()


def emit(as_json: bool, data: Any, render: Callable[[], None]) -> None:
    """Print ``data`` as JSON for scripts, or call ``render`` for people."""
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    else:
        render()
