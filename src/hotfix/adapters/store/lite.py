"""The SQLite record read with the standard library's ``sqlite3``: no SQLAlchemy import.

``hotfix audit`` and ``hotfix contains`` use only the cache (read, and written on a cold
run), the waivers and the events (for the waivers recorded on hotfixes). Importing
SQLAlchemy costs more than a warm audit's own work, so for an existing SQLite database
already at ``SCHEMA_HEAD`` these reads (and the cache's writes) go through ``sqlite3`` here,
on the same tables, giving the same values as ``hotfix.adapters.store.sql``. Anything else
— a new database, one to migrate, a URL with options, PostgreSQL, every other write — opens
the SQL store (``hotfix.wiring.LazyStore`` decides).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix.adapters.store.head import SCHEMA_HEAD
from hotfix.adapters.store.rows import EventRow, WaiverRow
from hotfix.errors import StoreError

if TYPE_CHECKING:
    from hotfix.domain.audit.equivalence import Waiver
    from hotfix.domain.record.events import Event

_SQLITE_FILE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?#%]+)")
_CHUNK = 500  # keys per IN (…), as the SQL store


def sqlite_path(url: str) -> Path | None:
    """The file of a plain SQLite URL (``sqlite:///path``); None for anything else."""
    found = _SQLITE_FILE.fullmatch(url)
    return Path(found.group(1)) if found else None


class LiteRecord:
    """Reads of one SQLite record file (and writes to its cache), through ``sqlite3``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn, self.path = conn, path
        self.cache = LiteCache(self)

    @classmethod
    def open(cls, path: Path) -> LiteRecord | None:
        """The record at ``path`` when it exists and is at ``SCHEMA_HEAD``; None otherwise
        (the SQL store then opens it, migrates it or says what is wrong with it)."""
        if not path.is_file():
            return None
        try:
            conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30,
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return None
        try:
            stamped = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
            if stamped != [SCHEMA_HEAD]:
                conn.close()
                return None
            conn.execute("PRAGMA journal_mode=WAL")  # as the SQL store's connections
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:
            conn.close()
            return None
        return cls(conn, path)

    def _read(self, doing: str, sql: str, args: Iterable[object] = ()) -> list[tuple[object, ...]]:
        try:
            return list(self.conn.execute(sql, tuple(args)))
        except sqlite3.Error as exc:
            raise StoreError(f"could not {doing} in sqlite:///{self.path}: {exc}") from None

    def waivers(self) -> list[Waiver]:
        """Every waiver of the ``waivers`` table, oldest first (``SqlWaivers.all``)."""
        rows = self._read("read waivers", f"SELECT {', '.join(WaiverRow._fields)} FROM waivers "
                          "ORDER BY id")
        return [WaiverRow(*(str(v) for v in row)).to_waiver() for row in rows]

    def all_events(self) -> dict[int, list[Event]]:
        """Every hotfix's events, by number (``SqlStore.all_events``)."""
        out: dict[int, list[Event]] = {
            int(str(n)): [] for (n,) in self._read("read events",
                                                    "SELECT number FROM hotfixes ORDER BY number")}
        for row in self._read("read events", f"SELECT {', '.join(EventRow._fields)} FROM events "
                              "ORDER BY hotfix, seq"):
            hotfix, seq, *rest = row
            event = EventRow(int(str(hotfix)), int(str(seq)), *(str(v) for v in rest))
            out.setdefault(event.hotfix, []).append(event.to_event())
        return out

    def close(self) -> None:
        self.conn.close()


class LiteCache:
    """The ``cache`` table (``SqlCache``): the first value put for a key stays."""

    def __init__(self, record: LiteRecord) -> None:
        self.record = record

    def get(self, namespace: str, keys: Iterable[str]) -> dict[str, str]:
        wanted = list(keys)
        out: dict[str, str] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            rows = self.record._read(
                "read the cache", "SELECT key, value FROM cache WHERE namespace = ? AND key IN "
                f"({', '.join('?' * len(chunk))})", [namespace, *chunk])
            out.update((str(k), str(v)) for k, v in rows)
        return out

    def put(self, namespace: str, items: Mapping[str, str]) -> None:
        self._write("INSERT OR IGNORE", namespace, items)

    def replace(self, namespace: str, items: Mapping[str, str]) -> None:
        self._write("INSERT OR REPLACE", namespace, items)

    def _write(self, verb: str, namespace: str, items: Mapping[str, str]) -> None:
        if not items:
            return
        conn = self.record.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(f"{verb} INTO cache (namespace, key, value) VALUES (?, ?, ?)",
                                 [(namespace, k, v) for k, v in items.items()])
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"could not write the cache in sqlite:///{self.record.path}: "
                             f"{exc}") from None
