"""``hotfix log`` (the timeline, and its verification) and ``hotfix time``."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit
from hotfix.cli.render import print_time, print_timeline
from hotfix.errors import HotfixError

KeyArg = Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")]


class ChainBroken(HotfixError):
    """Exit 1: the timeline does not verify."""


def register(app: typer.Typer) -> None:
    app.command("log")(log)
    app.command("time")(time)


def log(
    key: KeyArg,
    verify: Annotated[bool, typer.Option("--verify", help="Recompute the hash chain; exit 1 "
                                         "naming the first bad event.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The hotfix's timeline: every step, who, when, with what."""
    with context() as ctx:
        rec = ctx.records.get(key)
        chain = ctx.records.verify(key) if verify else None
        data = {"id": rec.key, "events": [e.to_dict() for e in rec.events],
                "chain": chain.to_dict() if chain else None}
        emit(as_json, data, lambda: print_timeline(rec.events, chain))
        if chain is not None and not chain.ok:
            raise ChainBroken(f"the timeline of {rec.key} was tampered with: {chain.problem}",
                              hint="restore the database from a backup; the bad event is "
                              f"#{chain.bad_seq}")


def time(
    key: KeyArg,
    duration: Annotated[str | None, typer.Argument(help="Work to log: 45m, 1h30m, 1.5h.")]
    = None,
    note: Annotated[str, typer.Option("--note", "-m", help="What the time went on.")] = "",
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log active work on a hotfix (unplanned work), or show the time spent."""
    with context() as ctx:
        if duration is not None:
            ctx.records.log_time(key, actor(ctx, as_), duration, note)
        report = ctx.records.timing(key)

        def render() -> None:
            if duration is not None:
                console.print(f"logged {duration} on {key.upper()}")
            print_time(report)

        emit(as_json, report.to_dict(), render)
