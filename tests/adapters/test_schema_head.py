"""A new SQLite record is made from ``schema_head.sql`` in one script: the same schema and
rows as the migrations build, a record the SQL store opens without migrating, and nothing
half-made or overwritten when creation fails or races."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotfix.adapters.store.database import Database
from hotfix.adapters.store.head import SCHEMA_HEAD
from hotfix.adapters.store.lite import SCHEMA_FILE, LiteRecord, create_at_head, dump_schema
from hotfix.adapters.store.sql import SqlStore

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _migrated(path: Path) -> Path:
    Database(f"sqlite:///{path}", new_from_schema=False).close()
    return path


def _master(path: Path) -> list[tuple[str, str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                   "WHERE name NOT LIKE 'sqlite_%'").fetchall())
    finally:
        conn.close()


def test_the_schema_file_is_what_the_migrations_build(tmp_path: Path) -> None:
    migrated = _migrated(tmp_path / "migrated.db")
    assert SCHEMA_FILE.read_text(encoding="utf-8") == dump_schema(migrated), (
        "schema_head.sql is out of date: run python scripts/gen_schema.py")
    assert create_at_head(tmp_path / "frozen.db")
    assert _master(tmp_path / "frozen.db") == _master(migrated)
    assert dump_schema(tmp_path / "frozen.db") == dump_schema(migrated)


def test_a_new_record_is_made_at_the_head_and_the_sql_store_uses_it_as_is(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hotfix.db"
    store = SqlStore(f"sqlite:///{path}")  # a new file: made from the schema, no Alembic
    assert store.schema_revision() == SCHEMA_HEAD
    opened = store.create("Checkout is down", "dana@x", T0, {"severity": "high"})
    store.cache.put("patch-id", {"a": "1"})
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_HEAD,)]
    conn.close()
    lite = LiteRecord.open(path)
    assert lite is not None
    assert [e.kind for e in lite.all_events()[opened.hotfix]] == ["open"]
    assert lite.cache.get("patch-id", ["a"]) == {"a": "1"}
    lite.close()


def test_an_existing_file_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "hotfix.db"
    store = SqlStore(f"sqlite:///{path}")
    store.create("Kept", "dana@x", T0, {"title": "Kept"})
    store.close()
    assert not create_at_head(path)
    store = SqlStore(f"sqlite:///{path}")
    assert [events[0].payload.get("title") for events in store.all_events().values()] == ["Kept"]
    store.close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert not create_at_head(empty)  # left for the store to refuse, as before
    assert empty.read_bytes() == b""
    assert not create_at_head(tmp_path / "no-such-dir" / "hotfix.db")


def test_a_failed_creation_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hotfix.adapters.store import lite
    from hotfix.errors import StoreError

    bad = tmp_path / "bad.sql"
    bad.write_text(f"INSERT INTO alembic_version VALUES ('{SCHEMA_HEAD}');\nNOT SQL;\n")
    monkeypatch.setattr(lite, "SCHEMA_FILE", bad)
    with pytest.raises(StoreError, match="could not create the record"):
        create_at_head(tmp_path / "hotfix.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.sql"]


def test_racing_creators_end_with_one_whole_record(tmp_path: Path) -> None:
    path = tmp_path / "hotfix.db"
    made: list[bool] = []
    start = threading.Barrier(6)

    def create() -> None:
        start.wait()
        made.append(create_at_head(path))

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made.count(True) == 1
    assert _master(path) == _master(_migrated(tmp_path / "migrated.db"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hotfix.db", "migrated.db"]
