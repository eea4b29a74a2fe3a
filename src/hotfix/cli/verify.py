"""``hotfix verify``: smoke checks and the bug's own check against production."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit
from hotfix.domain.rollout.bug_check import BugCheckOptions

if TYPE_CHECKING:
    from hotfix.services.rollout.verify import Verification


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)


def verify(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    bug_check: Annotated[str | None, typer.Option(
        "--bug-check", help="The bug's check by name, from [verify.bug_checks.NAME] in "
        "hotfix.toml.")] = None,
    bug_command: Annotated[str | None, typer.Option(
        "--bug-command", help="A command that failed before the fix (exit 0 = fixed); "
        "HOTFIX_BASE_URL tells it where production is.")] = None,
    bug_path: Annotated[str | None, typer.Option(
        "--bug-path", help="The request that failed before the fix, e.g. /checkout.")] = None,
    bug_method: Annotated[str, typer.Option("--bug-method", help="Its HTTP method.")] = "GET",
    bug_json: Annotated[str | None, typer.Option("--bug-json", help="Its JSON body.")] = None,
    bug_status: Annotated[int, typer.Option("--bug-status", help="Status it must answer.")]
    = 200,
    bug_match: Annotated[str, typer.Option("--bug-match", help="Text its body must hold.")]
    = "",
    url: Annotated[str | None, typer.Option(
        "--url", help="Where production answers. Default: verify.base_url, or the router.")]
    = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check production after promotion (a library: what was published); the result goes on
    the record (exit 1 if it fails).

    The bug's own check, once given, is kept on the record: later verifies run a named
    check or a request again, never a command read from the record. A library is verified
    by the bug's own command alone (it sees HOTFIX_TAG and HOTFIX_VERSION).
    """
    bug = BugCheckOptions(bug_command, bug_path, bug_method, bug_json, bug_status, bug_match,
                          bug_check)
    from hotfix.services.rollout import verify as service

    with context() as ctx:
        result = service.verify(ctx, key, actor(ctx, as_), bug=bug, base_url=url)
        emit(as_json, result.to_dict(), lambda: render(result))
        if not result.passed:
            raise typer.Exit(1)


def render(result: Verification) -> None:
    for c in result.checks:
        mark = "[green]pass[/]" if c.passed else "[red]FAIL[/]"
        console.print(f"{mark} {c.kind:5} {escape(c.name)}: {escape(c.detail)}", soft_wrap=True)
    verdict = "[bold green]verified[/]" if result.passed else "[bold red]not verified[/]"
    console.print(f"{result.key} {verdict} against {escape(result.against)}")
