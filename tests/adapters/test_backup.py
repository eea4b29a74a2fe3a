"""Backups and restores on real SQLite files (and PostgreSQL through pg_dump/psql)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hotfix.adapters.store.backup import backup, restore
from hotfix.adapters.store.copies import tally
from hotfix.adapters.store.database import MIGRATIONS
from hotfix.adapters.store.sql import SqlStore
from hotfix.errors import StoreError

AT = datetime(2026, 12, 1, tzinfo=UTC)


def _store(db: Path, hotfixes: int = 1) -> None:
    store = SqlStore(f"sqlite:///{db}")
    for n in range(hotfixes):
        store.create(f"hotfix {n}", "dev@example.com", AT, {"severity": "high"})
    store.close()


def test_backup_copies_every_record_while_another_connection_writes(tmp_path: Path) -> None:
    db = tmp_path / ".hotfix" / "hotfix.db"
    db.parent.mkdir()
    _store(db, 20)
    writer = SqlStore(f"sqlite:///{db}")
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            writer.create("meanwhile", "dev@example.com", AT, {})

    thread = threading.Thread(target=write)
    thread.start()
    try:
        copies = [backup(f"sqlite:///{db}", tmp_path) for _ in range(5)]
    finally:
        stop.set()
        thread.join()
        writer.close()
    for copy in copies:
        assert copy.path.parent == tmp_path / ".hotfix" / "backups"
        assert copy.records is not None
        assert copy.records >= 20
        assert copy.events == copy.records  # one "open" event each: no half transaction
        assert tally(copy.path) == (copy.records, copy.events)


def test_restore_round_trip_keeps_the_replaced_database(tmp_path: Path) -> None:
    db = tmp_path / "hotfix.db"
    _store(db, 2)
    saved = backup(f"sqlite:///{db}", tmp_path, tmp_path / "saved.db")
    _store(db, 3)  # five records now
    restored = restore(f"sqlite:///{db}", saved.path)
    assert (restored.records, restored.events) == (2, 2)
    assert tally(db) == (2, 2)
    assert restored.kept is not None
    assert tally(restored.kept) == (5, 5)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    _store(db, 1)  # the restored database opens and takes writes
    assert tally(db) == (3, 3)


def _corrupt_chain(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE events SET actor = 'mallory@example.com' WHERE seq = 1")


def _garbage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a page of the tables, overwritten
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("damage", "says"), [
    (_corrupt_chain, "was altered after it was written"),
    (_garbage, "damaged"),
    (lambda p: p.write_bytes(b""), "not a database"),
])
def test_a_bad_backup_is_refused_and_the_live_database_untouched(
        tmp_path: Path, damage: object, says: str) -> None:
    db = tmp_path / "hotfix.db"
    _store(db, 2)
    saved = backup(f"sqlite:///{db}", tmp_path, tmp_path / "saved.db").path
    assert callable(damage)
    damage(saved)
    before = db.read_bytes()
    with pytest.raises(StoreError, match=says):
        restore(f"sqlite:///{db}", saved)
    assert db.read_bytes() == before
    assert not (tmp_path / "backups").exists()  # nothing kept: nothing was replaced
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _at_first_revision(db: Path) -> None:
    from alembic import command
    from alembic.config import Config

    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001_initial")
    engine.dispose()


def test_a_migration_is_preceded_by_a_backup_of_the_old_schema(tmp_path: Path) -> None:
    db = tmp_path / ".hotfix" / "hotfix.db"
    db.parent.mkdir()
    _at_first_revision(db)
    SqlStore(f"sqlite:///{db}").close()  # today's code: migrates to the head
    (copy,) = (tmp_path / ".hotfix" / "backups").glob("hotfix-0001_initial-*Z.db")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0001_initial",)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "waivers" not in tables
    SqlStore(f"sqlite:///{db}").close()  # at the head: no second backup
    assert len(list(copy.parent.iterdir())) == 1


def test_a_new_database_is_not_backed_up(tmp_path: Path) -> None:
    _store(tmp_path / "hotfix.db")
    assert not (tmp_path / "backups").exists()


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("psql") is None,
                    reason="pg_dump and psql (the PostgreSQL client tools) are not on PATH")
def test_postgres_backup_and_restore_through_pg_dump(postgres_url: str, tmp_path: Path
                                                     ) -> None:
    store = SqlStore(postgres_url)
    store.create("kept", "dev@example.com", AT, {})
    store.close()
    dump = backup(postgres_url, tmp_path, tmp_path / "pg.sql").path
    assert "CREATE TABLE" in dump.read_text()
    store = SqlStore(postgres_url)
    store.create("after the backup", "dev@example.com", AT, {})
    store.close()
    restore(postgres_url, dump)
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM hotfixes")).scalars().all() == ["kept"]
    engine.dispose()


def test_without_pg_dump_the_error_names_the_tool(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no PostgreSQL client tools here
    with pytest.raises(StoreError, match="pg_dump is not on PATH") as caught:
        backup("postgresql+psycopg://postgres@127.0.0.1:5432/test", tmp_path)
    assert caught.value.hint is not None
    assert "postgresql-client" in caught.value.hint
    assert not (tmp_path / ".hotfix").exists()
