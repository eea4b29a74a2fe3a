"""``hotfix report``: the record as Markdown, HTML or PDF, for stakeholders and postmortems."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotfix.cli.common import JsonOpt, console, context, emit


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html or pdf.")] = "md",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Where to write it; '-' for stdout. Default: Markdown to "
        "stdout, HTML and PDF to .hotfix/reports/HF-N.<format>.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The hotfix's report: triage and its reasons, approvals, checks and the tests selected,
    the release, the canary chart, verification, ports, documentation, time spent, the
    postmortem's action items and the timeline."""
    from hotfix.errors import UsageError
    from hotfix.services.record import report as reports

    fmt = fmt.lower().lstrip(".")
    if fmt not in reports.FORMATS:
        raise UsageError(f"unknown report format {fmt!r}",
                         hint="use --format md, --format html or --format pdf")
    with context() as ctx:
        made = reports.report(ctx, key)
        default = ctx.root / ".hotfix" / "reports" / f"{made.key}.{fmt}"
    body = reports.render(made, fmt)
    if as_json:
        emit(True, made.to_dict(), lambda: None)
        return
    if (output is None and fmt == "md") or str(output) == "-":
        if fmt == "pdf":
            raise UsageError("a PDF is not written to a terminal",
                             hint=f"give a file: hotfix report {made.key} -f pdf -o report.pdf")
        typer.echo(body.decode("utf-8"), nl=False)
        return
    path = output or default
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    except OSError as exc:
        raise UsageError(f"cannot write the report to {path}: {exc.strerror}",
                         hint="give a writable path with --output") from None
    console.print(f"wrote {made.key}'s report: {path}")
