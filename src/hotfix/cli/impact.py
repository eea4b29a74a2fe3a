"""``hotfix impact``: which tests a change can affect, most likely to fail first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import JsonOpt, console, emit, err_console, settings
from hotfix.cli.policy import BaseOpt, HeadOpt, RepoOpt

if TYPE_CHECKING:
    from hotfix.services.checks.impact import ImpactReport
    from hotfix.services.checks.policy import Range

RecordOpt = Annotated[bool, typer.Option(
    "--record", help="First record a coverage map on the base (runs the whole suite once).")]
LimitOpt = Annotated[int, typer.Option("--show", help="How many selected tests to list.")]


def register(app: typer.Typer) -> None:
    app.command("impact")(impact_cmd)


def impact_cmd(base: BaseOpt = None, head: HeadOpt = None, repo: RepoOpt = None,
               record: RecordOpt = False, show: LimitOpt = 30, as_json: JsonOpt = False) -> None:
    """Select the tests BASE..HEAD can affect (coverage map, else static analysis)."""
    from hotfix.services.checks.impact import impact
    from hotfix.wiring import open_clock

    git, cfg = settings(repo)
    report = impact(git, cfg, clock=open_clock(), base=base, head=head, record=record,
                    on_recording=print_recording)
    emit(as_json, report.to_dict(), lambda: print_impact(report, show))


def print_recording(found: Range) -> None:
    err_console.print(f"recording the coverage map of {escape(found.base)} …")


def print_impact(report: ImpactReport, show: int) -> None:
    sel = report.selection
    share = len(sel.selected) / sel.total_tests if sel.total_tests else 0.0
    console.print(f"{len(sel.selected)} of {sel.total_tests} tests selected ({share:.0%}), "
                  f"strategy {sel.strategy}, {report.seconds * 1000:.0f} ms")
    recorded = report.recorded
    if recorded:
        console.print(f"  recorded the map of {recorded.commit[:12]}: {recorded.tests} tests in "
                      f"{recorded.seconds:.1f} s")
        for test in recorded.failed[:show]:
            console.print(f"  [yellow]![/] failed while recording: {escape(test)}")
    console.print(f"  [dim]{escape(report.map_note)}[/]")
    for problem in sel.syntax_errors:
        console.print(f"  [red]syntax error[/] {escape(problem.path)}:{problem.line}: "
                      f"{escape(problem.message)}")
    for note in sel.notes:
        console.print(f"  [yellow]![/] {escape(note)}")
    for test in sel.selected[:show]:
        console.print(f"  {escape(test)}  [dim]{escape(sel.reasons[test])}[/]")
    if len(sel.selected) > show:
        console.print(f"  … and {len(sel.selected) - show} more (--json lists them all)")
