"""``ports.Publications`` in the record's database: every version kept, the newest read (or
all of a kind, oldest first)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from hotfix.adapters.store.database import Database
from hotfix.adapters.store.rows import iso
from hotfix.adapters.store.tables import published
from hotfix.ports.published import Publication


class SqlPublications:
    def __init__(self, db: Database) -> None:
        self.db = db

    def publish(self, kind: str, commit: str, body: Any, actor: str, at: datetime) -> Publication:
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        with self.db.writing("publish") as conn:
            number = conn.execute(insert(published).values(
                kind=kind, commit=commit, body=text, actor=actor, at=iso(at))
                .returning(published.c.id)).scalar_one()
        return Publication(int(number), kind, commit, json.loads(text), actor, at)

    def latest(self, kind: str) -> Publication | None:
        with self.db.reading("read what was published") as conn:
            row = conn.execute(select(published).where(published.c.kind == kind)
                               .order_by(published.c.id.desc()).limit(1)).one_or_none()
        return None if row is None else _publication(row)

    def every(self, kind: str) -> list[Publication]:
        with self.db.reading("read what was published") as conn:
            rows = conn.execute(select(published).where(published.c.kind == kind)
                                .order_by(published.c.id)).all()
        return [_publication(row) for row in rows]


def _publication(row: Any) -> Publication:
    return Publication(int(row.id), str(row.kind), str(row.commit), json.loads(row.body),
                       str(row.actor), datetime.fromisoformat(str(row.at)))
