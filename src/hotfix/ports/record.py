"""The record: services change and read hotfixes only through ``Records``, at the level of the
action (plain data in, a ``Hotfix`` or a ``HotfixError`` out), so whoever implements it
decides guards and approvals with its own settings: ``hotfix.services.record.records.
LocalRecords`` over an ``EventLog`` (SQLite, PostgreSQL, or ``hotfix.adapters.store.memory``
for tests), and later a client of the team server. ``Cache`` keeps what is derived from
commits by SHA; ``Waivers`` keeps the audit's waivers that belong to no hotfix."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hotfix.domain.audit.equivalence import Waiver
    from hotfix.domain.record.events import ChainReport, Event
    from hotfix.domain.record.lifecycle import Hotfix
    from hotfix.domain.record.timing import TimeReport
    from hotfix.ports.content import ContentCatalogs
    from hotfix.ports.notify import Outbox, Outgoing


class Records(Protocol):
    """Every hotfix record, changed only by actions that the implementation decides.

    Callers pass what a person asked for; the implementation evaluates the lifecycle, the
    triage rubric and the approval policy with its own settings, so a requester's machine
    never decides its own approvals. A refused action raises ``GuardRefused``, an unknown
    id ``NotFound``, a malformed one ``UsageError``."""

    @property
    def location(self) -> str:
        """Where the record is kept, for people (a database URL without its password)."""
        ...

    def open(self, title: str, actor: str, answers: Mapping[str, Any] | None = None,
             kind: str | None = None) -> Hotfix:
        """Record a new bug; triage it at once when the required answers are given.

        ``kind``: the record kind it is opened as (e.g. ``flag``, which triage never
        re-routes); else the project's until triage decides."""
        ...

    def triage(self, key: str, actor: str, answers: Mapping[str, Any]) -> Hotfix:
        """(Re-)triage with new answers, merged over the answers given before."""
        ...

    def act(self, key: str, action: str, actor: str, payload: Mapping[str, Any],
            override: str | None = None) -> Hotfix:
        """Do ``action`` if the lifecycle allows it, or an approver forces it with the
        ``override`` reason; record it, and return the record as it is after."""
        ...

    def log_time(self, key: str, actor: str, duration: str, note: str = "") -> Hotfix:
        """Log active work (``45m``, ``1h30m``, ``1.5h``; a bare number is minutes)."""
        ...

    def get(self, key: str) -> Hotfix:
        """The record, derived from its events (``.events`` is its timeline)."""
        ...

    def timing(self, key: str) -> TimeReport:
        """Wall time per state and logged work, up to now."""
        ...

    def verify(self, key: str) -> ChainReport:
        """Recompute the record's hash chain against its recorded head."""
        ...

    def list(self, states: Collection[str] | None = None) -> list[Hotfix]:
        """Every record (only those in ``states`` when given), oldest first."""
        ...

    def witness_problems(self, keys: Collection[str] | None = None) -> builtins.list[str]:
        """What the team server's signatures contradict, for ``keys`` (every record when
        None) and the project's index of records. A local record has no server witness:
        its anchors are checked by ``services.record.anchor``."""
        ...


Draft = tuple[str, str, dict[str, Any]]  # (actor, kind, payload) of an event to append


@dataclass(frozen=True)
class Exclusive:
    """Appends to different records that must still run one at a time (the publishes to
    one content zone): ``name`` is locked for the append's transaction (PostgreSQL: an
    advisory transaction lock, per schema; SQLite's write lock and the memory store's lock
    hold the whole log already), and ``check`` sees every record's events, by number, under
    that lock before ``decide`` runs. ``check`` raising writes nothing."""

    name: str
    check: Callable[[dict[int, list[Event]]], None]
# (events before, new events sealed) → the notices they cause, queued with them
Notify = Callable[[list["Event"], list["Event"]], list["Outgoing"]]


class EventLog(Protocol):
    """The rows under a local ``Records``: hash-chained events, appended per hotfix under a
    lock. Services never use it; ``LocalRecords`` decides what to append while it holds
    the lock."""

    @property
    def location(self) -> str: ...

    def create(self, title: str, actor: str, at: datetime, payload: dict[str, Any],
               notify: Notify | None = None) -> Event:
        """A new hotfix (the next number) with its ``open`` event (and the notices
        ``notify`` derives from it, in the same transaction)."""
        ...

    def append(self, number: int, decide: Callable[[list[Event]], list[Draft]],
               at: datetime, notify: Notify | None = None,
               exclusive: Exclusive | None = None) -> list[Event]:
        """Lock the record, let ``decide`` see its events and return new ones (or raise,
        which writes nothing), append them, and return them sealed. ``notify`` sees the
        events before and the new ones, sealed; the notices it returns go to the outbox in
        the same transaction (it raising writes nothing either). ``exclusive``: first lock
        its name and run its check (see ``Exclusive``)."""
        ...

    def events(self, number: int) -> list[Event]: ...

    def head(self, number: int) -> tuple[int, str]:
        """(seq, hash) of the newest event, as the record says: catches removed events."""
        ...

    def all_events(self) -> dict[int, list[Event]]:
        """Every hotfix's events, by number, in order."""
        ...

    def version(self) -> tuple[int, int]:
        """(records, events) written so far: one cheap read that changes with every record
        created and every event appended, committed by any process (what a cache of
        things derived from the events is keyed by)."""
        ...


class EventImport(Protocol):
    """Records moved in whole from another database (``hotfix server import``): numbers,
    events and hashes kept exactly as they were."""

    def import_records(self, records: Mapping[int, Sequence[Event]]) -> None:
        """Keep every record at its number, in one transaction; ``ConflictError`` naming the
        numbers that exist already (nothing is written then)."""
        ...


class Cache(Protocol):
    """Derived data that never changes (facts of a commit, by SHA); safe to delete."""

    def get(self, namespace: str, keys: Iterable[str]) -> dict[str, str]:
        """The values found for ``keys``; keys never put are absent."""
        ...

    def put(self, namespace: str, items: Mapping[str, str]) -> None:
        """Keep ``items``; a key already there keeps its first value."""
        ...

    def replace(self, namespace: str, items: Mapping[str, str]) -> None:
        """Keep ``items``, each in place of what its key held: for what is kept by the
        question it answers, not by a commit (the audit's last walk of some lines)."""
        ...


class Waivers(Protocol):
    """``hotfix audit waive`` decisions that belong to no hotfix."""

    def add(self, waiver: Waiver) -> Waiver:
        """Record ``waiver``; the same again is a no-op, a different one for the same commit
        and line raises ``ConflictError`` (the first decision stands)."""
        ...

    def all(self) -> list[Waiver]:
        """Every waiver, oldest first."""
        ...


class Store(EventLog, Protocol):
    """One database as ``hotfix.wiring`` opens it from ``database.url``."""

    @property
    def cache(self) -> Cache: ...

    @property
    def waivers(self) -> Waivers: ...

    @property
    def outbox(self) -> Outbox:
        """Notices queued with the events that caused them (``hotfix.ports.notify``)."""
        ...

    @property
    def content(self) -> ContentCatalogs: ...

    def close(self) -> None: ...
