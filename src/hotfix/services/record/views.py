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
from hotfix.services.record import anchor


@dataclass(frozen=True)
class Status:
    """One hotfix as ``hotfix status`` shows it: the record and the time spent on it."""

    record: Hotfix
    time: TimeReport
    integrity: list[str]  # what is wrong with its chain or against its anchor

    def to_dict(self) -> dict[str, Any]:
        rec = self.record
        return {**rec.summary(), "triage": rec.triage, "facts": dict(rec.facts),
                "time": self.time.to_dict(), "integrity": self.integrity}


@dataclass(frozen=True)
class Timeline:
    """A hotfix's events, with the verification of their hash chain when it was asked for."""

    record: Hotfix
    chain: ChainReport | None
    anchor: list[str] | None = None  # disagreements with its anchor, when checked

    def to_dict(self) -> dict[str, Any]:
        rec = self.record
        return {"id": rec.key, "kind": rec.kind, "state": rec.state.value,
                "events": [e.to_dict() for e in rec.events],
                "chain": self.chain.to_dict() if self.chain else None,
                "anchor": self.anchor}

    def ensure_intact(self) -> None:
        """Raise ``ChainBroken``, naming the first bad event, if the chain was checked and
        does not hold, or its anchor contradicts it."""
        chain = self.chain
        if chain is not None and not chain.ok:
            raise ChainBroken(f"the timeline of {self.record.key} was tampered with: "
                              f"{chain.problem}", hint="restore the database from a backup; "
                              f"the bad event is #{chain.bad_seq}")
        if self.anchor:
            raise ChainBroken(f"the timeline of {self.record.key} was tampered with: "
                              f"{self.anchor[0]}", hint="restore the database from a backup "
                              "(hotfix db restore); docs/security.md says what the anchor "
                              "proves")


def status(ctx: Context, key: str) -> Status:
    rec = ctx.records.get(key)
    return Status(rec, time_report(rec, ctx.now()), anchor.record_problems(ctx, rec))


def timeline(ctx: Context, key: str, *, verify: bool = False) -> Timeline:
    rec = ctx.records.get(key)
    if not verify:
        return Timeline(rec, None)
    return Timeline(rec, ctx.records.verify(key), anchor.anchor_problems(ctx, rec))


@dataclass(frozen=True)
class Listing:
    """``hotfix list``: the records, and what is wrong with any chain or anchor."""

    records: list[Hotfix]
    integrity: list[str]


def listing(ctx: Context, states: set[str] | None = None, *,
            open_only: bool = False) -> Listing:
    """Every hotfix, oldest first; only those in ``states`` if given; no closed ones if
    ``open_only``; with the integrity of every record (a missing one included)."""
    everything = ctx.records.list()
    _, integrity = anchor.problems(ctx, everything)
    shown = [r for r in everything if (states is None or r.state.value in states)
             and (not open_only or r.state is not State.CLOSED)]
    return Listing(shown, integrity)


def log_work(ctx: Context, key: str, actor: str, duration: str, note: str = "") -> TimeReport:
    """Log ``duration`` of work by ``actor``; the time spent, this work included."""
    return time_report(ctx.records.log_time(key, actor, duration, note), ctx.now())
