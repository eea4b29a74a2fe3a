"""What ``hotfix notify status`` shows and ``hotfix notify retry`` does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotfix.errors import NotFound
from hotfix.ports.notify import DEAD, DELIVERED, PENDING, Message, Outbox
from hotfix.services.context import Context


@dataclass(frozen=True)
class OutboxStatus:
    pending: tuple[Message, ...]
    delivered: int
    dead: tuple[Message, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"pending": [m.to_dict() for m in self.pending], "delivered": self.delivered,
                "dead": [m.to_dict() for m in self.dead]}


def outbox_status(ctx: Context) -> OutboxStatus:
    return outbox_status_of(ctx.notify.outbox)


def outbox_status_of(outbox: Outbox) -> OutboxStatus:
    """Pending messages, how many were delivered, and the dead letters (the dashboard's
    notifications page reads the server's outbox of a project this way)."""
    messages = outbox.messages()
    return OutboxStatus(pending=tuple(m for m in messages if m.state == PENDING),
                        delivered=sum(m.state == DELIVERED for m in messages),
                        dead=tuple(m for m in messages if m.state == DEAD))


def retry_dead(outbox: Outbox, id: str | None, now: datetime) -> list[str]:
    """Dead letters (``id``, or all) pending again, due ``now``; ``NotFound`` for an id that
    is not a dead letter."""
    ids = outbox.retry(id, now)
    if id is not None and not ids:
        known = {m.id: m.state for m in outbox.messages()}
        why = f"it is {known[id]}" if id in known else "there is no such message"
        raise NotFound(f"{id} is not a dead letter: {why}",
                       hint="see the dead letters: hotfix notify status")
    return ids
