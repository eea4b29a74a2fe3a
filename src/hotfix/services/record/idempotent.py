"""A retried request is not recorded twice: the request's idempotency key rides on the
events it writes (payload ``request``), and a second request with the same key finds them
under the record's lock and writes nothing.

The team server wraps each request's ``EventLog`` in ``IdempotentLog(log, key)``; a client
retrying after a lost response sends the same ``Idempotency-Key`` and gets the record as the
first attempt left it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotfix.domain.record.events import Event

if TYPE_CHECKING:
    from hotfix.ports import Draft, EventLog

REQUEST = "request"  # the payload key holding the idempotency key


class IdempotentLog:
    """``log`` (an ``EventLog``), where appends carrying ``key`` happen at most once."""

    def __init__(self, log: EventLog, key: str) -> None:
        self.log, self.key = log, key

    @property
    def location(self) -> str:
        return self.log.location

    def create(self, title: str, actor: str, at: datetime, payload: dict[str, Any]) -> Event:
        for events in self.log.all_events().values():
            if events and events[0].payload.get(REQUEST) == self.key:
                return events[0]
        return self.log.create(title, actor, at, {**payload, REQUEST: self.key})

    def append(self, number: int, decide: Callable[[list[Event]], list[Draft]],
               at: datetime) -> list[Event]:
        def once(events: list[Event]) -> list[Draft]:
            if any(e.payload.get(REQUEST) == self.key for e in events):
                return []
            return [(who, kind, {**body, REQUEST: self.key}) for who, kind, body in decide(events)]

        return self.log.append(number, once, at)

    def events(self, number: int) -> list[Event]:
        return self.log.events(number)

    def head(self, number: int) -> tuple[int, str]:
        return self.log.head(number)

    def all_events(self) -> dict[int, list[Event]]:
        return self.log.all_events()
