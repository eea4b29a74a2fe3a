"""Events: the append-only, hash-chained record of everything done to a hotfix.

Each event stores the SHA-256 of its canonical JSON (which includes the previous event's
hash), so altering, removing or reordering a row breaks the chain at that row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Event:
    hotfix: int
    seq: int  # 1, 2, ... within one hotfix
    at: datetime  # timezone-aware UTC
    actor: str
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "hotfix": self.hotfix,
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor,
            "kind": self.kind,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(event: Event) -> str:
    return hashlib.sha256(canonical_json(event.body()).encode("utf-8")).hexdigest()


def sealed(
    *, hotfix: int, seq: int, at: datetime, actor: str, kind: str,
    payload: dict[str, Any], prev_hash: str,
) -> Event:
    """A new event with its hash computed."""
    draft = Event(hotfix, seq, at, actor, kind, payload, prev_hash)
    return Event(hotfix, seq, at, actor, kind, payload, prev_hash, compute_hash(draft))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "bad_seq": self.bad_seq,
                "problem": self.problem}


def verify_chain(events: list[Event], head: tuple[int, str] | None = None) -> ChainReport:
    """Recompute every hash; name the first event that does not fit.

    ``head`` is the (seq, hash) the store recorded for the newest event: it catches the
    removal of the last events, which the chain alone cannot.
    """
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainReport(False, expected_seq - 1, expected_seq,
                               f"event {expected_seq} is missing (found {event.seq} next)")
        if event.prev_hash != prev:
            return ChainReport(False, expected_seq - 1, event.seq,
                               f"event {event.seq} does not follow event {event.seq - 1}: "
                               "an earlier event was altered or removed")
        if compute_hash(event) != event.hash:
            return ChainReport(False, expected_seq - 1, event.seq,
                               f"event {event.seq} ({event.kind}) was altered after it was written")
        prev = event.hash
    if head is not None and head != (len(events), prev):
        return ChainReport(False, len(events), len(events) + 1 if head[0] > len(events) else
                           head[0], f"the record ends at event {len(events)} but its head says "
                           f"{head[0]}: events were removed or the head was altered")
    return ChainReport(True, len(events))
