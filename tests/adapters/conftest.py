"""Every store: SQLite, PostgreSQL and the memory store, behind one contract."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from hotfix.adapters.store.memory import MemoryStore
from hotfix.adapters.store.sql import SqlStore
from hotfix.ports import Store
from tests.conftest import postgres_schema_url


@dataclass
class Backend:
    """How a contract test opens a store, and alters a row behind the store's back."""

    name: str
    open: Callable[[], Store]  # each call: a store on the same data
    tamper: Callable[[Store, int, int, str], None]  # (store, hotfix, seq, payload text)


def _sql_tamper(store: Store, hotfix: int, seq: int, payload: str) -> None:
    assert isinstance(store, SqlStore)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE events SET payload = :p WHERE hotfix = :h AND seq = :s"),
                     {"p": payload, "h": hotfix, "s": seq})


def _memory_tamper(store: Store, hotfix: int, seq: int, payload: str) -> None:
    assert isinstance(store, MemoryStore)
    rows = store.rows[hotfix]
    rows[seq - 1] = rows[seq - 1]._replace(payload=payload)


def _sql(url: str, name: str) -> Backend:
    return Backend(name, lambda: SqlStore(url), _sql_tamper)


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Every store contract test runs on SQLite, on PostgreSQL and on the memory store."""
    if request.param == "sqlite":
        yield _sql(f"sqlite:///{tmp_path / 'hotfix.db'}", "sqlite")
    elif request.param == "postgres":
        for url in postgres_schema_url():
            yield _sql(url, "postgres")
    else:
        memory = MemoryStore()  # its data lives with the object: opening it is getting it
        yield Backend("memory", lambda: memory, _memory_tamper)
