"""``hotfix lines``: the release lines, their latest release, branch and support."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from hotfix.cli.common import JsonOpt, console, context, emit

if TYPE_CHECKING:
    from hotfix.services.git.lines import ReleaseLine


def register(app: typer.Typer) -> None:
    app.command("lines")(lines)


def lines(as_json: JsonOpt = False) -> None:
    """List release lines (from tags, maintenance branches and floating branches such as
    stable) and whether each is supported."""
    from hotfix.services.git.lines import discover_lines

    with context() as ctx:
        found = discover_lines(ctx.git, ctx.cfg)
        mainline = ctx.cfg.str("lines.mainline")
        emit(as_json, {"mainline": mainline, "lines": [x.to_dict() for x in found]},
             lambda: _render(found))


def _render(found: list[ReleaseLine]) -> None:
    if not found:
        console.print("no release lines yet: tag a release, e.g. git tag -a v1.0.0 -m 'Release'")
        return
    table = Table("line", "latest", "branch", "supported", "releases", box=None)
    for line in found:
        support = ("yes" if line.supported else "[red]no[/]") + (
            f" (until {line.until})" if line.until else "")
        latest = line.latest_tag or "[yellow]none[/]"
        if line.prerelease:
            latest += f" (pre-release {line.prerelease})"
        branch = line.branch or "-"
        extra = [a for a in line.aliases if a != line.branch]
        if extra:
            branch += f" (also {', '.join(extra)})"
        table.add_row(line.name, latest, branch, support, str(len(line.tags)))
    console.print(table)
