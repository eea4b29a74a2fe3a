"""``hotfix notify status``, ``retry`` and ``run``: the outbox of notifications."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from hotfix.cli.common import JsonOpt, console, context, emit

notify_app = typer.Typer(help="Notifications: what is pending, delivered or dead; deliver "
                         "what is due; retry dead letters.", no_args_is_help=True,
                         rich_markup_mode=None, add_completion=False)


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")


@notify_app.command("status")
def status(as_json: JsonOpt = False) -> None:
    """Pending notices, how many were delivered, and the dead letters with their errors (the
    team server's outbox when signed in)."""
    from hotfix.services.notify.outbox import outbox_status
    from hotfix.wiring import project_api

    with context() as ctx:
        api = project_api(ctx)
        report: dict[str, Any] = api.get("/notify") if api else outbox_status(ctx).to_dict()

    def render() -> None:
        console.print(f"{len(report['pending'])} pending · {report['delivered']} delivered · "
                      f"{len(report['dead'])} dead")
        for heading, messages in (("pending", report["pending"]),
                                  ("dead letters", report["dead"])):
            if messages:
                console.print(f"\n{heading}:")
                console.print(_table(messages))
        if report["dead"]:
            console.print("\nretry them, once the channel is fixed: hotfix notify retry")

    emit(as_json, report, render)


@notify_app.command("retry")
def retry(
    id: Annotated[str | None, typer.Argument(
        help="The dead letter to retry (default: every one).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make dead letters pending again, due now; `hotfix notify run` delivers them."""
    from hotfix.services.notify.outbox import retry_dead
    from hotfix.wiring import project_api

    with context() as ctx:
        api = project_api(ctx)
        ids = (list(api.post("/notify/retry", {"id": id})["retrying"]) if api
               else retry_dead(ctx.notify.outbox, id, ctx.now()))
    emit(as_json, {"retrying": ids}, lambda: console.print(
        f"{len(ids)} dead letter(s) pending again: hotfix notify run delivers them"))


@notify_app.command("run")
def run(
    watch: Annotated[bool, typer.Option(
        "--watch", help="Keep delivering until interrupted (Ctrl-C).")] = False,
    interval: Annotated[float, typer.Option(
        "--interval", min=0.1, help="Seconds between rounds with --watch.")] = 5.0,
    as_json: JsonOpt = False,
) -> None:
    """Deliver every notice that is due (and queue the status updates due), once or on.
    Signed in, the team server delivers them, with its channels and their secrets."""
    from hotfix.services.notify.dispatch import deliver_due, deliver_forever
    from hotfix.wiring import project_api

    with context() as ctx:
        api = project_api(ctx)
        if api is not None:
            def deliver() -> dict[str, Any]:
                done: dict[str, Any] = api.post("/notify/run")
                return done
        else:
            def deliver() -> dict[str, Any]:
                return deliver_due(ctx, ctx.now()).to_dict()
        if watch:
            deliver_forever(deliver, ctx.clock, interval,
                            lambda r: _show(r, as_json, quiet=True))
        else:
            _show(deliver(), as_json, quiet=False)


def _show(report: dict[str, Any], as_json: bool, *, quiet: bool) -> None:
    if quiet and not report["attempts"] and not report["status_queued"]:
        return

    def render() -> None:
        console.print(f"{report['delivered']} delivered · {report['retrying']} to "
                      f"retry · {report['dead']} dead · {report['status_queued']} status "
                      "update(s) queued")
        for attempt in report["attempts"]:
            if attempt["outcome"] != "delivered":
                line = f"  {attempt['outcome']}: {attempt['id']}: {attempt['error']}"
                if attempt["next_at"]:
                    line += f" (next at {attempt['next_at']})"
                console.print(Text(line))

    emit(as_json, report, render)


def _table(messages: list[dict[str, Any]]) -> Table:
    table = Table("id", "channel", "attempts", "next / last try (UTC)", "last error", box=None)
    for m in messages:
        table.add_row(Text(m["id"]), Text(m["channel"]), str(m["attempts"]),
                      _utc(m["next_at"]), Text(m["last_error"]))
    return table


def _utc(iso: str) -> str:
    from datetime import UTC, datetime

    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
