"""Delivery from the outbox: ``deliver_due(ctx, now)`` sends what is due, at least once,
with the same id on every attempt; a failure is retried with exponential backoff and
jitter (or when the receiver's ``Retry-After`` says), and becomes a dead letter when it is
permanent or ``notify.max_attempts`` ran out.

Any runner may call it: ``hotfix notify run``, or the team server's background jobs."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from hotfix.config import Config
from hotfix.errors import DeliveryFailed
from hotfix.ports.notify import Message, Notifier
from hotfix.services.notify.cadence import queue_status_updates

if TYPE_CHECKING:
    from hotfix.ports import Clock, NotifyAdapters, Records

BATCH = 100  # messages claimed per call
MAX_RETRY_AFTER = 86400.0  # a receiver's Retry-After is honoured up to a day

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    base: float
    cap: float
    max_attempts: int
    timeout: float

    @classmethod
    def from_config(cls, cfg: Config) -> Backoff:
        return cls(cfg.float("notify.backoff_seconds"), cfg.float("notify.backoff_max_seconds"),
                   cfg.int("notify.max_attempts"), cfg.float("notify.timeout"))

    def delay(self, attempts: int, jitter: float, retry_after: float | None) -> float:
        """Seconds before the next attempt, after ``attempts`` failed ones."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_RETRY_AFTER)
        return min(self.cap, self.base * 2.0 ** (attempts - 1)) * (0.5 + 0.5 * jitter)

    def hold(self) -> float:
        """How long a claimed message is held: past any attempt's timeout, with margin."""
        return 3 * self.timeout + 60


@dataclass(frozen=True)
class Attempt:
    id: str
    channel: str
    record: str
    outcome: str  # delivered | retry | dead
    attempts: int
    error: str = ""
    next_at: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    attempts: tuple[Attempt, ...]
    status_queued: int  # status updates queued by this call

    def count(self, outcome: str) -> int:
        return sum(a.outcome == outcome for a in self.attempts)

    def to_dict(self) -> dict[str, Any]:
        return {"delivered": self.count("delivered"), "retrying": self.count("retry"),
                "dead": self.count("dead"), "status_queued": self.status_queued,
                "attempts": [asdict(a) for a in self.attempts]}


class DeliveryScope(Protocol):
    """What delivery needs: a ``Context`` (``hotfix notify run``), or a project of the team
    server (``hotfix.services.jobs.scope.ProjectScope``, its background jobs)."""

    @property
    def cfg(self) -> Config: ...
    @property
    def records(self) -> Records: ...
    @property
    def notify(self) -> NotifyAdapters: ...
    def now(self) -> datetime: ...


def deliver_due(ctx: DeliveryScope, now: datetime, *, holder: str | None = None,
                jitter: Callable[[], float] = random.random) -> DeliveryReport:
    """Queue the status updates due, then deliver every message due by ``now``.

    ``holder``: the job run delivering (the same id on its retry), so a retry after its
    worker died takes back at once what that run had claimed.
    The channels are built first: a configuration error (a bad URL, a missing secret)
    raises ``ConfigError`` before any message is touched."""
    channels = ctx.notify.channels()
    backoff = Backoff.from_config(ctx.cfg)
    routed = bool(ctx.cfg.list("notify.routes"))  # else no record is read: nothing to tell
    queued = queue_status_updates(ctx.cfg, ctx.records.list() if routed else [],
                                  ctx.notify.outbox, now)
    until = now + timedelta(seconds=backoff.hold())
    claimed = ctx.notify.outbox.claim(now, until, BATCH, holder)
    return DeliveryReport(tuple(_deliver(ctx, channels, m, backoff, now, jitter())
                                for m in claimed), queued)


def deliver_forever(deliver: Callable[[], T], clock: Clock, interval: float,
                    each: Callable[[T], None]) -> None:
    """``deliver()`` (here: ``deliver_due``; signed in: the team server's delivery) every
    ``interval`` seconds until interrupted, ``each`` told every round's report."""
    while True:
        each(deliver())
        clock.sleep(interval)


def _deliver(ctx: DeliveryScope, channels: Mapping[str, Notifier], message: Message,
             backoff: Backoff, now: datetime, jitter: float) -> Attempt:
    outbox = ctx.notify.outbox
    done = Attempt(message.id, message.channel, message.notice.key, "delivered",
                   message.attempts)
    try:
        _channel(channels, message).send(message.notice)
    except DeliveryFailed as exc:
        error = exc.message
        if exc.permanent or message.attempts >= backoff.max_attempts:
            outbox.failed(message.id, error, None)
            return Attempt(**{**asdict(done), "outcome": "dead", "error": error})
        due = now + timedelta(seconds=backoff.delay(message.attempts, jitter, exc.retry_after))
        outbox.failed(message.id, error, due)
        return Attempt(**{**asdict(done), "outcome": "retry", "error": error,
                          "next_at": due.isoformat()})
    outbox.delivered(message.id, ctx.now())
    return done


def _channel(channels: Mapping[str, Notifier], message: Message) -> Notifier:
    if message.channel not in channels:
        raise DeliveryFailed(f"channel {message.channel!r} is no longer in notify.channels",
                             permanent=True)
    return channels[message.channel]
