"""What a zone shows now, derived from the content records' events (never stored apart).

A ``draft`` names its template, zone, catalog version and checked values; a ``publish``
puts that draft on its zone; a ``revert`` takes it off again, so the zone shows what it
showed before (the previous publish still standing, else nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotfix.domain.record.hotfix import Hotfix


@dataclass(frozen=True)
class Live:
    zone: str
    key: str | None  # the record whose publish the zone shows; None: nothing published
    template: str | None
    values: Mapping[str, Any]
    published_at: datetime | None
    catalog_version: int | None

    def body(self) -> dict[str, Any]:
        return {"zone": self.zone, "record": self.key, "template": self.template,
                "values": dict(self.values), "catalog_version": self.catalog_version,
                "published_at": self.published_at.isoformat() if self.published_at else None}


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


def live_zones(records: Iterable[Hotfix]) -> dict[str, Live]:
    """Every zone that was ever published to, with what it shows now."""
    return {zone: _live(zone, stack) for zone, stack in _standing(_moves(records)).items()}


def history(records: Iterable[Hotfix], zone: str) -> list[Publish]:
    """Every publish to ``zone``, oldest first, each saying whether it still stands."""
    moves = [m for m in _moves(records) if m[4].get("zone") == zone]
    stack = _standing(moves).get(zone, [])
    standing = {key for key, _, _ in stack}
    shown = stack[-1][0] if stack else None
    return [Publish(key, at, actor, str(draft.get("template")), dict(draft.get("values", {})),
                    key in standing, key == shown)
            for at, key, _, kind, draft, actor in moves if kind == "publish"]


_Move = tuple[datetime, str, int, str, Mapping[str, Any], str]


def _moves(records: Iterable[Hotfix]) -> list[_Move]:
    """Every publish, revert and expiry with the draft it moved, in the order they ran."""
    moves: list[_Move] = []
    for record in records:
        if record.kind != "content":
            continue
        draft: Mapping[str, Any] = {}
        for event in record.events:
            if event.kind == "draft":
                draft = event.payload
            elif event.kind in ("publish", "revert", "expire") and draft.get("zone"):
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


def _live(zone: str, stack: list[tuple[str, datetime, Mapping[str, Any]]]) -> Live:
    if not stack:
        return Live(zone, None, None, {}, None, None)
    key, at, draft = stack[-1]
    version = draft.get("catalog_version")
    return Live(zone, key, str(draft.get("template")), dict(draft.get("values", {})), at,
                int(version) if isinstance(version, int) else None)


def nothing(zone: str) -> Live:
    return Live(zone, None, None, {}, None, None)
