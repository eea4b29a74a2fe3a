"""Rows as every store keeps them, and the values they stand for.

The SQL store and the memory store share these, so both hold exactly the same text: the
time as ISO 8601 and the payload as canonical JSON, both exactly as hashed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from hotfix.domain.record.events import GENESIS, Event, canonical_json, sealed
from hotfix.errors import ChainBroken, ConflictError, NotFound

if TYPE_CHECKING:
    from hotfix.domain.audit.equivalence import Waiver
    from hotfix.ports import Draft


class EventRow(NamedTuple):
    hotfix: int
    seq: int
    at: str
    actor: str
    kind: str
    payload: str
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, event: Event) -> EventRow:
        return cls(event.hotfix, event.seq, iso(event.at), event.actor, event.kind,
                   canonical_json(event.payload), event.prev_hash, event.hash)

    def to_event(self) -> Event:
        """The event this row stores; ``ChainBroken`` naming it when the row cannot be one
        (only a change made outside hotfix writes such a row)."""
        return Event(hotfix=self.hotfix, seq=self.seq, at=self._at(), actor=self.actor,
                     kind=self.kind, payload=self._payload(), prev_hash=self.prev_hash,
                     hash=self.hash)

    def _at(self) -> datetime:
        try:
            at = datetime.fromisoformat(self.at)
        except (TypeError, ValueError):
            at = None
        if at is None or at.tzinfo is None:
            raise self._unreadable(f"its time {self.at!r} is not an ISO 8601 time with a zone")
        return at

    def _payload(self) -> dict[str, Any]:
        try:
            payload = json.loads(self.payload)
        except (TypeError, ValueError):
            payload = None
        if not isinstance(payload, dict):
            raise self._unreadable("its payload is not a JSON object")
        return payload

    def _unreadable(self, why: str) -> ChainBroken:
        return ChainBroken(
            f"record {self.hotfix}, event {self.seq} ({self.kind}) was altered outside "
            f"hotfix: {why}",
            hint="the database was edited by hand: restore it from a backup; "
            "`hotfix log --verify` checks a record once it reads again",
        )


class WaiverRow(NamedTuple):
    sha: str
    line: str
    reason: str
    actor: str
    at: str

    @classmethod
    def of(cls, waiver: Waiver) -> WaiverRow:
        return cls(waiver.sha, waiver.line, waiver.reason, waiver.actor, iso(waiver.at))

    def to_waiver(self) -> Waiver:
        from hotfix.domain.audit.equivalence import Waiver  # the audit's; records need none

        return Waiver(sha=self.sha, line=self.line, reason=self.reason, actor=self.actor,
                      at=datetime.fromisoformat(self.at))


def iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def chained(number: int, events: list[Event], drafts: Iterable[Draft],
            at: datetime) -> list[Event]:
    """The drafts as events sealed onto the end of ``events``, each hashing the one before."""
    prev = events[-1].hash if events else GENESIS
    new: list[Event] = []
    for seq, (actor, kind, payload) in enumerate(drafts, start=len(events) + 1):
        event = sealed(hotfix=number, seq=seq, at=at, actor=actor, kind=kind,
                       payload=json.loads(canonical_json(payload)), prev_hash=prev)
        prev = event.hash
        new.append(event)
    return new


def kept_waiver(existing: WaiverRow, waiver: Waiver) -> Waiver:
    """The waiver already recorded for the same commit and line: the same one again is a
    no-op, a different one is refused (decisions are not overwritten)."""
    kept = existing.to_waiver()
    if kept.reason != waiver.reason:
        raise ConflictError(
            f"{waiver.sha[:12]} is already waived on line {waiver.line} by "
            f"{kept.actor} at {existing.at}: {kept.reason}",
            hint="the first decision stands; see it with `hotfix audit --json`")
    return kept


def no_hotfix(number: int) -> NotFound:
    return NotFound(f"no hotfix number {number}", hint="see them all: hotfix list")


def taken(numbers: Iterable[int]) -> ConflictError:
    listed = ", ".join(f"#{n}" for n in sorted(numbers))
    return ConflictError(f"hotfix number(s) {listed} exist already in this record; nothing "
                         "was imported", hint="import into a new project, or a database "
                         "where those numbers are free (commits carry Hotfix-Id: HF-N)")
