"""``hotfix status`` and ``hotfix list``."""

from __future__ import annotations

from typing import Annotated

import typer

from hotfix.cli.common import JsonOpt, context, emit
from hotfix.cli.render import print_list, print_record, print_time


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("list")(list_)


def status(key: Annotated[str, typer.Argument(help="The hotfix, e.g. HF-1.")],
           as_json: JsonOpt = False) -> None:
    """One hotfix: state, triage and its reasons, approvals, facts, time, next step."""
    with context() as ctx:
        rec = ctx.records.get(key)
        report = ctx.records.timing(key)
        data = {**rec.summary(), "triage": rec.triage, "facts": dict(rec.facts),
                "time": report.to_dict()}

        def render() -> None:
            print_record(rec)
            print_time(report)

        emit(as_json, data, render)


def list_(
    state: Annotated[list[str] | None, typer.Option("--state", help="Only these states.")]
    = None,
    open_only: Annotated[bool, typer.Option("--open", help="Hide closed hotfixes.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Every hotfix, newest last."""
    with context() as ctx:
        records = ctx.records.list(set(state) if state else None)
        if open_only:
            records = [r for r in records if r.state.value != "closed"]
        emit(as_json, [r.summary() for r in records], lambda: print_list(records))
