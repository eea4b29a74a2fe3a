"""``hotfix verify``: smoke checks and the bug's own check against production."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit
from hotfix.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)


def verify(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
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
    """Check production after promotion; the result goes on the record (exit 1 if it fails).

    The bug's own check, once given, is kept on the record and re-run by later verifies.
    """
    bug: dict[str, Any] | None = None
    if bug_command:
        bug = {"command": bug_command}
    elif bug_path:
        bug = {"method": bug_method.upper(), "path": bug_path, "status": bug_status,
               "match": bug_match}
        if bug_json is not None:
            try:
                bug["json"] = json.loads(bug_json)
            except json.JSONDecodeError as exc:
                raise UsageError(f"--bug-json is not JSON: {exc}") from None
    from hotfix.services import verify as service

    with context() as ctx:
        result = service.verify(ctx, key, actor(ctx, as_), bug_check=bug, base_url=url)

        def render() -> None:
            for c in result.checks:
                mark = "[green]pass[/]" if c.passed else "[red]FAIL[/]"
                console.print(f"{mark} {c.kind:5} {escape(c.name)}: {escape(c.detail)}",
                              soft_wrap=True)
            verdict = "[bold green]verified[/]" if result.passed else "[bold red]not verified[/]"
            console.print(f"{result.key} {verdict} against {result.base_url}")

        emit(as_json, result.to_dict(), render)
        if not result.passed:
            raise typer.Exit(1)
