"""What a zone shows at an instant, derived from the content records' events (never stored
apart).

A ``draft`` names its template, zone, catalog version and checked values; a ``publish``
puts that draft on its zone; a ``revert`` (or an ``expire``) takes it off again, so the zone
shows what it showed before (the previous publish still standing, else nothing).

A ``schedule`` (``start``, optional ``end``, UTC ISO instants) publishes the draft at
``start`` and takes it off at ``end``, whenever the jobs that log those moves run: the zone
is exact at every instant even while the server was down. The ``publish`` and ``expire``
events those jobs write carry ``scheduled: true`` and add nothing to what the schedule said.
A person's next step on the record (a new draft, a publish, a revert, a rejection) cancels
what of its schedule is still to come."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotfix.domain.record.hotfix import Hotfix

CANCELS = frozenset({"draft", "publish", "revert", "reject", "expire"})


@dataclass(frozen=True)
class Live:
    zone: str
    key: str | None  # the record whose publish the zone shows; None: nothing published
    template: str | None
    values: Mapping[str, Any]
    published_at: datetime | None
    catalog_version: int | None
    fragment: str = ""  # the HTML a site shows (domain.content.preview); "": nothing

    def body(self) -> dict[str, Any]:
        return {"zone": self.zone, "record": self.key, "template": self.template,
                "values": dict(self.values), "catalog_version": self.catalog_version,
                "published_at": self.published_at.isoformat() if self.published_at else None,
                "fragment": self.fragment}


@dataclass(frozen=True)
class Publish:
    """One publish to a zone, oldest first in ``history``: ``standing`` while no revert
    (or expiry) took it off, ``shown`` when it is what the zone shows now."""

    key: str
    at: datetime
    actor: str
    template: str
    values: Mapping[str, Any]
    standing: bool
    shown: bool


@dataclass(frozen=True)
class Schedule:
    """A record's schedule still in force: when it goes live and when it comes off."""

    start: datetime
    end: datetime | None
    tz: str
    cancelled: datetime | None  # a person's later step: nothing of it after this instant

    def holds(self, at: datetime) -> bool:
        return self.cancelled is None or at < self.cancelled

    def due(self, record: Hotfix, now: datetime) -> str | None:
        """The move a job logs now: ``publish`` once started, ``expire`` once ended."""
        state = record.state.value
        if state == "scheduled" and self.start <= now and self.holds(self.start):
            return "publish"
        if (state == "published" and self.end is not None and self.end <= now
                and self.holds(self.end) and _scheduled_publish(record)):
            return "expire"
        return None


def schedule_of(record: Hotfix) -> Schedule | None:
    """The record's newest schedule, with when a person's later step cancelled it."""
    found: Schedule | None = None
    for event in record.events:
        if event.kind == "schedule":
            end = event.payload.get("end")
            found = Schedule(datetime.fromisoformat(str(event.payload["start"])),
                             datetime.fromisoformat(str(end)) if end else None,
                             str(event.payload.get("tz", "UTC")), None)
        elif (found is not None and found.cancelled is None and event.kind in CANCELS
              and not event.payload.get("scheduled")):
            found = Schedule(found.start, found.end, found.tz, event.at)
    return found


def next_boundary(records: Iterable[Hotfix], now: datetime) -> datetime | None:
    """The first instant after ``now`` at which a schedule may move a zone: what is
    derived at ``now`` holds until then, while no event is written. (A cancelled schedule's
    instants count too: one needless re-derivation, never a stale zone.)"""
    ahead = [at for record in records if record.kind == "content"
             for event in record.events if event.kind == "schedule"
             for at in (_at(event.payload.get("start")), _at(event.payload.get("end")))
             if at is not None and at > now]
    return min(ahead, default=None)


def _at(given: object) -> datetime | None:
    return datetime.fromisoformat(str(given)) if given else None


def _scheduled_publish(record: Hotfix) -> bool:
    last = next((e for e in reversed(record.events) if e.kind == "publish"), None)
    return last is not None and bool(last.payload.get("scheduled"))


def live_zones(records: Iterable[Hotfix], now: datetime) -> dict[str, Live]:
    """Every zone that was ever published to by ``now``, with what it shows at ``now``."""
    return {zone: _live(zone, stack)
            for zone, stack in _standing(_moves(records, now)).items()}


def history(records: Iterable[Hotfix], zone: str, now: datetime) -> list[Publish]:
    """Every publish to ``zone`` by ``now``, oldest first, each saying whether it still
    stands (a schedule's start counts as its publish, its end as its expiry)."""
    moves = [m for m in _moves(records, now) if m[4].get("zone") == zone]
    stack = _standing(moves).get(zone, [])
    standing = {key for key, _, _ in stack}
    shown = stack[-1][0] if stack else None
    return [Publish(key, at, actor, str(draft.get("template")), dict(draft.get("values", {})),
                    key in standing, key == shown)
            for at, key, _, kind, draft, actor in moves if kind == "publish"]


_Move = tuple[datetime, str, int, str, Mapping[str, Any], str]


def _moves(records: Iterable[Hotfix], now: datetime) -> list[_Move]:
    """Every publish, revert and expiry by ``now`` with the draft it moved, in the order
    they ran; a schedule's moves at the instants it named."""
    moves: list[_Move] = []
    for record in records:
        if record.kind != "content":
            continue
        draft: Mapping[str, Any] = {}
        for event in record.events:
            if event.kind == "draft":
                draft = event.payload
            elif event.kind == "schedule" and draft.get("zone"):
                moves.extend(_scheduled(record, event.seq, event.actor, draft, now))
            elif (event.kind in ("publish", "revert", "expire") and draft.get("zone")
                  and not event.payload.get("scheduled") and event.at <= now):
                moves.append((event.at, record.key, event.seq, event.kind, draft,
                              event.actor))
    return sorted(moves, key=lambda m: (m[0], m[1], m[2]))


def _standing(moves: Iterable[_Move]) -> dict[str, list[tuple[str, datetime,
                                                               Mapping[str, Any]]]]:
    """Per zone, the publishes no revert took off, oldest first (the last one shows)."""
    standing: dict[str, list[tuple[str, datetime, Mapping[str, Any]]]] = {}
    for at, key, _, kind, draft, _actor in moves:
        stack = standing.setdefault(str(draft["zone"]), [])
        stack[:] = [entry for entry in stack if entry[0] != key]
        if kind == "publish":
            stack.append((key, at, draft))
    return standing


def _scheduled(record: Hotfix, seq: int, actor: str, draft: Mapping[str, Any],
               now: datetime) -> list[_Move]:
    schedule = schedule_of(record)
    if schedule is None or any(e.kind == "schedule" and e.seq > seq for e in record.events):
        return []  # a newer schedule replaced this one
    out: list[_Move] = []
    if schedule.start <= now and schedule.holds(schedule.start):
        out.append((schedule.start, record.key, seq, "publish", draft, actor))
        if schedule.end is not None and schedule.end <= now and schedule.holds(schedule.end):
            out.append((schedule.end, record.key, seq, "expire", draft, actor))
    return out


def _live(zone: str, stack: list[tuple[str, datetime, Mapping[str, Any]]]) -> Live:
    if not stack:
        return Live(zone, None, None, {}, None, None)
    key, at, draft = stack[-1]
    version = draft.get("catalog_version")
    return Live(zone, key, str(draft.get("template")), dict(draft.get("values", {})), at,
                int(version) if isinstance(version, int) else None)


def nothing(zone: str) -> Live:
    return Live(zone, None, None, {}, None, None)
