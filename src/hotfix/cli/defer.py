"""``hotfix defer``: after a verified rollback, leave the fix to a planned release."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, context, emit


def register(app: typer.Typer) -> None:
    app.command("defer")(defer)


def defer(
    key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
    reason: Annotated[str, typer.Option("--reason", "-m",
                                        help="Why the fix can wait, for the record.")],
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Roll back first: once the rollback is verified, defer the fix to a planned release."""
    from hotfix.cli.render import print_record
    from hotfix.services.record.defer import defer as defer_service

    with context() as ctx:
        rec = defer_service(ctx, key, actor(ctx, as_), reason)
        emit(as_json, {**rec.summary(), "reason": reason.strip()},
             lambda: print_record(rec, headline="deferred"))
