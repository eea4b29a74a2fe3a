"""Consistent copies of a SQLite file, taken with SQLite's online backup API.

A copy is written beside its destination and renamed into place, so a reader never sees a
half-written file; other processes may keep writing to the source meanwhile.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url

from hotfix.errors import NotFound, StoreError


def stamp(now: datetime | None = None) -> str:
    """A UTC time for a file name: 20261201T231805Z (microseconds keep two apart)."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for any other database (or an in-memory one)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def backups_dir(database: Path) -> Path:
    """``.hotfix/backups/`` for ``.hotfix/hotfix.db``: the folder beside the database."""
    return database.parent / "backups"


def copy_sqlite(source: Path, dest: Path) -> Path:
    """Copy the SQLite database ``source`` to ``dest`` (replaced if it exists)."""
    if not source.is_file():
        raise NotFound(f"no SQLite database at {source}",
                       hint="give the path of a backup: ls .hotfix/backups/")
    _refuse_non_sqlite(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(tmp)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise StoreError(f"could not copy the database {source}: {exc}",
                         hint="check that it is a hotfix database: sqlite3 "
                         f"{source} 'PRAGMA integrity_check'") from None
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _refuse_non_sqlite(path: Path) -> None:
    from hotfix.adapters.store.database import sqlite_file_problem

    with path.open("rb") as f:
        header = f.read(100)
    in_wal = path.with_name(path.name + "-wal").is_file()
    problem = sqlite_file_problem(header, path.stat().st_size, counted_size=not in_wal)
    if problem:
        raise StoreError(f"{path} is {problem}: not a database hotfix can copy",
                         hint="give the path of a backup: ls .hotfix/backups/")


def integrity_problem(path: Path) -> str | None:
    """What SQLite's own integrity check finds wrong with ``path``, if anything."""
    try:
        with closing(sqlite3.connect(path)) as conn:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows[:3])


def checkpoint(path: Path) -> None:
    """Fold ``path``'s write-ahead log into the file and empty the log."""
    try:
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise StoreError(f"could not checkpoint the database {path}: {exc}",
                         hint="stop the other hotfix processes using it and try again") from None


def tally(path: Path) -> tuple[int, int]:
    """The records and events in the hotfix database ``path``, read as it is (no migration)."""
    try:
        with closing(sqlite3.connect(path)) as conn:
            return (int(conn.execute("SELECT count(*) FROM hotfixes").fetchone()[0]),
                    int(conn.execute("SELECT count(*) FROM events").fetchone()[0]))
    except sqlite3.Error as exc:
        raise StoreError(f"{path} is not a hotfix database: {exc}") from None
