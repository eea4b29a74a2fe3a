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


def live_zones(records: Iterable[Hotfix]) -> dict[str, Live]:
    """Every zone that was ever published to, with what it shows now."""
    moves: list[tuple[datetime, str, int, str, Mapping[str, Any]]] = []
    for record in records:
        if record.kind != "content":
            continue
        draft: Mapping[str, Any] = {}
        for event in record.events:
            if event.kind == "draft":
                draft = event.payload
            elif event.kind in ("publish", "revert", "expire") and draft.get("zone"):
                moves.append((event.at, record.key, event.seq, event.kind, draft))
    standing: dict[str, list[tuple[str, datetime, Mapping[str, Any]]]] = {}
    for at, key, _, kind, draft in sorted(moves, key=lambda m: (m[0], m[1], m[2])):
        stack = standing.setdefault(str(draft["zone"]), [])
        stack[:] = [entry for entry in stack if entry[0] != key]
        if kind == "publish":
            stack.append((key, at, draft))
    return {zone: _live(zone, stack) for zone, stack in standing.items()}


def _live(zone: str, stack: list[tuple[str, datetime, Mapping[str, Any]]]) -> Live:
    if not stack:
        return Live(zone, None, None, {}, None, None)
    key, at, draft = stack[-1]
    version = draft.get("catalog_version")
    return Live(zone, key, str(draft.get("template")), dict(draft.get("values", {})), at,
                int(version) if isinstance(version, int) else None)


def nothing(zone: str) -> Live:
    return Live(zone, None, None, {}, None, None)
