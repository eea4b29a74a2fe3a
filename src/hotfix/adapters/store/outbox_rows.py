"""Outbox rows as every store keeps them: the notice as JSON, times as ISO 8601 UTC text
(which sorts as the times do), so the SQL and memory outboxes hold exactly the same."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from hotfix.adapters.store.rows import iso
from hotfix.ports.notify import PENDING, Message, Notice, Outgoing


class MessageRow(NamedTuple):
    id: str
    channel: str
    hotfix: int
    notice: str
    state: str
    attempts: int
    next_at: str
    created_at: str
    delivered_at: str | None
    last_error: str
    held_by: str | None = None  # the job run that claimed it (``Outbox.claim``'s holder)

    def to_message(self) -> Message:
        return Message(id=self.id, channel=self.channel, hotfix=self.hotfix,
                       notice=Notice.from_dict(json.loads(self.notice)), state=self.state,
                       attempts=self.attempts, next_at=datetime.fromisoformat(self.next_at),
                       created_at=datetime.fromisoformat(self.created_at),
                       delivered_at=(datetime.fromisoformat(self.delivered_at)
                                     if self.delivered_at else None),
                       last_error=self.last_error)


def new_rows(hotfix: int, outgoing: Sequence[Outgoing], at: datetime) -> list[MessageRow]:
    """Pending rows for ``outgoing``, due at ``at``; one per id (the first kept)."""
    rows: dict[str, MessageRow] = {}
    for item in outgoing:
        notice = item.notice
        rows.setdefault(notice.id, MessageRow(
            notice.id, item.channel, hotfix, json.dumps(notice.to_dict(), sort_keys=True,
                                                        ensure_ascii=False),
            PENDING, 0, iso(at), iso(at), None, ""))
    return list(rows.values())
