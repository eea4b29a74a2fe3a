"""What ``hotfix status``, ``list``, ``log`` and ``time`` show: the record, read once.

Each view holds the values its command renders and the JSON it prints; the CLI only draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotfix.domain.record.events import ChainReport
from hotfix.domain.record.lifecycle import Hotfix, State
from hotfix.domain.record.timing import TimeReport, time_report
from hotfix.errors import ChainBroken
from hotfix.services.context import Context


@dataclass(frozen=True)
class Status:
    """One hotfix as ``hotfix status`` shows it: the record and the time spent on it."""

    record: Hotfix
    time: TimeReport

    def to_dict(self) -> dict[str, Any]:
        rec = self.record
        return {**rec.summary(), "triage": rec.triage, "facts": dict(rec.facts),
                "time": self.time.to_dict()}


@dataclass(frozen=True)
class Timeline:
    """A hotfix's events, with the verification of their hash chain when it was asked for."""

    record: Hotfix
    chain: ChainReport | None

    def to_dict(self) -> dict[str, Any]:
        rec = self.record
        return {"id": rec.key, "kind": rec.kind, "state": rec.state.value,
                "events": [e.to_dict() for e in rec.events],
                "chain": self.chain.to_dict() if self.chain else None}

    def ensure_intact(self) -> None:
        """Raise ``ChainBroken``, naming the first bad event, if the chain was checked and
        does not hold."""
        chain = self.chain
        if chain is not None and not chain.ok:
            raise ChainBroken(f"the timeline of {self.record.key} was tampered with: "
                              f"{chain.problem}", hint="restore the database from a backup; "
                              f"the bad event is #{chain.bad_seq}")


def status(ctx: Context, key: str) -> Status:
    rec = ctx.records.get(key)
    return Status(rec, time_report(rec, ctx.now()))


def timeline(ctx: Context, key: str, *, verify: bool = False) -> Timeline:
    rec = ctx.records.get(key)
    return Timeline(rec, ctx.records.verify(key) if verify else None)


def listing(ctx: Context, states: set[str] | None = None, *,
            open_only: bool = False) -> list[Hotfix]:
    """Every hotfix, oldest first; only those in ``states`` if given; no closed ones if
    ``open_only``."""
    records = ctx.records.list(states)
    return [r for r in records if not open_only or r.state is not State.CLOSED]


def log_work(ctx: Context, key: str, actor: str, duration: str, note: str = "") -> TimeReport:
    """Log ``duration`` of work by ``actor``; the time spent, this work included."""
    return time_report(ctx.records.log_time(key, actor, duration, note), ctx.now())
