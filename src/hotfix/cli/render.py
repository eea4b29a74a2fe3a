"""Rich renderings shared by the record commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from hotfix.cli.common import console
from hotfix.domain.record.events import ChainReport
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.record.timing import TimeReport, format_duration

SEV_STYLE = {"SEV1": "bold red", "SEV2": "red", "SEV3": "yellow", "SEV4": "green"}


def print_record(rec: Hotfix, headline: str = "") -> None:
    head = f"[bold]{rec.key}[/] {escape(rec.title)}"
    console.print(f"{headline} {head}".strip())
    console.print(f"  kind       {rec.kind}")
    console.print(f"  state      {rec.state.value}")
    console.print(f"  requester  {escape(rec.requester)}")
    if rec.triage:
        print_triage(rec.triage)
    else:
        missing = (rec.last("triage") or {}).get("missing") or ["the triage answers"]
        console.print(f"  triage     not yet: missing {', '.join(missing)}")
    if rec.approvals:
        console.print(f"  approvals  {', '.join(rec.approvals)}")
    for name, value in rec.facts.items():
        console.print(f"  {name:<10} {escape(str(value))}")
    if rec.next_step():
        console.print(f"  [dim]next:[/] {rec.next_step()}")


def print_triage(decision: Any) -> None:
    sev = decision["severity"]
    console.print(f"  severity   [{SEV_STYLE.get(sev, '')}]{sev}[/]")
    console.print(f"  route      [bold]{decision['route']}[/]")
    for reason in decision["reasons"]:
        answers = ", ".join(reason["answers"]) or "default"
        console.print(f"    • {escape(reason['text'])} [dim]({answers})[/]")
    if decision.get("assumed"):
        console.print(f"    [dim]assumed 'no'/default, not answered: "
                      f"{', '.join(decision['assumed'])}[/]")


def warn_integrity(problems: list[str]) -> None:
    """Say on stderr, whatever the output format, that what was shown may be tampered."""
    from hotfix.cli.common import err_console

    for problem in problems:
        err_console.print(f"[bold red]warning:[/] {escape(problem)}")
    if problems:
        err_console.print("  the record does not verify: run `hotfix anchor --verify`; "
                          "docs/security.md says what to do")


def print_list(records: list[Hotfix]) -> None:
    if not records:
        console.print('no hotfixes yet: hotfix open "what is broken"')
        return
    table = Table("id", "kind", "state", "sev", "route", "title", "next", box=None)
    for rec in records:
        sev = rec.triage["severity"] if rec.triage else "-"
        table.add_row(rec.key, rec.kind, rec.state.value, Text(sev, style=SEV_STYLE.get(sev, "")),
                      rec.triage["route"] if rec.triage else "-", Text(rec.title),
                      Text(rec.next_step() or ""))
    console.print(table)


def print_timeline(rec: Hotfix, chain: ChainReport | None) -> None:
    console.print(f"[bold]{rec.key}[/] {escape(rec.title)}")
    console.print(f"  kind       {rec.kind}")
    console.print(f"  state      {rec.state.value}")
    table = Table("#", "when (UTC)", "who", "what", "details", box=None)
    for ev in rec.events:
        table.add_row(str(ev.seq), _when(ev.at), Text(ev.actor), ev.kind,
                      Text(_details(ev.payload)))
    console.print(table)
    if chain is not None:
        if chain.ok:
            console.print(f"[green]chain intact[/]: {chain.checked} events verified")
        else:
            console.print(f"[bold red]chain broken[/] at event {chain.bad_seq}: "
                          f"{escape(chain.problem or '')}")


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def _details(payload: dict[str, Any]) -> str:
    if payload.get("decision"):
        d = payload["decision"]
        kind = f" ({payload['kind']} record)" if payload.get("kind") else ""
        return f"{d['severity']} → {d['route']}{kind}"
    parts = [f"{k}={v}" for k, v in payload.items() if k not in ("answers", "decision", "facts")
             and not isinstance(v, dict | list)]
    parts += [f"{k}={v}" for k, v in payload.get("facts", {}).items()]
    text = ", ".join(parts)
    return text if len(text) < 100 else text[:97] + "…"


def print_time(report: TimeReport) -> None:
    console.print(f"  wall time      {format_duration(report.wall_seconds)}")
    for state, seconds in report.per_state.items():
        console.print(f"    {state:<12} {format_duration(seconds)}")
    console.print(f"  unplanned work {format_duration(report.active_seconds)} logged")
    for person, seconds in report.active_by_person.items():
        console.print(f"    {escape(person):<30} {format_duration(seconds)}")
