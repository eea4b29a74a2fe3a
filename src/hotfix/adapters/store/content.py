"""The synced content catalogs in the record's database (``ports.ContentCatalogs``), and
the images uploaded into image slots beside them (``ports.ContentImages``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from hotfix.adapters.store.database import Database
from hotfix.adapters.store.rows import iso
from hotfix.adapters.store.tables import content_catalogs, content_images
from hotfix.domain.content.images import ImageFacts
from hotfix.ports.content import CatalogVersion, KeptImage

_FACTS = [content_images.c[n] for n in ("name", "media_type", "width", "height", "size")]


class SqlContentCatalogs:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.images = SqlContentImages(db)

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


class SqlContentImages:
    def __init__(self, db: Database) -> None:
        self.db = db

    def keep(self, facts: ImageFacts, data: bytes, actor: str, at: datetime) -> bool:
        dialect = postgresql if self.db.engine.dialect.name == "postgresql" else sqlite
        row = {"name": facts.name, "media_type": facts.media_type, "width": facts.width,
               "height": facts.height, "size": facts.size, "data": data, "actor": actor,
               "at": iso(at)}
        with self.db.writing("keep an uploaded image") as conn:  # two replicas at once: one row
            done = conn.execute(dialect.insert(content_images).values(**row)
                                .on_conflict_do_nothing(index_elements=["name"])
                                .returning(content_images.c.name)).first()
        return done is not None

    def facts(self, name: str) -> ImageFacts | None:
        with self.db.reading("read an uploaded image") as conn:
            row = conn.execute(select(*_FACTS).where(content_images.c.name == name)).first()
        return _facts(row) if row is not None else None

    def get(self, name: str) -> KeptImage | None:
        with self.db.reading("read an uploaded image") as conn:
            row = conn.execute(select(content_images).where(
                content_images.c.name == name)).first()
        if row is None:
            return None
        return KeptImage(_facts(row), bytes(row.data), str(row.actor),
                         datetime.fromisoformat(str(row.at)))


def _facts(row: Row[Any]) -> ImageFacts:
    return ImageFacts(str(row.name), str(row.media_type), int(row.width), int(row.height),
                      int(row.size))
