"""``hotfix policy``: the scope guard on any diff, for people and for CI gates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import JsonOpt, console, emit, settings

if TYPE_CHECKING:
    from hotfix.services.checks.policy import PolicyResult

BaseOpt = Annotated[str | None, typer.Option(
    "--base", help="Compare from this commit, tag or branch. Default: the newest tag below "
    "HEAD (else HEAD's parent).")]
HeadOpt = Annotated[str | None, typer.Option("--head", help="Compare up to this commit. "
                                             "Default: HEAD.")]
RepoOpt = Annotated[Path | None, typer.Option("--repo", help="The repository. Default: the "
                                              "current directory's.")]
WaiveOpt = Annotated[str | None, typer.Option(
    "--waive-test", help="Waive the test-required rule, with the reason (recorded).")]
JunitOpt = Annotated[Path | None, typer.Option(
    "--junit", help="Also write the findings as JUnit XML to this file (one testcase each).")]
AnnotateOpt = Annotated[bool, typer.Option(
    "--github-annotations", help="Also print a GitHub Actions ::error annotation per finding, "
                                 "on the file it names.")]


def register(app: typer.Typer) -> None:
    app.command("policy")(policy_cmd)


def policy_cmd(base: BaseOpt = None, head: HeadOpt = None, repo: RepoOpt = None,
               waive_test: WaiveOpt = None, junit: JunitOpt = None,
               github_annotations: AnnotateOpt = False, as_json: JsonOpt = False) -> None:
    """Check a diff against the scope rules (scope.*); exit 1 on any violation."""
    from hotfix.services.checks.policy import policy

    git, cfg = settings(repo)
    result = policy(git, cfg, base=base, head=head, waiver=waive_test)
    if junit is not None:
        write_junit(junit, result)
    emit(as_json, result.to_dict(), lambda: print_policy(result))
    if github_annotations:
        print_annotations(result)
    if not result.report.ok:
        raise typer.Exit(1)


def print_policy(result: PolicyResult) -> None:
    rng, report = result.range, result.report
    console.print(f"scope of {escape(rng.base)}..{escape(rng.head)}: {report.files} files, "
                  f"{report.lines} lines changed")
    for v in report.violations:
        where = f" {escape(v.file)}" if v.file else ""
        console.print(f"  [red]✗ {v.rule}[/]{where}: {escape(v.message)}")
    if report.ok:
        console.print("  [green]✓ within scope[/]" + (f" (test waived: {escape(report.waiver)})"
                                                     if report.waiver else ""))


def write_junit(path: Path, result: PolicyResult) -> None:
    from hotfix.reports.junit import Case, junit_xml

    cases = [Case(f"{v.rule}: {v.file}" if v.file else v.rule, "hotfix.policy", v.message,
                  v.file) for v in result.report.violations]
    if not cases:
        cases = [Case("within scope", "hotfix.policy")]
    rng = result.range
    path.write_text(junit_xml(f"hotfix policy {rng.base}..{rng.head}", cases), encoding="utf-8")


def print_annotations(result: PolicyResult) -> None:
    from hotfix.reports.junit import github_error

    for v in result.report.violations:
        typer.echo(github_error(v.message, file=v.file, title=f"hotfix policy: {v.rule}"))
