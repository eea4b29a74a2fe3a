"""``hotfix backport``: port the fix to newer lines and main; a summary per target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit

if TYPE_CHECKING:
    from hotfix.services.git.backport import BackportResult

SHORT = {"not asked": "not merged yet", "dirty": "not merged: the checkout has changes",
         "moved": "not merged: the target moved on", "busy": "not merged: a rebase/bisect "
         "is under way", "refused": "not merged: git refused", "remote only":
         "push it and open a pull request", "no branch": "the line has no branch",
         "merge commit": "a merge commit", "check failed": "not merged: its check failed"}
STYLE = {"merged": "green", "already present": "green", "ported": "yellow",
         "skipped": "yellow", "conflict": "bold red", "failed": "bold red"}


def register(app: typer.Typer) -> None:
    app.command("backport")(backport)


def backport(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    to: Annotated[str | None, typer.Option("--to", help="Targets, comma-separated: main and/or "
                                           "lines (main,1.2). Default: the own line (when it "
                                           "has a branch), every newer supported line, then "
                                           "main.")] = None,
    merge: Annotated[bool, typer.Option(
        "--merge", help="Check each port (backport.check: the check pipeline), then "
                        "fast-forward its target branch to it when that is safe (never a "
                        "checkout with changes); the own line gets its release. Exit 1 if one "
                        "could not be.")
    ] = False,
    push: Annotated[bool, typer.Option(
        "--push", help="Push the target branches that hold their port to lines.remote, "
                       "atomically (all or none).")] = False,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Port the fix to each target in its own worktree; exit 1 if any target failed."""
    from hotfix.services.git.backport import backport as backport_service

    with context() as ctx:
        targets = to.split(",") if to is not None else None
        result = backport_service(ctx, key, actor(ctx, as_), targets, merge=merge, push=push)
        emit(as_json, result.to_dict(), lambda: _render(result))
    if result.failed:
        raise typer.Exit(1)


def _render(result: BackportResult) -> None:
    table = Table("target", "status", "branch", "detail", box=None)
    for t in result.targets:
        style = STYLE.get(t.status, "")
        detail = ", ".join(t.files) if t.files else (
            SHORT.get(t.merge or "", t.message) if t.next else t.message)
        table.add_row(t.target, f"[{style}]{t.status}[/]", t.branch or "-", detail)
    console.print(table)
    for t in result.targets:
        if t.status == "conflict" and t.next is None:
            console.print(f"[dim]resolve {t.target}:[/] edit in {t.worktree}, git add, then "
                          f"hotfix backport {result.key} --to {t.target}", soft_wrap=True)
        elif t.next:
            console.print(f"{t.target}: {t.message}\n  [dim]next:[/] {t.next}", soft_wrap=True)
    for t in result.targets:
        entry = t.changelog or {}
        if entry.get("message"):
            then = f"\n  [dim]next:[/] {escape(str(entry['next']))}" if entry.get("next") else ""
            console.print(f"changelog on {t.target} ({entry.get('status')}): "
                          f"{escape(str(entry['message']))}{then}", soft_wrap=True)
    pushed = result.pushed
    if pushed is not None:
        what = ", ".join(pushed.branches) or "nothing to push"
        if pushed.error:
            console.print(f"[bold red]push to {pushed.remote} refused[/] ({what}): "
                          f"{pushed.error}\n  [dim]next:[/] git fetch {pushed.remote}, merge "
                          f"it into those branches, then: hotfix backport {result.key} --push",
                          soft_wrap=True)
        else:
            console.print(f"pushed to {pushed.remote}: {what}", soft_wrap=True)
    folded = "yes" if result.main_ported else "no — it is not in main yet"
    console.print(f"main has the fix: {folded}")
