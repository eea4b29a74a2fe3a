"""``hotfix check HF-N``: scope guard, targeted tests, full suite; recorded on the hotfix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from hotfix.cli.common import ActorOpt, JsonOpt, OverrideOpt, actor, console, context, emit
from hotfix.cli.policy import WaiveOpt

if TYPE_CHECKING:
    from hotfix.domain.checks.testrun import Progress as Step
    from hotfix.domain.checks.testrun import RunResult
    from hotfix.services.checks.pipeline import CheckOutcome

KeyArg = Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")]
KeepOpt = Annotated[bool, typer.Option(
    "--keep-going", help="Run the full suite even when a targeted test fails.")]
MARK = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "error": "[red]✗[/]",
        "skipped": "[yellow]-[/]", "xfail": "[yellow]x[/]", "xpass": "[yellow]![/]"}


def register(app: typer.Typer) -> None:
    app.command("check")(check_cmd)


def check_cmd(key: KeyArg, keep_going: KeepOpt = False, override: OverrideOpt = None,
              waive_test: WaiveOpt = None, as_: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Check a hotfix: scope guard, impact-selected tests, then the full regression suite."""
    from hotfix.services.checks.check import check

    with context() as ctx:
        who = actor(ctx, as_)
        with _Live(quiet=as_json) as live:
            outcome, rec = check(ctx, key, who, keep_going=keep_going, override=override,
                                 waive_test=waive_test, on_progress=live.step)
        payload = {**outcome.to_payload(), "state": rec.state.value, "id": rec.key}
        emit(as_json, payload, lambda: print_outcome(outcome, rec.key))
        if not outcome.passed:
            raise typer.Exit(1)


class _Live:
    """Rich progress for the test runs, plain lines for the other stages."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console, transient=True)
        self.task: TaskID | None = None

    def __enter__(self) -> _Live:
        if not self.quiet:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def step(self, step: Step) -> None:
        if self.quiet:
            return
        if step.test is None:
            if step.message and step.stage != "done":
                self.bar.console.print(f"[bold]{step.stage}[/] {escape(step.message)}")
            if step.stage in ("targeted", "full", "retry"):
                self.task = self.bar.add_task(step.stage, total=step.total)
            return
        if self.task is not None:
            self.bar.update(self.task, completed=step.done, total=step.total,
                            description=f"{step.stage} {escape(step.test)[-50:]}")
        if step.outcome in ("failed", "error"):
            self.bar.console.print(f"  {MARK['failed']} {escape(step.test)}")


TAIL_LINES = 25


def _print_cause(run: RunResult) -> None:
    """Why a run failed without (only) failing tests, and the end of what it printed."""
    console.print(f"  [red]{escape(run.diagnosis or '')}[/] (exit {run.exit_code})")
    lines = run.output_tail.rstrip().splitlines()[-TAIL_LINES:]
    if lines:
        console.print(f"  the last {len(lines)} lines of `{escape(' '.join(run.command[:4]))}"
                      f"{' …' if len(run.command) > 4 else ''}`:")
        console.print("\n".join(f"    {escape(line)}" for line in lines), highlight=False)


def print_outcome(outcome: CheckOutcome, key: str) -> None:
    from hotfix.domain.checks.testrun import failures_first

    for v in outcome.scope.violations:
        console.print(f"  [red]✗ {v.rule}[/] {escape(v.file or '')}: {escape(v.message)}")
    if outcome.scope_override:
        console.print(f"  [yellow]scope overridden[/] by {outcome.scope_override['by']}: "
                      f"{escape(outcome.scope_override['reason'])}")
    for run in outcome.runs:
        c = run.counts()
        state = "[green]passed[/]" if run.passed else "[red]failed[/]"
        extra = " [red]TIMED OUT (killed)[/]" if run.timed_out else ""
        console.print(f"{run.stage}: {state}{extra} — {c['passed']} passed, {c['failed']} "
                      f"failed, {c['error']} errors, {c['skipped']} skipped in "
                      f"{run.seconds:.1f}s")
        for case in failures_first(run.cases):
            if case.outcome not in ("failed", "error"):
                break
            console.print(f"  {MARK['failed']} {escape(case.nodeid)}: "
                          f"{escape(case.message.splitlines()[0] if case.message else '')}")
        for test in run.flaky:
            console.print(f"  [yellow]flaky[/] {escape(test)} (failed, then passed on retry)")
        if not run.passed and run.diagnosis:
            _print_cause(run)
    if outcome.targeted_skipped:
        console.print(f"targeted: skipped — {escape(outcome.targeted_skipped)}")
    if outcome.problem:
        console.print(f"[red]{escape(outcome.problem)}[/]")
    verdict = "[green]check passed[/]" if outcome.passed else "[red]check failed[/]"
    if outcome.blocked:
        verdict = "[red]blocked by the scope guard[/] (an approver may --override \"reason\")"
    console.print(f"{key} {verdict} on {outcome.range.head_sha[:12]}")
