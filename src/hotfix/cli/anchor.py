"""``hotfix anchor``: checkpoint every record's chain head in git, push it, verify against it."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import JsonOpt, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("anchor")(anchor)


def anchor(
    keys: Annotated[list[str] | None, typer.Argument(
        help="The hotfixes to checkpoint, e.g. HF-1 (default: every one).")] = None,
    push: Annotated[bool, typer.Option("--push", help="Push the anchors to the remote "
                                       "(never forced).")] = False,
    remote: Annotated[str | None, typer.Option("--remote", help="Where --push goes "
                                               "(default: lines.remote).")] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Only compare the database with "
                                         "the anchors; exit 1 on any disagreement.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Witness the record outside the database: each record's newest event is checkpointed
    under refs/hotfix/anchor/, so a record re-hashed or deleted later is caught by
    `hotfix log --verify`, `status`, `list` and this command's --verify."""
    from hotfix.errors import ChainBroken
    from hotfix.services.record import anchor as anchors

    with context() as ctx:
        if verify:
            checked, problems = anchors.problems(ctx)
            report = anchors.AnchorReport(checked=checked, problems=problems)
        else:
            report = anchors.checkpoint(ctx, keys or None)
            if push:
                where = remote or ctx.cfg.str("lines.remote")
                anchors.push(ctx, where, keys or None)
                report = anchors.AnchorReport(report.written, report.checked,
                                              pushed_to=where)

    def render() -> None:
        if verify:
            console.print(f"{report.checked} anchor(s) checked: "
                          + ("every record agrees" if not report.problems else
                             f"{len(report.problems)} problem(s)"))
            for problem in report.problems:
                console.print(f"  [red]✗[/] {problem}")
            return
        for point in report.written:
            console.print(f"anchored {point.key} at event {point.seq} "
                          f"(checkpoint {point.generation})")
        if not report.written:
            console.print(f"{report.checked} record(s): nothing new to anchor")
        if report.pushed_to:
            console.print(f"pushed the anchors to {report.pushed_to}")

    emit(as_json, report.to_dict(), render)
    if report.problems:
        raise ChainBroken(f"{len(report.problems)} record(s) disagree with their anchors: "
                          f"{report.problems[0]}", hint="restore the database from a backup "
                          "(hotfix db restore) and compare again; docs/security.md")
