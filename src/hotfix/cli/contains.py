"""``hotfix contains SHA|HF-N``: which released versions carry a fix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import JsonOpt, console, context, emit

if TYPE_CHECKING:
    from hotfix.services.git.contains import Containment


def register(app: typer.Typer) -> None:
    app.command("contains")(contains_cmd)


def contains_cmd(
    fix: Annotated[str, typer.Argument(help="A commit (SHA or ref) or a hotfix id (HF-N).")],
    as_json: JsonOpt = False,
) -> None:
    """Which release tags contain a fix: the commit itself, or its backports found by
    trailer, patch-id or subject."""
    from hotfix.services.git.contains import contains

    with context() as ctx:
        found = contains(ctx, fix)
    emit(as_json, found.to_dict(), lambda: render(found))


def render(found: Containment) -> None:
    released = ", ".join(found.tags) or "no release yet"
    console.print(f"[bold]{escape(found.fix)}[/] is in: {released}")
    for line in found.lines:
        if not line.tags:
            status = "[red]not released[/]" if line.newest else "[dim]no release[/]"
        elif line.in_newest:
            status = f"since {line.tags[0]}"
        else:
            status = f"in {', '.join(line.tags)} [yellow]but not in {line.newest}[/]"
        console.print(f"  line {line.line:<8} {status}")
    for carrier in found.commits:
        how = carrier.match.by.value if carrier.match else "the fix"
        console.print(f"  [dim]{carrier.sha[:12]} {how:<9} {escape(carrier.subject)}[/]")
