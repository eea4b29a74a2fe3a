"""Notifications: a ``Notifier`` tells people outside hotfix what happened to a record (a
webhook, a chat channel, an email). Which notice goes where is configuration; building the
notice and deciding when to send it is the services'; delivering it is the adapter's.

Nothing is lost: the notices an event causes are written to the ``Outbox`` in the same
transaction as the event (``EventLog.append(…, notify=…)``), and a dispatcher
(``hotfix.services.notify.dispatch.deliver_due``) delivers them, at least once, each with
the same id on every attempt. Implemented by ``hotfix.adapters.notify`` (webhook, Slack,
email, and ``fake``) and ``hotfix.adapters.store`` (the outbox, SQL and memory)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hotfix.domain.record.events import Event
    from hotfix.domain.record.lifecycle import Hotfix


@dataclass(frozen=True)
class Notice:
    """One thing worth telling: an event on a record, with what a reader needs to act.

    ``id`` names this notice to one channel and stays the same on every retry (the
    Standard Webhooks ``webhook-id``), so a receiver that de-duplicates by it sees it once.
    ``title`` and every text in ``details`` come from people: each channel escapes them."""

    id: str
    event: str  # the record event's kind: open, approve, promote, verify, close … or status
    key: str  # HF-12
    title: str
    state: str
    severity: str | None = None
    next_step: str | None = None
    link: str | None = None  # where to see the record (the dashboard, when there is one)
    at: str = ""  # when the event happened, ISO 8601
    actor: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "details": dict(self.details)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


class Notifier(Protocol):
    """Delivers notices; raises ``DeliveryFailed`` (``hotfix.errors``) naming the channel when
    one cannot be sent: ``permanent`` when retrying cannot help, with ``retry_after`` when
    the receiver said when to come back."""

    name: str

    def send(self, notice: Notice) -> None: ...


@dataclass(frozen=True)
class Outgoing:
    """A notice bound for one configured channel, not yet in the outbox."""

    channel: str
    notice: Notice


# What the record's writer asks, inside the transaction that appends events: the record as
# it is after them, and the new events → the notices they cause.
NoticeWriter = Callable[["Hotfix", Sequence["Event"]], list[Outgoing]]

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


@dataclass(frozen=True)
class Message:
    """One row of the outbox: a notice to a channel and how its delivery stands."""

    id: str
    channel: str
    hotfix: int
    notice: Notice
    state: str  # pending | delivered | dead
    attempts: int
    next_at: datetime  # when it is next due (pending), or was last tried
    created_at: datetime
    delivered_at: datetime | None = None
    last_error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "channel": self.channel, "record": self.notice.key,
                "event": self.notice.event, "state": self.state, "attempts": self.attempts,
                "next_at": self.next_at.isoformat(), "created_at": self.created_at.isoformat(),
                "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
                "last_error": self.last_error}


class Outbox(Protocol):
    """Notices waiting for delivery, delivered, or given up on (dead letters)."""

    def add(self, hotfix: int, outgoing: Sequence[Outgoing], at: datetime) -> int:
        """Queue ``outgoing`` (due at ``at``); an id already queued is kept as it is.
        Returns how many were new."""
        ...

    def claim(self, now: datetime, until: datetime, limit: int,
              holder: str | None = None) -> list[Message]:
        """Pending messages due by ``now``, oldest first, each counted as one more attempt
        and held until ``until`` so no other dispatcher takes it meanwhile (a dispatcher
        that dies mid-delivery leaves it to be retried then).

        ``holder`` names the job run claiming (the same on its retry): the messages it
        claimed before and never finished — its worker died — are due again for it at
        once, without waiting out the hold."""
        ...

    def delivered(self, id: str, at: datetime) -> None: ...

    def failed(self, id: str, error: str, next_at: datetime | None) -> None:
        """Record a failed attempt: due again at ``next_at``, or a dead letter when None."""
        ...

    def messages(self, states: Collection[str] | None = None) -> list[Message]:
        """Every message (only those in ``states`` when given), oldest first."""
        ...

    def retry(self, id: str | None, now: datetime) -> list[str]:
        """Dead letters (the one ``id``, or all) pending again, due ``now``; their ids."""
        ...


class NotifyAdapters(Protocol):
    """What the dispatcher uses (``ctx.notify``): the outbox, and the configured channels."""

    @property
    def outbox(self) -> Outbox: ...

    def channels(self) -> Mapping[str, Notifier]:
        """Every configured channel by name, built and checked (``ConfigError`` naming the
        first one that cannot be: a bad URL, a secret missing from the environment)."""
        ...
