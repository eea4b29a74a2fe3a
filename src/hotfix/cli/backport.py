"""``hotfix backport``: port the fix to newer lines and main; a summary per target."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit
from hotfix.services.backport import BackportResult
from hotfix.services.backport import backport as backport_service

STYLE = {"ported": "green", "already present": "green", "skipped": "yellow",
         "conflict": "bold red", "failed": "bold red"}


def register(app: typer.Typer) -> None:
    app.command("backport")(backport)


def backport(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    to: Annotated[str | None, typer.Option("--to", help="Targets, comma-separated: main and/or "
                                           "lines (main,1.2). Default: every newer supported "
                                           "line, then main.")] = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Port the fix to each target in its own worktree; exit 1 if any target failed."""
    with context() as ctx:
        targets = to.split(",") if to is not None else None
        result = backport_service(ctx, key, actor(ctx, as_), targets)
        emit(as_json, result.to_dict(), lambda: _render(result))
    if result.failed:
        raise typer.Exit(1)


def _render(result: BackportResult) -> None:
    table = Table("target", "status", "branch", "detail", box=None)
    for t in result.targets:
        style = STYLE.get(t.status, "")
        detail = ", ".join(t.files) if t.files else t.message
        table.add_row(t.target, f"[{style}]{t.status}[/]", t.branch or "-", detail)
    console.print(table)
    for t in result.targets:
        if t.status == "conflict":
            console.print(f"[dim]resolve {t.target}:[/] edit in {t.worktree}, git add, then "
                          f"hotfix backport {result.key} --to {t.target}")
