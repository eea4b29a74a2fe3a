"""``hotfix document``: the documentation fields a record needs before it closes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit
from hotfix.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("document")(document)


def document(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    field: Annotated[list[str] | None, typer.Option(
        "--field", "-f", metavar="NAME=VALUE",
        help='A field and its text, e.g. --field root_cause="cache key lacked the region". '
             "Repeat for more; a blank value clears one.")] = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fill documentation fields (close.require names the ones close needs)."""
    from hotfix.domain.record.documentation import UnreadableField, parse_fields
    from hotfix.services.record.document import document as document_service

    try:
        fields = parse_fields(field or [])
    except UnreadableField as exc:
        raise UsageError(str(exc), hint=f'e.g. hotfix document {key} --field '
                         'root_cause="…"') from None
    with context() as ctx:
        done = document_service(ctx, key, actor(ctx, as_), fields)

    def render() -> None:
        console.print(f"{done.record.key} documented: {', '.join(done.fields)}")
        for name, value in done.record.documentation.items():
            console.print(f"  {name:<16} {escape(value) or '[dim](blank)[/]'}", soft_wrap=True)
        if done.missing:
            console.print(f"  [yellow]still missing before close:[/] {', '.join(done.missing)}")
        elif done.record.next_step():
            console.print(f"  [dim]next:[/] {done.record.next_step()}")

    emit(as_json, done.to_dict(), render)
