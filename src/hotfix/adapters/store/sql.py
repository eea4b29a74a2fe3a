"""The SQL store: short transactions, one writer per hotfix at a time, migrations on open.

SQLite takes the write lock up front (``BEGIN IMMEDIATE``) and PostgreSQL locks the hotfix's
row (``SELECT … FOR UPDATE``), so two processes appending to one record at once both land,
in order, with the chain intact. Appends to different records that must still run one at a
time (``ports.Exclusive``: one content zone's publishes) also take an advisory transaction
lock on PostgreSQL, and check every record under it. SQLAlchemy Core only: no ORM on the read path.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update

from hotfix.adapters.store.content import SqlContentCatalogs
from hotfix.adapters.store.database import Database
from hotfix.adapters.store.identity import SqlIdentities
from hotfix.adapters.store.outbox import SqlOutbox, queue
from hotfix.adapters.store.published import SqlPublications
from hotfix.adapters.store.rows import (
    EventRow,
    WaiverRow,
    chained,
    iso,
    kept_waiver,
    no_hotfix,
    taken,
)
from hotfix.adapters.store.tables import cache, events, hotfixes, waivers
from hotfix.domain.record.events import Event, verify_chain
from hotfix.domain.record.witness import Witnessed
from hotfix.errors import ChainBroken

if TYPE_CHECKING:
    from hotfix.adapters.store.witness import StoreWitness
    from hotfix.domain.audit.equivalence import Waiver
    from hotfix.ports import Draft, Exclusive, Notify, Signer

_EVENT = [events.c[name] for name in EventRow._fields]
_WAIVER = [waivers.c[name] for name in WaiverRow._fields]
APPENDED = "hotfix_appended"  # the NOTIFY channel: "<schema>:<number>" per append
_CHUNK = 500  # keys per IN (…): well under every database's limit on bound parameters


class SqlStore:
    """The events of every hotfix (an ``EventLog``), with the cache and waivers beside."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.cache = SqlCache(self.db)
        self.waivers = SqlWaivers(self.db)
        self.identities = SqlIdentities(self.db)
        self.outbox = SqlOutbox(self.db)
        self.content = SqlContentCatalogs(self.db)
        self.published = SqlPublications(self.db)
        self.signing: StoreWitness | None = None  # the team server's witness, once enabled

    @property
    def engine(self) -> Engine:
        return self.db.engine

    @property
    def location(self) -> str:
        return self.db.safe_url

    @property
    def location_url(self) -> str:
        """The database's URL, password included: for another connection to it (the job
        queue, LISTEN)."""
        return self.db.engine.url.render_as_string(hide_password=False)

    def schema_revision(self) -> str | None:
        return self.db.schema_revision()

    def close(self) -> None:
        self.db.close()

    def create(self, title: str, actor: str, at: datetime, payload: dict[str, Any],
               notify: Notify | None = None) -> Event:
        with self.db.writing("create a hotfix") as conn:
            number = conn.execute(
                insert(hotfixes).values(title=title, requester=actor, opened_at=iso(at),
                                        head_seq=0, head_hash="")
                .returning(hotfixes.c.number)
            ).scalar_one()
            (opened,) = _append(conn, number, [], [(actor, "open", payload)], at, notify)
            if self.signing is not None:
                self.signing.signed_create(conn, number, [opened])
            return opened

    def append(self, number: int, decide: Callable[[list[Event]], list[Draft]],
               at: datetime, notify: Notify | None = None,
               exclusive: Exclusive | None = None) -> list[Event]:
        """Lock the record, let ``decide`` see its events and return new ones, append them
        with the notices ``notify`` derives from them, in one transaction; with
        ``exclusive``, its name is locked first and its check sees every record."""
        with self.db.writing("record an event") as conn:
            if exclusive is not None:
                _lock_name(conn, exclusive.name)
                exclusive.check(_all_events(conn))
            _lock(conn, number)
            before = _events(conn, number)
            new = _append(conn, number, before, decide(before), at, notify)
            if new and self.signing is not None:
                self.signing.signed_append(conn, number, new[-1])
            return new

    def events(self, number: int) -> list[Event]:
        with self.db.reading("read events") as conn:
            _lock(conn, number)
            return _events(conn, number)

    def head(self, number: int) -> tuple[int, str]:
        with self.db.reading("read events") as conn:
            row = conn.execute(select(hotfixes.c.head_seq, hotfixes.c.head_hash)
                               .where(hotfixes.c.number == number)).one_or_none()
        if row is None:
            raise no_hotfix(number)
        return int(row[0]), str(row[1])

    def all_events(self) -> dict[int, list[Event]]:
        with self.db.reading("read events") as conn:
            return _all_events(conn)

    def version(self) -> tuple[int, int]:
        """(records, events): every append raises a record's ``head_seq``, so the sum moves
        with each committed event, whichever order the transactions commit in."""
        with self.db.reading("read the record's version") as conn:
            count, total = conn.execute(select(func.count(), func.coalesce(
                func.sum(hotfixes.c.head_seq), 0)).select_from(hotfixes)).one()
        return int(count), int(total)


    def import_records(self, records: Mapping[int, Sequence[Event]]) -> None:
        """Every record at its own number, its rows exactly as they were, in one
        transaction; PostgreSQL's number sequence moves past the largest."""
        with self.db.writing("import records") as conn:
            clash = set(conn.execute(select(hotfixes.c.number).where(
                hotfixes.c.number.in_(list(records)))).scalars())
            if clash:
                raise taken(clash)
            for number, evs in sorted(records.items()):
                opened, last = evs[0], evs[-1]
                conn.execute(insert(hotfixes).values(
                    number=number, title=str(opened.payload.get("title", "")),
                    requester=opened.actor, opened_at=iso(opened.at), head_seq=last.seq,
                    head_hash=last.hash))
                conn.execute(insert(events), [EventRow.of(e)._asdict() for e in evs])
                if self.signing is not None:
                    self.signing.signed_create(conn, number, evs)
            if conn.dialect.name == "postgresql" and records:
                conn.execute(text("SELECT setval(pg_get_serial_sequence('hotfixes', 'number'), "
                                  "(SELECT max(number) FROM hotfixes))"))

    def witness(self, signer: Signer, project: str) -> int:
        """Sign every head from now on (``ports.WitnessedLog``); index and sign the records
        written before, oldest first, refusing one whose chain does not verify."""
        from hotfix.adapters.store.witness import StoreWitness, indexed

        signing = StoreWitness(signer, project)
        with self.db.writing("witness the records") as conn:
            signing.start(conn)
            seen = indexed(conn)
            numbers = [n for n in conn.execute(select(hotfixes.c.number)
                                               .order_by(hotfixes.c.number)).scalars()
                       if n not in seen]
            for number in numbers:
                evs = _events(conn, number)
                head = conn.execute(select(hotfixes.c.head_seq, hotfixes.c.head_hash)
                                    .where(hotfixes.c.number == number)).one()
                chain = verify_chain(evs, (int(head[0]), str(head[1])))
                if not evs or not chain.ok:
                    raise ChainBroken(
                        f"HF-{number} cannot be witnessed: {chain.problem or 'it has no events'}",
                        hint="restore the database from a backup (hotfix db restore) before "
                             "the server signs it; docs/security.md")
                signing.signed_create(conn, number, evs)
        self.signing = signing
        return len(numbers)

    def witnessed(self, only: Collection[int] | None = None) -> Witnessed:
        from hotfix.adapters.store.witness import read

        with self.db.reading("read the server's signatures") as conn:
            return read(conn, only)


class SqlCache:
    """The ``cache`` table: derived data by namespace and key; the first value put stays."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, namespace: str, keys: Iterable[str]) -> dict[str, str]:
        with self.db.reading("read the cache") as conn:
            return dict(_cached(conn, namespace, list(keys)))

    def put(self, namespace: str, items: Mapping[str, str]) -> None:
        if not items:
            return
        with self.db.writing("write the cache") as conn:
            have = {key for key, _ in _cached(conn, namespace, list(items))}
            fresh = [{"namespace": namespace, "key": k, "value": v}
                     for k, v in items.items() if k not in have]
            if fresh:
                conn.execute(insert(cache), fresh)

    def replace(self, namespace: str, items: Mapping[str, str]) -> None:
        if not items:
            return
        with self.db.writing("write the cache") as conn:
            keys = list(items)
            for start in range(0, len(keys), _CHUNK):
                conn.execute(delete(cache).where(cache.c.namespace == namespace,
                                                 cache.c.key.in_(keys[start:start + _CHUNK])))
            conn.execute(insert(cache), [{"namespace": namespace, "key": k, "value": v}
                                         for k, v in items.items()])


class SqlWaivers:
    """The ``waivers`` table (``hotfix audit waive`` without a hotfix)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, waiver: Waiver) -> Waiver:
        """Record ``waiver``; the same one again is a no-op, a different one for the same
        commit and line is refused (decisions are not overwritten)."""
        with self.db.writing("record a waiver") as conn:
            row = conn.execute(select(*_WAIVER).where(
                waivers.c.sha == waiver.sha, waivers.c.line == waiver.line)).one_or_none()
            if row is None:
                conn.execute(insert(waivers).values(WaiverRow.of(waiver)._asdict()))
                return waiver
        return kept_waiver(WaiverRow(*row), waiver)

    def all(self) -> list[Waiver]:
        with self.db.reading("read waivers") as conn:
            rows = conn.execute(select(*_WAIVER).order_by(waivers.c.id)).all()
        return [WaiverRow(*row).to_waiver() for row in rows]


def _lock(conn: Connection, number: int) -> None:
    query = select(hotfixes.c.number).where(hotfixes.c.number == number)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    if conn.execute(query).scalar_one_or_none() is None:
        raise no_hotfix(number)


def _lock_name(conn: Connection, name: str) -> None:
    """PostgreSQL: an advisory lock on ``name`` in this schema, until the transaction ends.
    SQLite: nothing more, the transaction already holds the database's write lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended("
                          "current_schema() || ':' || :name, 0))"), {"name": name})


def _all_events(conn: Connection) -> dict[int, list[Event]]:
    out: dict[int, list[Event]] = {
        n: [] for n in conn.execute(select(hotfixes.c.number)
                                    .order_by(hotfixes.c.number)).scalars()}
    for row in conn.execute(select(*_EVENT).order_by(events.c.hotfix, events.c.seq)):
        out.setdefault(row.hotfix, []).append(EventRow(*row).to_event())
    return out


def _events(conn: Connection, number: int) -> list[Event]:
    rows = conn.execute(select(*_EVENT).where(events.c.hotfix == number)
                        .order_by(events.c.seq)).all()
    return [EventRow(*row).to_event() for row in rows]


def _append(conn: Connection, number: int, before: list[Event], drafts: Iterable[Draft],
            at: datetime, notify: Notify | None) -> list[Event]:
    new = chained(number, before, drafts, at)
    if new:
        conn.execute(insert(events), [EventRow.of(e)._asdict() for e in new])
        conn.execute(update(hotfixes).where(hotfixes.c.number == number)
                     .values(head_seq=new[-1].seq, head_hash=new[-1].hash))
        if notify is not None:
            queue(conn, number, notify(before, new), at)
        if conn.dialect.name == "postgresql":  # told to every replica's LISTEN on commit
            conn.execute(text(f"SELECT pg_notify('{APPENDED}', current_schema() || ':' || "
                              ":number)"), {"number": str(number)})
    return new


def _cached(conn: Connection, namespace: str, keys: list[str]) -> Iterator[tuple[str, str]]:
    for start in range(0, len(keys), _CHUNK):
        rows = conn.execute(select(cache.c.key, cache.c.value).where(
            cache.c.namespace == namespace, cache.c.key.in_(keys[start:start + _CHUNK])))
        yield from ((str(k), str(v)) for k, v in rows)
