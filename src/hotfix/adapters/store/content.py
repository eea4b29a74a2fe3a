"""The synced content catalogs in the record's database (``ports.ContentCatalogs``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select

from hotfix.adapters.store.database import Database
from hotfix.adapters.store.rows import iso
from hotfix.adapters.store.tables import content_catalogs
from hotfix.ports.content import CatalogVersion


class SqlContentCatalogs:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, body: Mapping[str, Any], digest: str, actor: str,
            at: datetime) -> tuple[CatalogVersion, bool]:
        with self.db.writing("keep a content catalog") as conn:
            newest = conn.execute(select(content_catalogs).order_by(
                content_catalogs.c.version.desc()).limit(1)).first()
            if newest is not None and newest.digest == digest:
                return _version(newest), False
            number = conn.execute(insert(content_catalogs).values(
                digest=digest, body=json.dumps(body, sort_keys=True), actor=actor, at=iso(at),
            ).returning(content_catalogs.c.version)).scalar_one()
        return CatalogVersion(int(number), digest, body, actor, at), True

    def latest(self) -> CatalogVersion | None:
        with self.db.reading("read the content catalog") as conn:
            row = conn.execute(select(content_catalogs).order_by(
                content_catalogs.c.version.desc()).limit(1)).first()
        return _version(row) if row is not None else None

    def newest(self) -> int | None:
        with self.db.reading("read the content catalog") as conn:
            found = conn.execute(select(func.max(content_catalogs.c.version))).scalar()
        return int(found) if found is not None else None

    def get(self, version: int) -> CatalogVersion | None:
        with self.db.reading("read a content catalog") as conn:
            row = conn.execute(select(content_catalogs).where(
                content_catalogs.c.version == version)).first()
        return _version(row) if row is not None else None

    def versions(self) -> list[CatalogVersion]:
        with self.db.reading("read the content catalogs") as conn:
            rows = conn.execute(select(content_catalogs).order_by(
                content_catalogs.c.version)).all()
        return [_version(r) for r in rows]


def _version(row: Row[Any]) -> CatalogVersion:
    return CatalogVersion(int(row.version), str(row.digest), json.loads(row.body),
                          str(row.actor), datetime.fromisoformat(str(row.at)))
