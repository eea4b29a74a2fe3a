"""The team server's signatures in the record's database (``ports.WitnessedLog``'s half).

``SqlStore`` calls ``signed_create`` and ``signed_append`` inside the transactions that
write a record, so a head is never written unsigned; ``read`` gives ``domain.record.witness``
what it checks. The running head's row is locked (PostgreSQL ``FOR UPDATE``; SQLite's write
lock is the whole database) so concurrent creations extend the index one at a time."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Connection, insert, select, update

from hotfix.adapters.store.tables import hotfixes, record_index, running_head, signed_heads
from hotfix.domain.record.events import Event
from hotfix.domain.record.witness import (
    GENESIS,
    IndexEntry,
    RunningHead,
    SignedHead,
    Witnessed,
    head_message,
    next_running,
    running_message,
)
from hotfix.ports.witness import Signer


class StoreWitness:
    def __init__(self, signer: Signer, project: str) -> None:
        self.signer, self.project = signer, project

    def signed_append(self, conn: Connection, number: int, last: Event) -> None:
        """Sign ``number``'s new head (its newest event ``last``)."""
        row = {"seq": last.seq, "hash": last.hash, "key_id": self.signer.key_id,
               "signature": self.signer.sign(head_message(self.project, number, last.seq,
                                                          last.hash))}
        done = conn.execute(update(signed_heads).where(signed_heads.c.hotfix == number)
                            .values(**row))
        if done.rowcount == 0:
            conn.execute(insert(signed_heads).values(hotfix=number, **row))

    def start(self, conn: Connection) -> None:
        """The running head's row, signed over no records, if there is none yet: creations
        then only ever update (and lock) that one row."""
        if conn.execute(select(running_head.c.id)).first() is None:
            conn.execute(insert(running_head).values(
                id=1, count=0, hash=GENESIS, key_id=self.signer.key_id,
                signature=self.signer.sign(running_message(self.project, 0, GENESIS))))

    def signed_create(self, conn: Connection, number: int, events: Sequence[Event]) -> None:
        """Index the new record ``number`` and sign the running head and its head (after
        ``start``)."""
        query = select(running_head.c.count, running_head.c.hash).where(running_head.c.id == 1)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        top = conn.execute(query).one()
        count, previous = int(top[0]), str(top[1])
        digest = next_running(previous, number, events[0].hash)
        conn.execute(insert(record_index).values(position=count + 1, hotfix=number,
                                                 opened_hash=events[0].hash,
                                                 running_hash=digest))
        row = {"count": count + 1, "hash": digest, "key_id": self.signer.key_id,
               "signature": self.signer.sign(running_message(self.project, count + 1, digest))}
        conn.execute(update(running_head).where(running_head.c.id == 1).values(**row))
        self.signed_append(conn, number, events[-1])


def indexed(conn: Connection) -> set[int]:
    return {int(n) for n in conn.execute(select(record_index.c.hotfix)).scalars()}


def read(conn: Connection, only: Collection[int] | None = None) -> Witnessed:
    """What the database holds of the server's signatures: of every record, or of the records
    numbered ``only`` (their heads and index entries; the running head always)."""
    chosen_heads, chosen_index, chosen = select(signed_heads), select(record_index), select(
        hotfixes.c.number)
    if only is not None:
        numbers = sorted(set(only))
        chosen_heads = chosen_heads.where(signed_heads.c.hotfix.in_(numbers))
        chosen_index = chosen_index.where(record_index.c.hotfix.in_(numbers))
        chosen = chosen.where(hotfixes.c.number.in_(numbers))
    heads = {int(r.hotfix): SignedHead(int(r.hotfix), int(r.seq), str(r.hash),
                                       str(r.signature), str(r.key_id))
             for r in conn.execute(chosen_heads)}
    index = [IndexEntry(int(r.position), int(r.hotfix), str(r.opened_hash),
                        str(r.running_hash))
             for r in conn.execute(chosen_index.order_by(record_index.c.position))]
    top = conn.execute(select(running_head).where(running_head.c.id == 1)).one_or_none()
    running = None if top is None else RunningHead(int(top[1]), str(top[2]), str(top[3]),
                                                   str(top[4]))
    present = frozenset(int(n) for n in conn.execute(chosen).scalars())
    return Witnessed(heads, index, running, present, whole=only is None)
