"""``hotfix approve`` and ``hotfix reject``: the emergency approval, recorded."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit

KeyArg = Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")]
NoteOpt = Annotated[str, typer.Option("--note", "-m", help="Why, for the record.")]


def register(app: typer.Typer) -> None:
    app.command("approve")(approve)
    app.command("reject")(reject)


def approve(key: KeyArg, note: NoteOpt = "", as_: ActorOpt = None,
            as_json: JsonOpt = False) -> None:
    """Approve a triaged hotfix. The requester cannot approve their own."""
    from hotfix.cli.render import print_record

    with context() as ctx:
        rec = ctx.records.act(key, "approve", actor(ctx, as_), {"note": note})
        emit(as_json, rec.summary(), lambda: print_record(rec, headline="approved"))


def reject(key: KeyArg, note: NoteOpt = "", as_: ActorOpt = None,
           as_json: JsonOpt = False) -> None:
    """Reject a hotfix request (it can still be closed for the record)."""

    with context() as ctx:
        rec = ctx.records.act(key, "reject", actor(ctx, as_), {"note": note})
        emit(as_json, rec.summary(), lambda: console.print(f"{rec.key} rejected"))
