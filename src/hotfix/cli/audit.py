"""``hotfix audit``: is every change on a release line also in the mainline? (a CI gate)

``hotfix audit waive SHA --line X.Y --reason "…"`` records that a line does not need one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit, err_console

if TYPE_CHECKING:
    from hotfix.domain.audit.equivalence import LineAudit

group = typer.Typer(no_args_is_help=False, rich_markup_mode=None)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="audit")


@group.callback(invoke_without_command=True)
def audit(
    typer_ctx: typer.Context,
    lines: Annotated[str, typer.Option(
        "--lines", help="Comma-separated lines to audit, as X.Y or branch names, e.g. "
                        "1.1,release/1.2,stable. Default: every supported line.")] = "",
    publish: Annotated[bool, typer.Option(
        "--publish", help="Also publish the result to the team server (hotfix login), "
        "where its dashboard and API show it: run it in CI on the mainline.")] = False,
    junit: Annotated[Path | None, typer.Option(
        "--junit", help="Also write JUnit XML to this file: one testcase per release line, "
                        "failing with the commits it is missing.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check that every fix on each release line is in the mainline; exit 1 when one is
    missing. To accept one: hotfix audit waive SHA --line X.Y --reason "why" [--hotfix HF-N]."""
    if typer_ctx.invoked_subcommand is not None:
        return
    from hotfix.services.git import audit as audit_service

    names = [name.strip() for name in lines.split(",") if name.strip()]
    with context() as ctx:
        result = audit_service.audit(ctx, names)
        if publish:
            from hotfix.services.git.lines import mainline_ref
            from hotfix.wiring import publish_to_server

            commit = ctx.git.commit_of(mainline_ref(ctx.git, ctx.cfg)) or ""
            done = publish_to_server(ctx, "audit", {
                "commit": commit, "lines": [line.to_dict() for line in result]})
            err_console.print(f"published to {ctx.records.location}: audit {done['id']} at "
                              f"{commit[:12]}, {done['missing']} missing")
    if junit is not None:
        write_junit(junit, result)
    emit(as_json, [line.to_dict() for line in result], lambda: render(result))
    if any(line.missing for line in result):
        raise typer.Exit(1)


@group.command("waive")
def waive(
    sha: Annotated[str, typer.Argument(help="The line commit that the line keeps to itself.")],
    line: Annotated[str, typer.Option("--line", help="The release line, e.g. 1.1.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the mainline does not need it.")],
    hotfix: Annotated[str | None, typer.Option(
        "--hotfix", help="Record it on this hotfix's timeline (e.g. HF-3).")] = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a release line's commit does not need to reach the mainline."""
    from hotfix.services.git import waivers

    with context() as ctx:
        done = waivers.waive(ctx, sha, line, reason, actor(ctx, as_), hotfix=hotfix)
    emit(as_json, done.to_dict(hotfix), lambda: console.print(
        f"waived {done.sha[:12]} on line {escape(done.line)}: {escape(done.reason)}"))


def render(result: list[LineAudit]) -> None:
    missing = [(line.line, v) for line in result for v in line.missing]
    if missing:
        table = Table(title="Missing from the mainline", title_justify="left")
        for column in ("line", "commit", "subject"):
            table.add_column(column)
        for name, verdict in missing:
            table.add_row(name, verdict.sha[:12], escape(verdict.subject))
        console.print(table)
        console.print("[dim]port them: hotfix backport HF-N, or git cherry-pick -x SHA on main;"
                      " or waive: hotfix audit waive SHA --line X.Y --reason \"…\"[/]")
    console.print(counts_table(result))


def counts_table(result: list[LineAudit]) -> Table:
    from hotfix.domain.audit.equivalence import Status

    table = Table(title="Per line", title_justify="left")
    table.add_column("line")
    for status in Status:
        table.add_column(status.value, justify="right")
    table.add_column("found by", style="dim")
    for line in result:
        counts = line.counts()
        by: dict[str, int] = {}
        for verdict in line.commits:
            if verdict.match is not None:
                by[verdict.match.by.value] = by.get(verdict.match.by.value, 0) + 1
        style = "red" if counts["missing"] else ""
        table.add_row(line.line, *(f"[{style}]{counts[s.value]}[/]" if style
                                   and s is Status.MISSING else str(counts[s.value])
                                   for s in Status),
                      ", ".join(f"{k} {v}" for k, v in sorted(by.items())))
    if not result:
        table.add_row("(no supported release lines)", *("" for _ in Status), "")
    return table


def write_junit(path: Path, result: list[LineAudit]) -> None:
    from hotfix.reports.junit import Case, junit_xml

    cases = [Case(f"line {line.line}", "hotfix.audit", "\n".join(
        f"{v.sha[:12]} {v.subject}: not in the mainline" for v in line.missing) or None)
        for line in result]
    path.write_text(junit_xml("hotfix audit", cases), encoding="utf-8")
