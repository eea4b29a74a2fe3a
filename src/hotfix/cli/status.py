"""``hotfix status`` and ``hotfix list``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from hotfix.cli.common import JsonOpt, context, emit


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("list")(list_)


def status(key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
           as_json: JsonOpt = False) -> None:
    """One hotfix: state, triage and its reasons, approvals, facts, time, next step."""
    from hotfix.cli.render import print_record, print_time, warn_integrity
    from hotfix.services.record import views as record_views

    with context() as ctx:
        view = record_views.status(ctx, key)

    backup = view.record.last("backup")

    def render() -> None:
        print_record(view.record)
        if backup is not None:
            print_backup(backup)
        print_time(view.time)

    emit(as_json, {**view.to_dict(), "backup": backup}, render)
    warn_integrity(view.integrity)


def print_backup(backup: Mapping[str, Any]) -> None:
    """The latest backup before a deploy: where it is, how big, its checksum, or why not."""
    from rich.markup import escape

    from hotfix.cli.common import console

    size = backup.get("size")
    where = escape(str(backup.get("location") or "?"))
    shown = f"{where}, {size} bytes" if size is not None else where
    if backup.get("sha256"):
        shown += f", sha256 {str(backup['sha256'])[:16]}…"
    if backup.get("passed"):
        console.print(f"  backup     {shown} (before {backup.get('version')})")
        return
    forced = backup.get("overridden") or {}
    tail = f"; overridden by {escape(str(forced['by']))}" if forced else ""
    console.print(f"  backup     [red]failed[/]: {escape(str(backup.get('problem')))} "
                  f"(before {backup.get('version')}){tail}")


def list_(
    state: Annotated[list[str] | None, typer.Option("--state", help="Only these states.")]
    = None,
    open_only: Annotated[bool, typer.Option("--open", help="Hide closed hotfixes.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Every hotfix, newest last."""
    from hotfix.cli.render import print_list, warn_integrity
    from hotfix.services.record import views as record_views

    with context() as ctx:
        view = record_views.listing(ctx, set(state) if state else None, open_only=open_only)
    emit(as_json, [r.summary() for r in view.records], lambda: print_list(view.records))
    warn_integrity(view.integrity)
