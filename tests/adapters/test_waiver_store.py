"""Waivers persist in their own table, on SQLite and PostgreSQL, and in the memory store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotfix.adapters.store.sql import SqlStore
from hotfix.adapters.store.tables import SCHEMA_HEAD
from hotfix.domain.audit.equivalence import Waiver
from hotfix.errors import ConflictError
from tests.adapters.conftest import Backend

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SHA = "c0ffee" + "0" * 34


def test_waivers_persist_across_opens(backend: Backend) -> None:
    store = backend.open()
    first = Waiver(SHA, "1.1", "1.1 keeps the old API", "lead@x", T0)
    assert store.waivers.add(first) == first
    store.waivers.add(Waiver(SHA, "1.2", "not affected", "lead@x", T0))
    store.close()
    again = backend.open()
    assert again.waivers.all() == [first, Waiver(SHA, "1.2", "not affected", "lead@x", T0)]
    again.close()


def test_the_same_waiver_twice_is_one_and_a_different_one_is_refused(backend: Backend) -> None:
    store = backend.open()
    first = Waiver(SHA, "1.1", "old API", "lead@x", T0)
    store.waivers.add(first)
    assert store.waivers.add(Waiver(SHA, "1.1", "old API", "other@x", T0)) == first
    with pytest.raises(ConflictError, match=r"already waived on line 1\.1 by lead@x") as info:
        store.waivers.add(Waiver(SHA, "1.1", "changed my mind", "other@x", T0))
    assert "first decision stands" in (info.value.hint or "")
    assert store.waivers.all() == [first]
    store.close()


def test_waivers_have_their_own_migration(db_url: str) -> None:  # SQL only: migrations
    from hotfix.adapters.store.database import MIGRATIONS

    store = SqlStore(db_url)
    assert store.schema_revision() == SCHEMA_HEAD  # the newest, built through 0002_waivers
    assert (MIGRATIONS / "versions" / "0002_waivers.py").is_file()
    store.close()
