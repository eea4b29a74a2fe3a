"""The content catalogs' one contract, on SQLite, PostgreSQL and the memory fake: every
synced version kept in order, an unchanged sync writing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hotfix.adapters.store.content_memory import MemoryContentCatalogs
from hotfix.adapters.store.sql import SqlStore
from hotfix.domain.content.catalog import digest
from hotfix.domain.content.images import facts
from hotfix.ports import ContentCatalogs

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
ONE = {"zones": {"shipping": {"paths": ["/"]}}, "templates": {}}
TWO = {"zones": {"shipping": {"paths": ["/", "/products/*"]}}, "templates": {}}


@pytest.fixture(params=["sql", "memory"])
def catalogs(request: pytest.FixtureRequest, db_url: str) -> Iterator[ContentCatalogs]:
    if request.param == "memory":
        yield MemoryContentCatalogs()
        return
    store = SqlStore(db_url)
    try:
        yield store.content
    finally:
        store.close()


def test_every_version_is_kept_and_an_unchanged_sync_writes_nothing(
        catalogs: ContentCatalogs) -> None:
    assert catalogs.latest() is None
    first, created = catalogs.add(ONE, digest(ONE), "eng@shop.example", T0)
    assert (first.version, created) == (1, True)
    again, created = catalogs.add(ONE, digest(ONE), "ci@shop.example", T0 + timedelta(1))
    assert (again.version, again.actor, created) == (1, "eng@shop.example", False)
    second, _ = catalogs.add(TWO, digest(TWO), "eng@shop.example", T0 + timedelta(2))
    back, _ = catalogs.add(ONE, digest(ONE), "eng@shop.example", T0 + timedelta(3))
    assert [v.version for v in catalogs.versions()] == [1, 2, 3]
    assert [v.body for v in catalogs.versions()] == [ONE, TWO, ONE]
    latest = catalogs.latest()
    assert latest is not None
    assert (latest.version, latest.digest, latest.at) == (3, digest(ONE), T0 + timedelta(3))
    kept = catalogs.get(2)
    assert kept is not None
    assert (kept.body, kept.digest) == (TWO, second.digest)
    assert catalogs.get(4) is None
    assert back.version == 3


def test_an_image_is_kept_once_under_its_name_and_read_back_whole(
        catalogs: ContentCatalogs) -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (3).to_bytes(4, "big") + \
        (2).to_bytes(4, "big") + bytes(range(256)) * 4
    found = facts(data)
    images = catalogs.images
    assert images.get(found.name) is None
    assert images.facts(found.name) is None
    assert images.keep(found, data, "mia@shop.example", T0) is True
    assert images.keep(found, data, "lee@shop.example", T0 + timedelta(1)) is False
    kept = images.get(found.name)
    assert kept is not None
    assert (kept.facts, kept.data, kept.actor, kept.at) == (found, data, "mia@shop.example", T0)
    assert images.facts(found.name) == found
    assert (found.width, found.height, found.media_type) == (3, 2, "image/png")
