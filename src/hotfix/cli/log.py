"""``hotfix log`` (the timeline, and its verification) and ``hotfix time``."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit

KeyArg = Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")]


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
    from hotfix.cli.render import print_timeline
    from hotfix.services.record import views as record_views

    with context() as ctx:
        view = record_views.timeline(ctx, key, verify=verify)
    emit(as_json, view.to_dict(), lambda: print_timeline(view.record, view.chain))
    view.ensure_intact()


def time(
    key: KeyArg,
    duration: Annotated[str | None, typer.Argument(help="Work to log: 45m, 1h30m, 1.5h.")]
    = None,
    note: Annotated[str, typer.Option("--note", "-m", help="What the time went on.")] = "",
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log active work on a hotfix (unplanned work), or show the time spent."""
    from hotfix.cli.render import print_time
    from hotfix.services.record import views as record_views

    with context() as ctx:
        report = (ctx.records.timing(key) if duration is None else
                  record_views.log_work(ctx, key, actor(ctx, as_), duration, note))

    def render() -> None:
        if duration is not None:
            console.print(f"logged {duration} on {key.upper()}")
        print_time(report)

    emit(as_json, report.to_dict(), render)
