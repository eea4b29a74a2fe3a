"""The SQLite record read with the standard library's ``sqlite3``: no SQLAlchemy import.

``hotfix audit`` and ``hotfix contains`` use only the cache (read, and written on a cold
run), the waivers and the events (for the waivers recorded on hotfixes). Importing
SQLAlchemy costs more than a warm audit's own work, so for an existing SQLite database
already at ``SCHEMA_HEAD`` these reads (and the cache's writes) go through ``sqlite3`` here,
on the same tables, giving the same values as ``hotfix.adapters.store.sql``. Anything else
— one to migrate, a URL with options, PostgreSQL, every other write — opens the SQL store
(``hotfix.wiring.LazyStore`` decides).

A new SQLite record is made here too, by ``create_at_head``, from the schema the migrations
build (``schema_head.sql``, written by ``scripts/gen_schema.py`` and checked against Alembic
by ``tests/adapters/test_schema_head.py``): one script instead of importing SQLAlchemy and
Alembic and replaying every migration. The SQL store creates its new SQLite files the same way.
"""

from __future__ import annotations

import os
import re
import secrets
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
SCHEMA_FILE = Path(__file__).with_name("schema_head.sql")


def sqlite_path(url: str) -> Path | None:
    """The file of a plain SQLite URL (``sqlite:///path``); None for anything else."""
    found = _SQLITE_FILE.fullmatch(url)
    return Path(found.group(1)) if found else None


def create_at_head(path: Path) -> bool:
    """Create the SQLite record ``path`` at ``SCHEMA_HEAD`` unless a file is there already;
    True when this call made it.

    The record is built in a temporary file beside ``path`` and linked into place, which
    fails if another process got there first: no half-made record after a crash, and two
    racing processes end with one whole record, neither overwriting the other's writes."""
    if path.exists() or not path.parent.is_dir():
        return False
    script = SCHEMA_FILE.read_text(encoding="utf-8")
    if f"'{SCHEMA_HEAD}'" not in script:
        raise StoreError(f"{SCHEMA_FILE} is not the schema of {SCHEMA_HEAD}",
                         hint="reinstall hotfix (developers: python scripts/gen_schema.py)")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")  # kept in the file, as the SQL store sets it
            conn.executescript(f"BEGIN;\n{script}\nCOMMIT;")
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    except sqlite3.Error as exc:
        raise StoreError(f"could not create the record {path}: {exc}") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def dump_schema(path: Path) -> str:
    """The SQL that rebuilds the SQLite database ``path``'s tables, indexes, triggers and
    views, with the rows they hold, in creation order (``schema_head.sql`` is this of a
    database the migrations built)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
        lines = [f"-- The schema {SCHEMA_HEAD}, as the migrations build it on SQLite.",
                 "-- Written by scripts/gen_schema.py; do not edit.", ""]
        for kind, name, sql in found:
            lines.append(f"{sql};")
            if kind == "table":
                for row in conn.execute(f'SELECT * FROM "{name}"'):
                    values = ", ".join(_literal(v) for v in row)
                    lines.append(f'INSERT INTO "{name}" VALUES ({values});')
        return "\n".join(lines) + "\n"
    finally:
        conn.close()


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    return "'" + str(value).replace("'", "''") + "'"


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
