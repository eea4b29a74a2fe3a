"""The team server's witness: every record's head signed, and a signed running head over the
records of a project, so a record rewritten or deleted in the server's database is seen.

The server holds an Ed25519 key outside its database. Each time a record's chain grows it
signs ``(project, HF-N, seq, hash)`` of the new head, in the same transaction. Each time a
record is created it extends the project's running hash ``R_p = SHA-256(R_{p-1}, HF-N,
hash of its first event)`` — under the lock that assigns record numbers — and signs
``(project, p, R_p)``. Someone who can write the database but not read the key can then
neither re-hash a record (its signed head no longer matches), nor append to it behind the
server's back (events after the signed head), nor delete one (the index names it, or no
longer matches the signed running head). What it cannot see is in docs/security.md.

This module is pure: it renders what is signed and compares what the database holds with
what was signed; ``verify`` is the server's key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hotfix.domain.record.events import Event

GENESIS = "0" * 64
FORMAT = "hotfix-witness 1"

Verify = Callable[[bytes, str, str], bool]  # (message, signature, key id) → it verifies


@dataclass(frozen=True)
class SignedHead:
    number: int
    seq: int
    hash: str
    signature: str
    key_id: str


@dataclass(frozen=True)
class IndexEntry:
    position: int  # 1, 2, … in the order records were created
    number: int
    opened_hash: str  # the hash of the record's first event
    running_hash: str  # R_position


@dataclass(frozen=True)
class RunningHead:
    count: int
    hash: str
    signature: str
    key_id: str


@dataclass(frozen=True)
class Witnessed:
    """What the server's database holds of its own signatures."""

    heads: Mapping[int, SignedHead]
    index: Sequence[IndexEntry]
    running: RunningHead | None
    present: frozenset[int] = frozenset()  # the numbers of the records the database holds
    whole: bool = True  # every record's head and index entry, not only some records'

    @property
    def count(self) -> int:
        return self.running.count if self.running else 0


def head_message(project: str, number: int, seq: int, digest: str) -> bytes:
    return f"{FORMAT}\nproject {project}\nrecord HF-{number}\nseq {seq}\nhash {digest}\n".encode()


def running_message(project: str, count: int, digest: str) -> bytes:
    return f"{FORMAT}\nproject {project}\nrecords {count}\nrunning {digest}\n".encode()


def next_running(previous: str, number: int, opened_hash: str) -> str:
    return hashlib.sha256(f"{previous}\nHF-{number}\n{opened_hash}".encode()).hexdigest()


def record_problems(project: str, number: int, events: Sequence[Event],
                    head: SignedHead | None, indexed: bool, verify: Verify) -> list[str]:
    """What is wrong with one record against the server's signature of its head."""
    key = f"HF-{number}"
    if head is None:
        return [f"{key} has no server signature: its signed head was removed"] if indexed else [
            f"{key} is not witnessed by the server: it was written into the database "
            "behind the server's back"]
    if not verify(head_message(project, number, head.seq, head.hash), head.signature,
                  head.key_id):
        return [f"the server's signature of {key}'s head does not verify with its key: "
                "the signed head was altered"]
    if head.seq > len(events):
        return [f"{key} lost events: the server signed event {head.seq}, the database holds "
                f"{len(events)}"]
    signed = events[head.seq - 1]
    if signed.seq != head.seq or signed.hash != head.hash:
        return [f"{key} was re-hashed after the server signed event {head.seq}: event "
                f"{head.seq} ({signed.kind}) is not the one signed"]
    if len(events) > head.seq:
        return [f"{key} has {len(events) - head.seq} event(s) after the last one the server "
                f"signed (event {head.seq}): written behind the server's back"]
    return []


def project_problems(project: str, records: Mapping[int, Sequence[Event]],
                     witnessed: Witnessed, verify: Verify) -> dict[int | None, list[str]]:
    """The findings on the project's index (key None), on every record it names that the
    database no longer holds, and on each of ``records`` (number → its events) in depth.

    The index is walked from its first record only when ``witnessed`` holds all of it; of a
    part (one record's page), the running head's signature and the part's entries are
    checked, so a read of one record costs the same however many the project holds."""
    found: dict[int | None, list[str]] = {}
    indexed = {e.number: e for e in witnessed.index}
    found.update(_index_problems(project, witnessed, verify))
    for number, entry in sorted(indexed.items()):
        if number not in witnessed.present:
            found.setdefault(number, []).append(
                f"HF-{number} is missing: the server signed it as record {entry.position} of "
                f"{witnessed.count}")
    for number, events in sorted(records.items()):
        bad = record_problems(project, number, events, witnessed.heads.get(number),
                              number in indexed, verify)
        known = indexed.get(number)
        if not bad and known is not None and events and events[0].hash != known.opened_hash:
            bad = [f"HF-{number}'s first event is not the one the server indexed"]
        if bad:
            found.setdefault(number, []).extend(bad)
    return found


def _index_problems(project: str, witnessed: Witnessed,
                    verify: Verify) -> dict[int | None, list[str]]:
    running, index = witnessed.running, list(witnessed.index)
    if running is None:
        return {None: ["the server's signed running head was removed"]} if index else {}
    if not verify(running_message(project, running.count, running.hash), running.signature,
                  running.key_id):
        return {None: ["the server's signature of the running head does not verify with its "
                       "key: the running head was altered"]}
    if not witnessed.whole:
        beyond = [e for e in index if not 1 <= e.position <= running.count]
        return {None: [f"the index of records was altered at HF-{beyond[0].number}: the "
                       f"server signed {running.count} record(s)"]} if beyond else {}
    digest = GENESIS
    for position, entry in enumerate(sorted(index, key=lambda e: e.position), start=1):
        digest = next_running(digest, entry.number, entry.opened_hash)
        if entry.position != position or entry.running_hash != digest:
            return {None: [f"the index of records was altered at record {position} "
                           f"(HF-{entry.number}): a record was removed from it or changed"]}
    if len(index) != running.count or digest != running.hash:
        return {None: [f"the server signed {running.count} record(s) but its index lists "
                       f"{len(index)}: a record was removed from it"]}
    return {}
