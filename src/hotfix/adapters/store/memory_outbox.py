"""The outbox in memory (``MemoryStore.outbox``): what ``SqlOutbox`` does, for tests."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from hotfix.adapters.store.outbox_rows import MessageRow, new_rows
from hotfix.adapters.store.rows import iso
from hotfix.ports.notify import DEAD, DELIVERED, PENDING, Message, Outgoing


class MemoryOutbox:
    """``ports.Outbox`` over a dict of rows, by id, in the order they were queued (as the
    table's ``number`` orders them)."""

    def __init__(self) -> None:
        self.rows: dict[str, MessageRow] = {}
        self._lock = threading.Lock()

    def add(self, hotfix: int, outgoing: Sequence[Outgoing], at: datetime) -> int:
        with self._lock:
            fresh = [r for r in new_rows(hotfix, outgoing, at) if r.id not in self.rows]
            self.rows.update((r.id, r) for r in fresh)
            return len(fresh)

    def claim(self, now: datetime, until: datetime, limit: int,
              holder: str | None = None) -> list[Message]:
        with self._lock:
            due = sorted((r for r in self.rows.values()  # stable: queued order breaks ties
                          if r.state == PENDING and (r.next_at <= iso(now) or (
                              holder is not None and r.held_by == holder))),
                         key=lambda r: r.next_at)[:limit]
            for row in due:
                self.rows[row.id] = row._replace(next_at=iso(until), attempts=row.attempts + 1,
                                                 held_by=holder)
            return [row._replace(attempts=row.attempts + 1).to_message() for row in due]

    def delivered(self, id: str, at: datetime) -> None:
        self._change(id, state=DELIVERED, delivered_at=iso(at), last_error="", held_by=None)

    def failed(self, id: str, error: str, next_at: datetime | None) -> None:
        if next_at is None:
            self._change(id, state=DEAD, last_error=error[:2000], held_by=None)
        else:
            self._change(id, state=PENDING, next_at=iso(next_at), last_error=error[:2000],
                         held_by=None)

    def messages(self, states: Collection[str] | None = None) -> list[Message]:
        return [r.to_message() for r in list(self.rows.values())
                if not states or r.state in states]

    def retry(self, id: str | None, now: datetime) -> list[str]:
        with self._lock:
            ids = [r.id for r in self.rows.values()
                   if r.state == DEAD and (id is None or r.id == id)]
            for key in ids:
                self.rows[key] = self.rows[key]._replace(state=PENDING, next_at=iso(now),
                                                         attempts=0)
            return ids

    def _change(self, id: str, **values: Any) -> None:
        with self._lock:
            if id in self.rows:
                self.rows[id] = self.rows[id]._replace(**values)
