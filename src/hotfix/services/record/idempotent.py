"""A retried request is not recorded twice: the request's idempotency key rides on the
events it writes (payload ``request``), and a second request with the same key finds them
under the record's lock and writes nothing.

The team server wraps each request's ``EventLog`` in ``IdempotentLog(log, key)``; a client
retrying after a lost response sends the same ``Idempotency-Key`` and gets the record as the
first attempt left it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotfix.domain.record.events import Event
from hotfix.errors import HotfixError

if TYPE_CHECKING:
    from hotfix.ports import Draft, EventLog, Exclusive, Notify

REQUEST = "request"  # the payload key holding the idempotency key


class IdempotentLog:
    """``log`` (an ``EventLog``), where appends carrying ``key`` happen at most once.

    One request may write more than once (``open`` with answers: create, then triage);
    the n-th write of a request is marked ``KEY:n``, so a retry repeats exactly the writes
    the first attempt did not get to."""

    def __init__(self, log: EventLog, key: str) -> None:
        self.log, self.key, self.writes = log, key, 0

    def _mark(self) -> str:
        self.writes += 1
        return f"{self.key}:{self.writes}"

    @property
    def location(self) -> str:
        return self.log.location

    def create(self, title: str, actor: str, at: datetime, payload: dict[str, Any],
               notify: Notify | None = None) -> Event:
        mark = self._mark()
        for events in self.log.all_events().values():
            if events and events[0].payload.get(REQUEST) == mark:
                return events[0]
        return self.log.create(title, actor, at, {**payload, REQUEST: mark}, notify)

    def append(self, number: int, decide: Callable[[list[Event]], list[Draft]],
               at: datetime, notify: Notify | None = None,
               exclusive: Exclusive | None = None) -> list[Event]:
        mark = self._mark()

        def once(events: list[Event]) -> list[Draft]:
            if any(e.payload.get(REQUEST) == mark for e in events):
                with suppress(HotfixError):  # it sees the events; the first attempt's answer
                    decide(events)           # stands, even if this one would now refuse
                return []
            return [(who, kind, {**body, REQUEST: mark}) for who, kind, body in decide(events)]

        # a repeat appends none: no notice (an exclusive check lets its own record's write by)
        return self.log.append(number, once, at, notify, exclusive)

    def events(self, number: int) -> list[Event]:
        return self.log.events(number)

    def head(self, number: int) -> tuple[int, str]:
        return self.log.head(number)

    def all_events(self) -> dict[int, list[Event]]:
        return self.log.all_events()

    def version(self) -> tuple[int, int]:
        return self.log.version()
