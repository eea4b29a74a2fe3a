"""The SQLite record read through ``sqlite3`` gives what the SQL store gives, and writes
the cache as it does; a file it cannot read as the current schema is left to the store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from hotfix.adapters.store.lite import LiteRecord, sqlite_path
from hotfix.adapters.store.sql import SqlStore
from hotfix.domain.audit.equivalence import Waiver

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SHA = "c0ffee" + "0" * 34


def _record(path: Path) -> SqlStore:
    store = SqlStore(f"sqlite:///{path}")
    store.waivers.add(Waiver(SHA, "1.1", "1.1 keeps the old API", "lead@x", T0))
    store.waivers.add(Waiver(SHA, "1.2", "not affected", "lead@x", T0))
    opened = store.create("Checkout is down", "dana@x", T0, {"severity": "high"})
    store.append(opened.hotfix, lambda _: [("lead@x", "audit_waive", {"sha": SHA})], T0)
    store.create("Second", "dana@x", T0, {})
    store.cache.put("patch-id", {f"sha{i}": f"pid{i}" for i in range(1200)})
    return store


def test_it_reads_the_waivers_the_events_and_the_cache_the_store_wrote(tmp_path: Path) -> None:
    store = _record(tmp_path / "hotfix.db")
    lite = LiteRecord.open(tmp_path / "hotfix.db")
    assert lite is not None
    assert lite.waivers() == store.waivers.all()
    assert lite.all_events() == store.all_events()
    keys = [f"sha{i}" for i in range(0, 1300, 7)]
    assert lite.cache.get("patch-id", keys) == store.cache.get("patch-id", keys)
    assert lite.cache.get("other", ["sha1"]) == {}
    lite.close()
    store.close()


def test_its_cache_writes_keep_the_first_value_and_the_store_reads_them(tmp_path: Path) -> None:
    store = _record(tmp_path / "hotfix.db")
    lite = LiteRecord.open(tmp_path / "hotfix.db")
    assert lite is not None
    lite.cache.put("patch-id", {"sha1": "other", "new": "value"})
    lite.cache.put("patch-id", {})
    assert store.cache.get("patch-id", ["sha1", "new"]) == {"sha1": "pid1", "new": "value"}
    lite.cache.replace("walk", {"lines": "first"})
    lite.cache.replace("walk", {"lines": "last"})
    assert store.cache.get("walk", ["lines"]) == {"lines": "last"}
    lite.close()
    store.close()


def test_a_file_it_cannot_read_as_the_current_schema_is_left_to_the_store(
        tmp_path: Path) -> None:
    assert LiteRecord.open(tmp_path / "none.db") is None
    (tmp_path / "text.db").write_text("not a database\n" * 100)
    assert LiteRecord.open(tmp_path / "text.db") is None
    _record(tmp_path / "old.db").close()
    with sqlite3.connect(tmp_path / "old.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_a_newer_hotfix'")
    assert LiteRecord.open(tmp_path / "old.db") is None  # the store refuses it, saying why


def test_only_a_plain_sqlite_url_names_a_file() -> None:
    assert sqlite_path("sqlite:////tmp/x/hotfix.db") == Path("/tmp/x/hotfix.db")
    assert sqlite_path("sqlite+pysqlite:///rel.db") == Path("rel.db")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///x.db?mode=ro") is None
    assert sqlite_path("postgresql+psycopg://u@h/db") is None
