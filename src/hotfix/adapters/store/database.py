"""One SQL database: its engine, migrated on open, and its errors said in hotfix's terms.

SQLite runs in WAL mode and takes the write lock up front (``BEGIN IMMEDIATE``); PostgreSQL
is used as it comes. The common case, a database already at ``SCHEMA_HEAD``, costs one query
and imports neither Alembic nor the ORM. A new SQLite file is created at the head from the
schema the migrations build (``lite.create_at_head``); Alembic runs for PostgreSQL and for a
database stamped with an older revision.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from hotfix.adapters.store.head import SCHEMA_HEAD
from hotfix.adapters.store.urls import URL_HINT
from hotfix.errors import ConfigError, SchemaTooNew, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"
_SQLITE_MIN_SIZE = 512  # the smallest page: a shorter file is no SQLite database
_SQLITE_HEADER_SIZE = 100


class Database:
    def __init__(self, url: str, *, new_from_schema: bool = True) -> None:
        """``new_from_schema``: a SQLite file that does not exist yet is made from
        ``schema_head.sql`` (False: by the migrations, as for any other database)."""
        if new_from_schema:
            from hotfix.adapters.store.lite import create_at_head, sqlite_path

            path = sqlite_path(url)
            if path is not None:
                create_at_head(path)
        self.engine = _checked_engine(url)
        try:
            self._migrate()
        except BaseException:
            self.engine.dispose()
            raise

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def writing(self, doing: str) -> Iterator[Connection]:
        """A transaction (SQLite: holding the write lock) that commits when the block ends."""
        with self.errors(doing), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reading(self, doing: str) -> Iterator[Connection]:
        with self.errors(doing), self.engine.connect() as conn:
            yield conn

    def schema_revision(self) -> str | None:
        with self.reading("read the schema revision") as conn:
            stamped = _stamped(conn)
        return stamped[0] if len(stamped) == 1 else None

    def close(self) -> None:
        self.engine.dispose()

    def _migrate(self) -> None:
        """Bring the schema to ``SCHEMA_HEAD``; refuse a schema from a newer hotfix."""
        with self.reading("open the database") as conn:
            stamped = _stamped(conn)
        if stamped == [SCHEMA_HEAD]:
            return
        if stamped:
            self._backup_before_migration(stamped[0])
        with self.writing("open the database") as conn:
            if _stamped(conn) == [SCHEMA_HEAD]:
                return
            _alembic_upgrade(conn, self.safe_url)

    def _backup_before_migration(self, revision: str) -> None:
        """SQLite: a copy at ``backups/hotfix-<revision>-<stamp>.db`` before Alembic runs.
        PostgreSQL: nothing here (docs/lifecycle.md says to run ``hotfix db backup``)."""
        from hotfix.adapters.store.copies import backups_dir, copy_sqlite, sqlite_file, stamp

        path = sqlite_file(self.engine.url.render_as_string(hide_password=False))
        if path is None or revision not in _known_revisions():
            return
        copy_sqlite(path, backups_dir(path) / f"hotfix-{revision}-{stamp()}.db")

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            raise StoreError(
                f"could not {doing} in {self.safe_url}: {exc.orig}",
                hint="check that the database is running and HOTFIX_DATABASE_URL is right",
            ) from None
        except SQLAlchemyError as exc:
            raise StoreError(f"could not {doing} in {self.safe_url}: {exc}") from None


def _checked_engine(url: str) -> Engine:
    """The engine for ``url``; a ``ConfigError`` for a URL hotfix cannot use."""
    try:
        engine = _engine(url)
    except ArgumentError as exc:
        raise ConfigError(f"database.url is not a database URL: {exc}", hint=URL_HINT) from None
    except ImportError as exc:
        raise ConfigError(f"database.url needs the Python module {exc.name!r}, which is not "
                          f"installed ({_scheme(url)})",
                          hint="use postgresql+psycopg://… (pip install 'psycopg[binary]'), "
                          "or leave database.url empty for SQLite in .hotfix/") from None
    refuse_unusable_sqlite(engine.url)
    return engine


def _scheme(url: str) -> str:
    return url.partition(":")[0] + "://…"


def refuse_unusable_sqlite(url: URL) -> None:
    """Refuse a SQLite file that exists but is empty, truncated or not SQLite: opening it
    would silently start an empty record (or fail later, less clearly)."""
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    if not path.is_file():
        return
    with path.open("rb") as f:
        header = f.read(_SQLITE_HEADER_SIZE)
    wal = path.with_name(path.name + "-wal")
    in_wal = wal.is_file() and wal.stat().st_size > 0  # pages the log has not checkpointed
    problem = sqlite_file_problem(header, path.stat().st_size, counted_size=not in_wal)
    if problem:
        raise StoreError(
            f"the database {path} is {problem}; hotfix will not replace it with an empty record",
            hint=f"restore it from a backup, or move it aside to start a fresh record: "
            f"mv {shlex.quote(str(path))} {shlex.quote(str(path) + '.broken')}",
        )


def sqlite_file_problem(header: bytes, size: int, *, counted_size: bool = True) -> str | None:
    """What is wrong with a SQLite file of ``size`` bytes starting with ``header``, if anything.

    ``counted_size``: hold the file to the page count its header records (not while a
    write-ahead log still holds pages)."""
    if size == 0:
        return "empty (0 bytes)"
    if not header.startswith(SQLITE_HEADER) or size < _SQLITE_MIN_SIZE:
        return f"not a SQLite database ({size} bytes)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counted = header[24:28] == header[92:96]  # the page count is valid (SQLite ≥ 3.7.0)
    if counted_size and counted and size < page_size * pages:
        return f"truncated ({size} of {page_size * pages} bytes)"
    return None


def libpq_url(url: str) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL (its query, e.g. options, kept): for
    connections outside SQLAlchemy (LISTEN, the job queue)."""
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_url(root: Path) -> str:
    return f"sqlite:///{root / '.hotfix' / 'hotfix.db'}"


def _stamped(conn: Connection) -> list[str]:
    """The revisions in ``alembic_version`` (none for a new database)."""
    if not inspect(conn).has_table("alembic_version"):
        return []
    return [str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))
            .scalars()]


def _known_revisions() -> set[str]:
    return {p.stem for p in (MIGRATIONS / "versions").glob("*.py")}


def _alembic_upgrade(conn: Connection, where: str) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    known = {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
    unknown = [rev for rev in MigrationContext.configure(conn).get_current_heads()
               if rev not in known]
    if unknown:
        raise SchemaTooNew(
            f"the database {where} was written by a newer hotfix (schema "
            f"{', '.join(unknown)}); this hotfix refuses to touch it",
            hint="upgrade hotfix: pip install -U hotfix",
        )
    command.upgrade(cfg, "head")


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        # WAL: readers never wait for the writer; NORMAL sync is durable in WAL mode
        # across application crashes (a power cut may lose the last commit, never corrupt)
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
