"""``hotfix db backup`` / ``restore``: SQLite through its online backup API, PostgreSQL
through ``pg_dump`` and ``psql``.

A restore never trusts the backup: it is copied beside the live database, checked (SQLite's
integrity check, a schema this hotfix knows, every record's hash chain), and only then
renamed over the live file, after the live database was itself copied aside.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from hotfix.adapters.store.copies import (
    backups_dir,
    checkpoint,
    copy_sqlite,
    integrity_problem,
    sqlite_file,
    stamp,
    tally,
)
from hotfix.adapters.store.sql import SqlStore
from hotfix.domain.record.events import verify_chain
from hotfix.errors import ChainBroken, HotfixError, NotFound, StoreError


@dataclass(frozen=True)
class Copy:
    """A backup written, or restored: where, and how much of the record it holds."""

    path: Path
    records: int | None = None
    events: int | None = None
    kept: Path | None = None  # restore: where the database it replaced was copied

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "records": self.records, "events": self.events,
                "kept": str(self.kept) if self.kept else None}


def backup(url: str, root: Path, dest: Path | None = None) -> Copy:
    """Copy the database at ``url`` to ``dest`` (default ``.hotfix/backups/hotfix-<stamp>``)."""
    path = sqlite_file(url)
    if path is None:
        out = dest or root / ".hotfix" / "backups" / f"hotfix-{stamp()}.sql"
        return Copy(pg_dump(url, out))
    out = dest or backups_dir(path) / f"hotfix-{stamp()}.db"
    copy_sqlite(path, out)
    return Copy(out, *tally(out))


def restore(url: str, source: Path) -> Copy:
    """Replace the database at ``url`` with the backup ``source``, once it checks out."""
    path = sqlite_file(url)
    if path is None:
        return Copy(psql_restore(url, source))
    tmp = path.with_name(f".{path.name}.restoring-{stamp()}")
    try:
        copy_sqlite(source, tmp)
        records, events = _checked(tmp, source)
        kept = (copy_sqlite(path, backups_dir(path) / f"hotfix-pre-restore-{stamp()}.db")
                if path.is_file() else None)
        _replace(tmp, path)
    finally:
        for leftover in (tmp, *_sidecars(tmp)):
            leftover.unlink(missing_ok=True)
    return Copy(path, records, events, kept)


def _checked(copy: Path, source: Path) -> tuple[int, int]:
    """The records and events in ``copy``; a ``StoreError`` naming ``source`` if it is bad."""
    problem = integrity_problem(copy)
    if problem:
        raise StoreError(f"the backup {source} is damaged: {problem}; nothing was restored",
                         hint="pick another backup: ls .hotfix/backups/")
    try:
        return _counts(copy, verify=True)
    except HotfixError as exc:
        raise StoreError(f"the backup {source} cannot be restored: {exc.message}; "
                         "nothing was restored",
                         hint="pick another backup: ls .hotfix/backups/") from None


def _counts(path: Path, *, verify: bool = False) -> tuple[int, int]:
    """Records and events in the SQLite file ``path`` (migrated to today's schema if older),
    every record's chain verified when ``verify``."""
    store = SqlStore(f"sqlite:///{path}")
    try:
        records = store.all_events()
        for number, events in records.items():
            report = verify_chain(events, store.head(number))
            if verify and not report.ok:
                raise ChainBroken(f"record {number}: {report.problem}")
        return len(records), sum(len(evs) for evs in records.values())
    finally:
        store.close()


def _replace(new: Path, live: Path) -> None:
    """Rename ``new`` over ``live``, leaving no write-ahead log of the old file behind."""
    if live.is_file():
        checkpoint(live)
    checkpoint(new)
    for sidecar in _sidecars(live):
        sidecar.unlink(missing_ok=True)
    os.replace(new, live)


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


# ── PostgreSQL: the client tools, when they are installed ─────────────────────────────


def pg_dump(url: str, dest: Path) -> Path:
    """A plain-SQL dump of the database at ``url`` at ``dest``, renamed into place."""
    _exe("pg_dump")  # before anything is written
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        _run("pg_dump", url, "--clean", "--if-exists", "--no-owner", *_schema(url),
             "--file", str(tmp))
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def psql_restore(url: str, source: Path) -> Path:
    """Run the dump ``source`` into the database at ``url``, in one transaction."""
    if not source.is_file():
        raise NotFound(f"no backup at {source}", hint="ls .hotfix/backups/")
    _run("psql", url, "--single-transaction", "-v", "ON_ERROR_STOP=1", "--quiet",
         "--file", str(source))
    return source


def _exe(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise StoreError(f"{tool} is not on PATH: hotfix needs it to back up or restore "
                         "PostgreSQL", hint="install the PostgreSQL client tools "
                         "(apt install postgresql-client), or run it yourself")
    return exe


def _run(tool: str, url: str, *args: str) -> None:
    exe = _exe(tool)
    conninfo, env = _libpq(url)
    done = subprocess.run([exe, "--dbname", conninfo, *args], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise StoreError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()}",
                         hint=f"run it yourself to see more: {tool} --dbname …")


def _schema(url: str) -> list[str]:
    """``--schema S`` when the URL sets ``options=-csearch_path=S``: dump only that schema,
    not the other tenants of the database."""
    options = make_url(url).query.get("options", "")
    text = options if isinstance(options, str) else " ".join(options)
    for option in text.split():
        name, _, value = option.removeprefix("-c").partition("=")
        if name == "search_path" and value:
            return ["--schema", value.split(",")[0]]
    return []


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection string for a SQLAlchemy URL; the password in the environment,
    never on the command line."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    bare = parsed.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), env
