"""The SQL store: short transactions, one writer per hotfix at a time, migrations on open.

SQLite takes the write lock up front (``BEGIN IMMEDIATE``) and PostgreSQL locks the hotfix's
row (``SELECT … FOR UPDATE``), so two processes appending to one record at once both land,
in order, with the chain intact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from hotfix.adapters.store.tables import SCHEMA_HEAD, CacheRow, EventRow, HotfixRow, WaiverRow
from hotfix.domain.equivalence import Waiver
from hotfix.domain.events import GENESIS, Event, canonical_json, sealed
from hotfix.errors import ConflictError, NotFound, SchemaTooNew, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
Draft = tuple[str, str, dict[str, Any]]  # (actor, kind, payload)


class SqlStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        try:
            self._migrate()
        except BaseException:
            self.engine.dispose()
            raise

    # -- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Bring the schema to ``SCHEMA_HEAD``; refuse a schema from a newer hotfix.

        The common case, a database already at head, is one query and no Alembic import."""
        with self._errors("open the database"), self.engine.begin() as conn:
            if _stamped(conn) == [SCHEMA_HEAD]:
                return
            _alembic_upgrade(conn, self.safe_url)

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            stamped = _stamped(conn)
        return stamped[0] if len(stamped) == 1 else None

    # -- records --------------------------------------------------------------------------
    def create(self, title: str, actor: str, at: datetime, payload: dict[str, Any]) -> Event:
        with self._errors("create a hotfix"), self.engine.begin() as conn:
            number = conn.execute(
                insert(HotfixRow).values(title=title, requester=actor, opened_at=_iso(at),
                                         head_seq=0, head_hash="").returning(HotfixRow.number)
            ).scalar_one()
            (opened,) = self._append(conn, number, [], [(actor, "open", payload)], at)
            return opened

    def append(self, number: int, decide: Callable[[list[Event]], list[Draft]],
               at: datetime) -> list[Event]:
        """Lock the record, let ``decide`` see its events and return new ones, append them."""
        with self._errors("record an event"), self.engine.begin() as conn:
            self._lock(conn, number)
            events = self._events(conn, number)
            return self._append(conn, number, events, decide(events), at)

    def _lock(self, conn: Connection, number: int) -> None:
        query = select(HotfixRow.number).where(HotfixRow.number == number)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        if conn.execute(query).scalar_one_or_none() is None:
            raise NotFound(f"no hotfix number {number}", hint="see them all: hotfix list")

    def _append(self, conn: Connection, number: int, events: list[Event],
                drafts: Iterable[Draft], at: datetime) -> list[Event]:
        prev = events[-1].hash if events else GENESIS
        seq = len(events)
        new: list[Event] = []
        for actor, kind, payload in drafts:
            seq += 1
            ev = sealed(hotfix=number, seq=seq, at=at, actor=actor, kind=kind,
                        payload=json.loads(canonical_json(payload)), prev_hash=prev)
            conn.execute(insert(EventRow).values(
                hotfix=number, seq=seq, at=_iso(at), actor=actor, kind=kind,
                payload=canonical_json(ev.payload), prev_hash=prev, hash=ev.hash))
            prev = ev.hash
            new.append(ev)
        if new:
            conn.execute(update(HotfixRow).where(HotfixRow.number == number)
                         .values(head_seq=seq, head_hash=prev))
        return new

    def events(self, number: int) -> list[Event]:
        with self._errors("read events"), self.engine.connect() as conn:
            self._lock(conn, number)
            return self._events(conn, number)

    def _events(self, conn: Connection, number: int) -> list[Event]:
        rows = conn.execute(select(EventRow).where(EventRow.hotfix == number)
                            .order_by(EventRow.seq)).all()
        return [_event(row) for row in rows]

    def head(self, number: int) -> tuple[int, str]:
        with self.engine.connect() as conn:
            row = conn.execute(select(HotfixRow.head_seq, HotfixRow.head_hash)
                               .where(HotfixRow.number == number)).one_or_none()
        if row is None:
            raise NotFound(f"no hotfix number {number}", hint="see them all: hotfix list")
        return int(row[0]), str(row[1])

    def all_events(self) -> dict[int, list[Event]]:
        with self._errors("read events"), self.engine.connect() as conn:
            out: dict[int, list[Event]] = {
                n: [] for n in conn.execute(select(HotfixRow.number)
                                            .order_by(HotfixRow.number)).scalars()}
            rows = conn.execute(select(EventRow).order_by(EventRow.hotfix, EventRow.seq))
            for row in rows:
                out.setdefault(row.hotfix, []).append(_event(row))
            return out

    # -- cache ----------------------------------------------------------------------------
    def cache_get(self, namespace: str, keys: Iterable[str]) -> dict[str, str]:
        wanted = list(keys)
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                rows = conn.execute(select(CacheRow.key, CacheRow.value).where(
                    CacheRow.namespace == namespace, CacheRow.key.in_(chunk)))
                found.update({str(k): str(v) for k, v in rows})
        return found

    def cache_put(self, namespace: str, items: Mapping[str, str]) -> None:
        if not items:
            return
        with self._errors("write the cache"), self.engine.begin() as conn:
            have = set(self._cache_keys(conn, namespace, list(items)))
            fresh = [{"namespace": namespace, "key": k, "value": v}
                     for k, v in items.items() if k not in have]
            if fresh:
                conn.execute(insert(CacheRow), fresh)

    def _cache_keys(self, conn: Connection, namespace: str, keys: list[str]) -> Iterator[str]:
        for start in range(0, len(keys), 500):
            yield from conn.execute(select(CacheRow.key).where(
                CacheRow.namespace == namespace, CacheRow.key.in_(keys[start:start + 500]))
            ).scalars()

    # -- waivers (hotfix audit waive) --------------------------------------------------------
    def add_waiver(self, waiver: Waiver) -> Waiver:
        """Record ``waiver``; the same one again is a no-op, a different one for the same
        commit and line is refused (decisions are not overwritten)."""
        with self._errors("record a waiver"), self.engine.begin() as conn:
            row = conn.execute(select(WaiverRow).where(
                WaiverRow.sha == waiver.sha, WaiverRow.line == waiver.line)).one_or_none()
            if row is None:
                conn.execute(insert(WaiverRow).values(
                    sha=waiver.sha, line=waiver.line, reason=waiver.reason,
                    actor=waiver.actor, at=_iso(waiver.at)))
                return waiver
        existing = _waiver(row)
        if existing.reason != waiver.reason:
            raise ConflictError(
                f"{waiver.sha[:12]} is already waived on line {waiver.line} by "
                f"{existing.actor} at {row.at}: {existing.reason}",
                hint="the first decision stands; see it with `hotfix audit --json`")
        return existing

    def waivers(self) -> list[Waiver]:
        with self._errors("read waivers"), self.engine.connect() as conn:
            rows = conn.execute(select(WaiverRow).order_by(WaiverRow.id)).all()
        return [_waiver(row) for row in rows]

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            raise StoreError(
                f"could not {doing} in {self.safe_url}: {exc.orig}",
                hint="check that the database is running and HOTFIX_DATABASE_URL is right",
            ) from None
        except SQLAlchemyError as exc:
            raise StoreError(f"could not {doing} in {self.safe_url}: {exc}") from None


def _stamped(conn: Connection) -> list[str]:
    """The revisions in ``alembic_version`` (none for a new database)."""
    if not inspect(conn).has_table("alembic_version"):
        return []
    return [str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))
            .scalars()]


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
    return create_engine(url, pool_pre_ping=True)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def _waiver(row: Any) -> Waiver:
    return Waiver(sha=row.sha, line=row.line, reason=row.reason, actor=row.actor,
                  at=datetime.fromisoformat(row.at))


def _event(row: Any) -> Event:
    return Event(hotfix=row.hotfix, seq=row.seq, at=datetime.fromisoformat(row.at),
                 actor=row.actor, kind=row.kind, payload=json.loads(row.payload),
                 prev_hash=row.prev_hash, hash=row.hash)


def sqlite_url(root: Path) -> str:
    return f"sqlite:///{root / '.hotfix' / 'hotfix.db'}"
