"""``hotfix status`` and ``hotfix list``."""

from __future__ import annotations

from typing import Annotated

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

    def render() -> None:
        print_record(view.record)
        print_time(view.time)

    emit(as_json, view.to_dict(), render)
    warn_integrity(view.integrity)


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
