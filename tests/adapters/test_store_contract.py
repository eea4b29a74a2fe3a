"""One contract, run against SQLite, PostgreSQL and the memory store.

The cases at the end take ``db_url`` instead of ``backend``: they are about SQL itself
(migrations, a schema from a newer hotfix, two OS processes sharing one database, an
unreachable server), which the memory store has no counterpart for.
"""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from hotfix.adapters.store.sql import SqlStore
from hotfix.domain.record.events import verify_chain
from hotfix.errors import NotFound, SchemaTooNew, StoreError
from tests.adapters.conftest import Backend

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def note(actor: str, n: int) -> Any:
    return lambda events: [(actor, "note", {"n": n, "seen": len(events)})]


def test_create_append_read(backend: Backend) -> None:
    store = backend.open()
    opened = store.create("Checkout 500", "a@x", T0, {"title": "Checkout 500"})
    assert (opened.seq, opened.kind, opened.actor) == (1, "open", "a@x")
    new = store.append(opened.hotfix, note("b@x", 1), T0)
    assert [e.seq for e in new] == [2]
    events = store.events(opened.hotfix)
    assert [e.kind for e in events] == ["open", "note"]
    assert events[1].payload == {"n": 1, "seen": 1}
    assert events[1].at == T0
    assert events == [opened, *new]  # what append returns is what is read back
    assert verify_chain(events, store.head(opened.hotfix)).ok
    store.close()


def test_payloads_are_kept_as_json(backend: Backend) -> None:
    store = backend.open()
    opened = store.create("a", "a@x", T0, {"title": "a"})
    (new,) = store.append(opened.hotfix, lambda _: [("a@x", "note", {"ids": (1, 2)})], T0)
    assert new.payload == {"ids": [1, 2]}  # a tuple comes back as JSON gives it: a list
    new.payload["ids"].append(3)  # changing what was returned changes nothing stored
    assert store.events(opened.hotfix)[1].payload == {"ids": [1, 2]}
    store.close()


def test_numbers_increase_and_all_events(backend: Backend) -> None:
    store = backend.open()
    a = store.create("a", "a@x", T0, {"title": "a"})
    b = store.create("b", "a@x", T0, {"title": "b"})
    assert b.hotfix == a.hotfix + 1
    assert sorted(store.all_events()) == [a.hotfix, b.hotfix]
    assert store.all_events()[b.hotfix] == [b]
    store.close()


def test_unknown_hotfix(backend: Backend) -> None:
    store = backend.open()
    with pytest.raises(NotFound, match="no hotfix number 404"):
        store.events(404)
    with pytest.raises(NotFound):
        store.append(404, note("a@x", 1), T0)
    with pytest.raises(NotFound):
        store.head(404)
    store.close()


def test_refused_decision_writes_nothing(backend: Backend) -> None:
    store = backend.open()
    opened = store.create("a", "a@x", T0, {"title": "a"})

    def refuse(events: list[Any]) -> list[Any]:
        raise RuntimeError("guard")

    with pytest.raises(RuntimeError):
        store.append(opened.hotfix, refuse, T0)
    assert len(store.events(opened.hotfix)) == 1
    store.close()


def test_a_draft_that_cannot_be_written_writes_none_of_its_batch(backend: Backend) -> None:
    store = backend.open()
    opened = store.create("a", "a@x", T0, {"title": "a"})
    batch = [("a@x", "override", {"ok": True}), ("a@x", "close", {"when": object()})]
    with pytest.raises(TypeError):
        store.append(opened.hotfix, lambda _: batch, T0)
    assert len(store.events(opened.hotfix)) == 1
    assert store.head(opened.hotfix) == (1, opened.hash)
    store.close()


def test_tampering_in_the_database_is_detected(backend: Backend) -> None:
    store = backend.open()
    opened = store.create("a", "a@x", T0, {"title": "a"})
    for n in range(3):
        store.append(opened.hotfix, note("b@x", n), T0)
    backend.tamper(store, opened.hotfix, 3, '{"n":7,"seen":2}')
    report = verify_chain(store.events(opened.hotfix), store.head(opened.hotfix))
    assert (report.ok, report.bad_seq) == (False, 3)
    store.close()


def test_cache_roundtrip(backend: Backend) -> None:
    store = backend.open()
    store.cache.put("patch-id", {f"sha{i}": f"pid{i}" for i in range(1200)})
    store.cache.put("patch-id", {"sha1": "other"})  # first value kept: derived data is stable
    got = store.cache.get("patch-id", [f"sha{i}" for i in range(0, 1300, 100)])
    assert got == {f"sha{i}": f"pid{i}" for i in range(0, 1200, 100)}
    assert store.cache.get("other", ["sha1"]) == {}
    store.cache.put("other", {})
    store.close()


def test_cache_replace_keeps_the_last_value(backend: Backend) -> None:
    store = backend.open()
    store.cache.put("walk", {"lines 1.1": "first", "lines 1.2": "kept"})
    store.cache.replace("walk", {"lines 1.1": "second", "new": "value"})
    store.cache.replace("walk", {})
    store.close()
    again = backend.open()
    assert again.cache.get("walk", ["lines 1.1", "lines 1.2", "new"]) == {
        "lines 1.1": "second", "lines 1.2": "kept", "new": "value"}
    again.close()


def test_two_writers_on_one_record_are_serialised(backend: Backend) -> None:
    store = backend.open()
    opened = store.create("race", "a@x", T0, {"title": "race"})

    def write(actor: str) -> None:
        for n in range(20):
            store.append(opened.hotfix, note(actor, n), T0)

    threads = [threading.Thread(target=write, args=(who,)) for who in ("t1@x", "t2@x")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    events = store.events(opened.hotfix)
    assert len(events) == 41
    assert [e.payload["seen"] for e in events[1:]] == list(range(1, 41))  # each saw the last
    for who in ("t1@x", "t2@x"):
        assert [e.payload["n"] for e in events if e.actor == who] == list(range(20))
    assert verify_chain(events, store.head(opened.hotfix)).ok
    store.close()


# -- SQL only ------------------------------------------------------------------------------

def test_database_from_a_newer_hotfix_is_refused(db_url: str) -> None:
    SqlStore(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(SchemaTooNew, match="newer hotfix"):
        SqlStore(db_url)


def _writer(url: str, number: int, actor: str, count: int) -> None:
    store = SqlStore(url)
    for n in range(count):
        store.append(number, note(actor, n), datetime.now(UTC))
    store.close()


def test_two_processes_writing_one_record(db_url: str) -> None:
    store = SqlStore(db_url)
    opened = store.create("race", "a@x", T0, {"title": "race"})
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(db_url, opened.hotfix, who, 25))
             for who in ("p1@x", "p2@x")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    events = store.events(opened.hotfix)
    assert len(events) == 51
    for who in ("p1@x", "p2@x"):
        mine = [e.payload["n"] for e in events if e.actor == who]
        assert mine == list(range(25))  # each writer's events kept, in its order
    assert verify_chain(events, store.head(opened.hotfix)).ok
    store.close()


def test_unreachable_database_says_what_to_do() -> None:
    with pytest.raises(StoreError, match="could not open the database") as info:
        SqlStore("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert "HOTFIX_DATABASE_URL" in (info.value.hint or "")


def test_schema_head_is_alembics_head(db_url: str) -> None:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from hotfix.adapters.store.database import MIGRATIONS
    from hotfix.adapters.store.tables import SCHEMA_HEAD

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_heads() == [SCHEMA_HEAD]
    store = SqlStore(db_url)
    assert store.schema_revision() == SCHEMA_HEAD
    store.close()


def test_the_tables_are_what_the_migrations_build(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from hotfix.adapters.store.tables import metadata

    store = SqlStore(db_url)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    store.close()


def test_imported_records_keep_their_numbers_and_hashes(backend: Backend) -> None:
    from hotfix.adapters.store.memory import MemoryStore
    from hotfix.errors import ConflictError

    source = MemoryStore()
    for title in ("one", "two", "three"):
        opened = source.create(title, "a@x", T0, {"title": title})
        source.append(opened.hotfix, note("b@x", 1), T0)
    moved = {n: evs for n, evs in source.all_events().items() if n != 1}  # #2 and #3
    store = backend.open()
    store.import_records(moved)  # type: ignore[attr-defined]
    assert store.all_events() == moved
    assert store.head(3) == (moved[3][-1].seq, moved[3][-1].hash)
    assert verify_chain(store.events(3), store.head(3)).ok
    assert store.create("next", "a@x", T0, {"title": "next"}).hotfix == 4
    with pytest.raises(ConflictError, match="#3 exist"):
        store.import_records({1: source.events(1), 3: moved[3]})  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        store.events(1)  # nothing of a refused import is written
    store.close()


def test_the_version_moves_with_every_record_and_event_written(backend: Backend) -> None:
    store, other = backend.open(), backend.open()  # another connection sees it too
    assert store.version() == (0, 0)
    a = store.create("a", "a@x", T0, {"title": "a"})
    assert other.version() == (1, 1)
    store.append(a.hotfix, note("b@x", 1), T0)
    b = store.create("b", "a@x", T0, {"title": "b"})
    assert other.version() == (2, 3)
    store.append(b.hotfix, lambda _: [], T0)  # nothing appended: the version stays
    assert other.version() == (2, 3)
    store.close()
    other.close()


def test_an_exclusive_check_sees_every_record_and_refusing_writes_nothing(
        backend: Backend) -> None:
    from hotfix.ports import Exclusive

    store = backend.open()
    a = store.create("a", "a@x", T0, {"title": "a"})
    b = store.create("b", "a@x", T0, {"title": "b"})
    store.append(b.hotfix, note("b@x", 1), T0)
    seen: list[dict[int, list[str]]] = []

    def check(every: dict[int, list[Any]]) -> None:
        seen.append({n: [e.kind for e in evs] for n, evs in every.items()})
        if len(seen) > 1:
            raise NotFound("refused")

    store.append(a.hotfix, note("a@x", 2), T0, exclusive=Exclusive("zone:x", check))
    assert seen == [{a.hotfix: ["open"], b.hotfix: ["open", "note"]}]
    with pytest.raises(NotFound):
        store.append(a.hotfix, note("a@x", 3), T0, exclusive=Exclusive("zone:x", check))
    assert [e.payload.get("n") for e in store.events(a.hotfix)] == [None, 2]
    store.close()
