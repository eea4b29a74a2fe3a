"""Fault injection for hotfix's own tests: die (SIGKILL) right after a named event is written.

``testing.failpoint`` (``HOTFIX_FAILPOINT``) names one event as ``KIND[:STEP[:PHASE]][@N]``:
``release`` is the release event, ``git:pick:begin`` the journal note written before a
pick touches git, ``git:backport:target@2`` the second backport target's note. The process
kills itself the moment that event is committed, as a power cut or an OOM kill would, so
tests can check that ``hotfix resume`` finishes every step from every such boundary.

A store without a failpoint is never wrapped (``hotfix.wiring.open_store``).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from datetime import datetime
from typing import Any

from hotfix.domain.record.events import Event
from hotfix.ports import (
    Cache,
    ContentCatalogs,
    Draft,
    Exclusive,
    Notify,
    Outbox,
    Store,
    Waivers,
)


class Failpoint:
    """``KIND[:STEP[:PHASE]][@N]``: matches the Nth event of that kind (and step, phase)."""

    def __init__(self, spec: str) -> None:
        name, _, nth = spec.strip().partition("@")
        parts = name.split(":")
        if not parts[0] or len(parts) > 3 or (nth and not nth.isdigit()):
            raise ValueError(f"testing.failpoint {spec!r} is not KIND[:STEP[:PHASE]][@N]")
        padded: list[str | None] = [*parts, None, None]
        self.kind, self.step, self.phase = padded[:3]
        self.nth, self.seen = int(nth or 1), 0

    def hit(self, event: Event) -> bool:
        body = event.payload
        if event.kind != self.kind or (self.step and body.get("step") != self.step) or \
                (self.phase and body.get("phase") != self.phase):
            return False
        self.seen += 1
        return self.seen == self.nth


class CrashingStore:
    """A ``Store`` that kills its process right after writing the failpoint's event."""

    def __init__(self, inner: Store, failpoint: Failpoint,
                 die: Callable[[], None] | None = None) -> None:
        self.inner, self.failpoint = inner, failpoint
        self.die = die or (lambda: os.kill(os.getpid(), signal.SIGKILL))

    @property
    def location(self) -> str:
        return self.inner.location

    @property
    def cache(self) -> Cache:
        return self.inner.cache

    @property
    def waivers(self) -> Waivers:
        return self.inner.waivers

    @property
    def outbox(self) -> Outbox:
        return self.inner.outbox

    @property
    def content(self) -> ContentCatalogs:
        return self.inner.content

    def create(self, title: str, actor: str, at: datetime, payload: dict[str, Any],
               notify: Notify | None = None) -> Event:
        return self._after([self.inner.create(title, actor, at, payload, notify)])[0]

    def append(self, number: int, decide: Callable[[list[Event]], list[Draft]],
               at: datetime, notify: Notify | None = None,
               exclusive: Exclusive | None = None) -> list[Event]:
        return self._after(self.inner.append(number, decide, at, notify, exclusive))

    def events(self, number: int) -> list[Event]:
        return self.inner.events(number)

    def head(self, number: int) -> tuple[int, str]:
        return self.inner.head(number)

    def all_events(self) -> dict[int, list[Event]]:
        return self.inner.all_events()

    def version(self) -> tuple[int, int]:
        return self.inner.version()

    def close(self) -> None:
        self.inner.close()

    def _after(self, written: list[Event]) -> list[Event]:
        if any(self.failpoint.hit(e) for e in written):
            self.die()
        return written
