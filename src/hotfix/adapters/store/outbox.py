"""The SQL outbox: notices queued in the transaction of their event, claimed by dispatchers
with a compare-and-swap on ``next_at``, so two dispatchers never hold the same message."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, or_, select, update

from hotfix.adapters.store.database import Database
from hotfix.adapters.store.outbox_rows import MessageRow, new_rows
from hotfix.adapters.store.rows import iso
from hotfix.adapters.store.tables import outbox
from hotfix.ports.notify import DEAD, DELIVERED, PENDING, Message, Outgoing

_COLUMNS = [outbox.c[name] for name in MessageRow._fields]


class SqlOutbox:
    """``ports.Outbox`` on the ``outbox`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, hotfix: int, outgoing: Sequence[Outgoing], at: datetime) -> int:
        with self.db.writing("queue notices") as conn:
            return queue(conn, hotfix, outgoing, at)

    def claim(self, now: datetime, until: datetime, limit: int,
              holder: str | None = None) -> list[Message]:
        due_now = outbox.c.next_at <= iso(now)
        if holder is not None:
            due_now = or_(due_now, outbox.c.held_by == holder)
        with self.db.writing("claim notices") as conn:
            due = conn.execute(select(*_COLUMNS).where(outbox.c.state == PENDING, due_now)
                               .order_by(outbox.c.next_at, outbox.c.number)
                               .limit(limit)).all()
            return [row._replace(attempts=row.attempts + 1).to_message()
                    for row in map(MessageRow._make, due) if _held(conn, row, until, holder)]

    def delivered(self, id: str, at: datetime) -> None:
        with self.db.writing("record a delivery") as conn:
            conn.execute(update(outbox).where(outbox.c.id == id).values(
                state=DELIVERED, delivered_at=iso(at), last_error="", held_by=None))

    def failed(self, id: str, error: str, next_at: datetime | None) -> None:
        values = ({"state": DEAD} if next_at is None
                  else {"state": PENDING, "next_at": iso(next_at)})
        with self.db.writing("record a failed delivery") as conn:
            conn.execute(update(outbox).where(outbox.c.id == id)
                         .values(last_error=error[:2000], held_by=None, **values))

    def messages(self, states: Collection[str] | None = None) -> list[Message]:
        query = select(*_COLUMNS).order_by(outbox.c.number)
        if states:
            query = query.where(outbox.c.state.in_(list(states)))
        with self.db.reading("read the outbox") as conn:
            return [MessageRow._make(row).to_message() for row in conn.execute(query)]

    def retry(self, id: str | None, now: datetime) -> list[str]:
        where = [outbox.c.state == DEAD] + ([outbox.c.id == id] if id is not None else [])
        with self.db.writing("retry dead letters") as conn:
            ids = list(conn.execute(select(outbox.c.id).where(*where)).scalars())
            if ids:
                conn.execute(update(outbox).where(outbox.c.id.in_(ids))
                             .values(state=PENDING, next_at=iso(now), attempts=0))
            return ids


def queue(conn: Connection, hotfix: int, outgoing: Sequence[Outgoing], at: datetime) -> int:
    """Insert the rows not queued yet, in ``conn``'s transaction; how many were new."""
    rows = new_rows(hotfix, outgoing, at)
    if not rows:
        return 0
    have = set(conn.execute(select(outbox.c.id).where(
        outbox.c.id.in_([r.id for r in rows]))).scalars())
    fresh = [r._asdict() for r in rows if r.id not in have]
    if fresh:
        conn.execute(insert(outbox), fresh)
    return len(fresh)


def _held(conn: Connection, row: MessageRow, until: datetime, holder: str | None) -> bool:
    """Take ``row`` for one attempt, unless another dispatcher took it first."""
    taken = conn.execute(update(outbox).where(
        outbox.c.id == row.id, outbox.c.state == PENDING, outbox.c.next_at == row.next_at)
        .values(next_at=iso(until), attempts=row.attempts + 1, held_by=holder))
    return taken.rowcount == 1
