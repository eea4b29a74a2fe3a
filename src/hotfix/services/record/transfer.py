"""Moving a whole record from one database into another (``hotfix server import``):
every event, hash and number kept; a chain that does not verify is refused, as is a
number the target already has (commits carry ``Hotfix-Id: HF-N``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from hotfix.domain.record.events import Event, verify_chain
from hotfix.errors import ChainBroken, UsageError

if TYPE_CHECKING:
    from hotfix.ports import EventImport


def checked(records: Mapping[int, Sequence[Event]]) -> dict[int, list[Event]]:
    """The records, each verified: its events numbered for it, 1, 2, …, chained."""
    out: dict[int, list[Event]] = {}
    for number, events in sorted(records.items()):
        if not events:
            raise UsageError(f"record #{number} has no events", hint="export it again")
        if any(e.hotfix != number for e in events) or [e.seq for e in events] != list(
                range(1, len(events) + 1)) or events[0].kind != "open":
            raise UsageError(f"record #{number}'s events are not its own, numbered from 1 "
                             "and opened first", hint="export it again")
        report = verify_chain(list(events))
        if not report.ok:
            raise ChainBroken(f"record #{number} does not verify at event {report.bad_seq}: "
                              f"{report.problem}; nothing was imported",
                              hint="restore the source from a backup: hotfix db restore")
        out[number] = list(events)
    return out


def import_records(target: EventImport, records: Mapping[int, Sequence[Event]]) -> list[int]:
    """Verify every record, then keep them all at their numbers (or none)."""
    verified = checked(records)
    target.import_records(verified)
    return sorted(verified)
