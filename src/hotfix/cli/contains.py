"""``hotfix contains SHA|HF-N``: which released versions carry a fix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import JsonOpt, console, context, emit, err_console

if TYPE_CHECKING:
    from hotfix.domain.audit.shipped import Shipped
    from hotfix.services.git.contains import Containment


def register(app: typer.Typer) -> None:
    app.command("contains")(contains_cmd)


def contains_cmd(
    fix: Annotated[str, typer.Argument(help="A commit (SHA or ref) or a hotfix id (HF-N).")],
    as_json: JsonOpt = False,
) -> None:
    """Which release tags ship a fix: the commit or its backports (by trailer, patch-id or
    subject) in each tag's history, and the fix's patch applied in each tag's tree."""
    from hotfix.services.git.contains import contains

    def progress(text: str) -> None:
        if not as_json and err_console.is_terminal:
            err_console.print(f"[dim]{escape(text)}[/]")

    with context() as ctx:
        found = contains(ctx, fix, on_progress=progress)
    emit(as_json, found.to_dict(), lambda: render(found))


def render(found: Containment) -> None:
    released = ", ".join(found.tags) or "no release yet"
    console.print(f"[bold]{escape(found.fix)}[/] is in: {released}")
    partial = [t for line in found.lines for t in line.partial]
    if partial:
        console.print(f"[yellow]partially in: {', '.join(partial)}[/]")
    for line in found.lines:
        if not line.tags:
            status = "[red]not released[/]" if line.newest else "[dim]no release[/]"
        elif line.in_newest:
            status = f"since {line.tags[0]}"
        else:
            status = f"in {', '.join(line.tags)} [yellow]but not in {line.newest}[/]"
        console.print(f"  line {line.line:<8} {status}")
        _releases(line.tags + line.partial + line.missing, found)
    for carrier in found.commits:
        how = carrier.match.by.value if carrier.match else "the fix"
        console.print(f"  [dim]{carrier.sha[:12]} {how:<9} {escape(carrier.subject)}[/]")


def _releases(tags: tuple[str, ...], found: Containment) -> None:
    """How each release tag of a line was decided; tags with nothing of the fix, counted."""
    from hotfix.domain.audit.shipped import How

    told = [r for r in found.releases if r.tag in tags]
    quiet = [r for r in told if r.how is How.ABSENT]
    for release in told:
        if release not in quiet:
            console.print(f"    {release.tag:<12} {release.state.value:<8} {_why(release)}")
    if quiet:
        console.print(f"    [dim]{len(quiet)} release(s) with nothing of it: "
                      f"{', '.join(r.tag for r in quiet)}[/]")


def _why(release: Shipped) -> str:
    from hotfix.domain.audit.shipped import How

    sha = (release.commit or "")[:12]
    hunks = release.hunks
    return escape({
        How.HISTORY_AND_TREE: f"{sha} in its history, the fix's patch in its tree",
        How.HISTORY: f"{sha} in its history; the code changed since, the tree cannot tell",
        How.OTHER_MEANS: "the fix's patch is in its tree, applied by other means"
                         + (f" (as {sha})" if sha else ""),
        How.PARTIAL: f"partially present: {hunks.applied} of {hunks.applied + hunks.absent} "
                     f"hunks applied" + (f" ({sha} in its history)" if sha else ""),
        How.REVERTED: f"reverted before {release.tag} by {sha}",
        How.REMOVED: f"{sha} in its history, but its tree lacks the fix (removed without a "
                     f"revert)",
        How.ABSENT: "neither in its history nor in its tree",
    }[release.how])
