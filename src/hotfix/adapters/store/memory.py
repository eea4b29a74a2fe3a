"""The store in memory: what the SQL store does, without a database.

Shipped for tests, as httpx ships ``MockTransport``: pass a ``MemoryStore`` to
``hotfix.wiring.open_context(..., store=...)``; no setting selects it. It passes the SQL
store's contract suite (``tests/adapters/test_store_contract.py``): the same numbers, the
same hash-chained rows (time and payload kept as the exact text that is hashed), the same
errors. One lock serialises writers, as the database does; its data lives as long as the
object, so ``close`` leaves it readable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotfix.adapters.store.content_memory import MemoryContentCatalogs
from hotfix.adapters.store.memory_outbox import MemoryOutbox
from hotfix.adapters.store.rows import (
    EventRow,
    WaiverRow,
    chained,
    kept_waiver,
    no_hotfix,
    taken,
)
from hotfix.domain.audit.equivalence import Waiver
from hotfix.domain.record.events import Event

if TYPE_CHECKING:
    from hotfix.ports import Draft, Exclusive, Notify


class MemoryStore:
    """The events of every hotfix (an ``EventLog``), with the cache and waivers beside."""

    location = "memory"

    def __init__(self) -> None:
        self.rows: dict[int, list[EventRow]] = {}  # hotfix number → its events, in order
        self.heads: dict[int, tuple[int, str]] = {}  # what the record says its newest is
        self.cache = MemoryCache()
        self.waivers = MemoryWaivers()
        self.outbox = MemoryOutbox()
        self.content = MemoryContentCatalogs()
        self._lock = threading.Lock()

    def close(self) -> None:
        """Nothing to release: the data stays, as a database's does."""

    def create(self, title: str, actor: str, at: datetime, payload: dict[str, Any],
               notify: Notify | None = None) -> Event:
        with self._lock:
            number = max(self.rows, default=0) + 1
            (opened,) = chained(number, [], [(actor, "open", payload)], at)
            outgoing = notify([], [opened]) if notify is not None else []
            self._keep(number, [], [opened])
            self.outbox.add(number, outgoing, at)
            return opened

    def append(self, number: int, decide: Callable[[list[Event]], list[Draft]],
               at: datetime, notify: Notify | None = None,
               exclusive: Exclusive | None = None) -> list[Event]:
        """Hold the lock, let ``decide`` see the events and return new ones, append them
        with the notices ``notify`` derives from them, all or nothing (the one lock is
        every ``exclusive`` name's too)."""
        with self._lock:
            if exclusive is not None:
                exclusive.check(self._all())
            before = self._events(number)
            new = chained(number, before, decide(before), at)
            outgoing = notify(before, new) if notify is not None and new else []
            self._keep(number, self.rows[number], new)  # the notices derived first: all or none
            self.outbox.add(number, outgoing, at)
            return new

    def events(self, number: int) -> list[Event]:
        with self._lock:
            return self._events(number)

    def head(self, number: int) -> tuple[int, str]:
        if number not in self.heads:
            raise no_hotfix(number)
        return self.heads[number]

    def all_events(self) -> dict[int, list[Event]]:
        with self._lock:
            return self._all()

    def version(self) -> tuple[int, int]:
        with self._lock:
            return len(self.rows), sum(len(rows) for rows in self.rows.values())

    def _all(self) -> dict[int, list[Event]]:
        return {n: [row.to_event() for row in rows] for n, rows in sorted(self.rows.items())}

    def import_records(self, records: Mapping[int, Sequence[Event]]) -> None:
        with self._lock:
            clash = set(records) & set(self.rows)
            if clash:
                raise taken(clash)
            for number, events in records.items():
                self._keep(number, [], list(events))

    def _events(self, number: int) -> list[Event]:
        if number not in self.rows:
            raise no_hotfix(number)
        return [row.to_event() for row in self.rows[number]]

    def _keep(self, number: int, rows: list[EventRow], new: list[Event]) -> None:
        """Append only once every new event is sealed: a failure leaves nothing behind."""
        if not new:
            return
        self.rows[number] = [*rows, *(EventRow.of(e) for e in new)]
        self.heads[number] = (new[-1].seq, new[-1].hash)


class MemoryCache:
    """Derived data by namespace and key; the first value put stays."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get(self, namespace: str, keys: Iterable[str]) -> dict[str, str]:
        return {key: self.values[namespace, key] for key in keys
                if (namespace, key) in self.values}

    def put(self, namespace: str, items: Mapping[str, str]) -> None:
        for key, value in items.items():
            self.values.setdefault((namespace, key), value)

    def replace(self, namespace: str, items: Mapping[str, str]) -> None:
        self.values.update(((namespace, key), value) for key, value in items.items())


class MemoryWaivers:
    """Waivers recorded without a hotfix, oldest first."""

    def __init__(self) -> None:
        self.rows: list[WaiverRow] = []
        self._lock = threading.Lock()

    def add(self, waiver: Waiver) -> Waiver:
        """Record ``waiver``; the same one again is a no-op, a different one for the same
        commit and line is refused (decisions are not overwritten)."""
        with self._lock:
            existing = next((row for row in self.rows
                             if (row.sha, row.line) == (waiver.sha, waiver.line)), None)
            if existing is None:
                self.rows.append(WaiverRow.of(waiver))
                return waiver
        return kept_waiver(existing, waiver)

    def all(self) -> list[Waiver]:
        return [row.to_waiver() for row in self.rows]
