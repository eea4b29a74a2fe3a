"""``hotfix rollback``: a hotfix's own canary out of production; or, on a roll-back-first
record, production back to an earlier release (``--to``), then verified there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit
from hotfix.domain.rollout.bug_check import BugCheckOptions

if TYPE_CHECKING:
    from hotfix.services.context import Context
    from hotfix.services.rollout.roll_back_first import RolledBackFirst


def register(app: typer.Typer) -> None:
    app.command("rollback")(rollback)


def rollback(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    to: Annotated[str | None, typer.Option(
        "--to", help="Roll-back-first record: the release to return to, e.g. v1.1.1. "
        "Default: the release live before the current one.")] = None,
    reason: Annotated[str, typer.Option("--reason", "-m", help="Why, for the record.")]
    = "rolled back by hand",
    bug_check: Annotated[str | None, typer.Option(
        "--bug-check", help="Roll-back-first record: the bug's check by name "
        "([verify.bug_checks.NAME]), run against the release returned to.")] = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send all traffic back to the previous version at once and stop the newer instances.

    A hotfix: works at any time, during a rollout (its controller is stopped first) or after
    promotion. A roll-back-first record: production returns to an earlier release (--to),
    started and health-checked first; then the smoke checks and the bug's own check run
    against it (exit 1 if they fail: the rollback did not help).
    """
    with context() as ctx:
        who = actor(ctx, as_)
        if ctx.records.get(key).kind == "rollback":
            _first(ctx, key, who, to, bug_check, reason, as_json)
            return
        if to is not None or bug_check is not None:
            from hotfix.errors import UsageError

            raise UsageError("--to and --bug-check are for a roll-back-first record",
                             hint=f"undo the hotfix's own canary: hotfix rollback {key}")
        from hotfix.cli.rollout_view import print_outcome
        from hotfix.services.rollout import deploy as service

        out = service.rollback(ctx, key, who, reason)
        emit(as_json, out.to_dict(), lambda: print_outcome(console, out))


def _first(ctx: Context, key: str, who: str, to: str | None, bug_check: str | None,
           reason: str, as_json: bool) -> None:
    from hotfix.services.rollout.roll_back_first import roll_back_first

    bug = BugCheckOptions(None, None, "GET", None, 200, "", bug_check) if bug_check else None
    show = None if as_json else (lambda line: console.print(f"  {escape(line)}"))
    out = roll_back_first(ctx, key, who, to=to, bug=bug, reason=reason, on_step=show)
    emit(as_json, out.to_dict(), lambda: render_first(out))
    if not out.verification.passed:
        raise typer.Exit(1)


def render_first(out: RolledBackFirst) -> None:
    from hotfix.cli.verify import render

    rolled = out.rolled
    took = f" in {rolled.switch_seconds:.2f} s" if rolled.switch_seconds is not None else ""
    console.print(f"{rolled.key}: production rolled back from {rolled.live} to "
                  f"[bold]{rolled.to}[/]{took}")
    render(out.verification)
    style = "green" if out.verification.passed else "red"
    console.print(f"[{style}]{escape(out.verdict)}[/]")
    if out.verification.passed:
        console.print(f"  [dim]next:[/] fix forward: hotfix start {rolled.key}; or hotfix "
                      f"defer {rolled.key} --reason \"…\"")
