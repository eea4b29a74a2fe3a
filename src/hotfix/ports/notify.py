"""Notifications: a ``Notifier`` tells people outside hotfix what happened to a record (a
webhook, a chat channel, an email). Which notice goes where is configuration; building the
notice and deciding when to send it is the services'; delivering it is the adapter's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Notice:
    """One thing worth telling: an event on a record, with what a reader needs to act."""

    event: str  # the record event's kind: open, approve, promote, verify, close …
    key: str  # HF-12
    title: str
    state: str
    severity: str | None = None
    next_step: str | None = None
    link: str | None = None  # where to see the record (the dashboard, when there is one)
    details: Mapping[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    """Delivers notices; raises a ``HotfixError`` naming the channel when one cannot be sent."""

    name: str

    def send(self, notice: Notice) -> None: ...
