"""Every flag's current definition, derived from the events of the ``flag`` records.

A flag record (kind ``flag``) opens with a ``flag_proposed`` event naming the flag and the
definition asked for; once approved, each ``set`` event carries the whole definition then
served (so does each ``deploy_step`` of a flag rollout that moves the split), and ``kill``
turns the kill switch on. A flag's state is its newest ``set`` over all
its records, killed by any later ``kill``: there is no second source of truth. A flag that
is only proposed is not served (OFREP answers FLAG_NOT_FOUND)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from hotfix.domain.flags.model import Flag, FlagError, parse_flag
from hotfix.domain.record.hotfix import Hotfix
from hotfix.domain.record.states import State

PROPOSED = "flag_proposed"
SERVES = frozenset({"set", "deploy_step"})  # a rollout's step serves its split's definition
CHANGES = frozenset({PROPOSED, *SERVES, "kill"})


@dataclass(frozen=True)
class Change:
    """One event that changed a flag: who, why, when, on which record."""

    at: datetime
    record: str
    action: str
    actor: str
    reason: str
    definition: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "record": self.record, "action": self.action,
                "actor": self.actor, "reason": self.reason}


@dataclass
class FlagState:
    key: str
    served: Flag | None = None                     # None while only proposed
    proposed: Flag | None = None
    record: str | None = None                      # the newest record about this flag
    record_state: State | None = None
    served_by: tuple[str, State] | None = None     # the record whose ``set`` is served
    history: list[Change] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.served is None:
            return "proposed"
        if self.served.killed:
            return "killed"
        return "split" if self.served.split else "on"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "status": self.status, "record": self.record,
                "record_state": self.record_state.value if self.record_state else None,
                "served": self.served.to_dict() if self.served else None,
                "proposed": self.proposed.to_dict() if self.proposed else None,
                "history": [c.to_dict() for c in self.history]}


def flag_of(record: Hotfix) -> str | None:
    """The flag a ``flag`` record is about: its first proposal names it."""
    if record.kind != "flag":
        return None
    proposal = next((e.payload for e in record.events if e.kind == PROPOSED), None)
    return str(proposal["flag"]) if proposal and "flag" in proposal else None


def _definition(event: Any, key: str) -> Flag | None:
    """The flag an event defines, if it is a valid definition of ``key`` (the server checks
    every one before it is written; a record from elsewhere may hold anything)."""
    try:
        flag = parse_flag(event.payload.get("definition"))
    except FlagError:
        return None
    return flag if flag.key == key else None


def catalog(records: Iterable[Hotfix]) -> dict[str, FlagState]:
    """Every flag proposed on ``records``, by key, with what is served now."""
    changes: list[tuple[datetime, int, int, str, Hotfix, Any]] = []
    for record in records:
        key = flag_of(record)
        if key is None:
            continue
        for event in record.events:
            if event.kind in CHANGES and event.payload.get("flag") == key:
                changes.append((event.at, record.number, event.seq, key, record, event))
    flags: dict[str, FlagState] = {}
    for at, _, _, key, record, event in sorted(changes, key=lambda c: c[:3]):
        state = flags.setdefault(key, FlagState(key))
        definition = event.payload.get("definition")
        flag = _definition(event, key) if event.kind != "kill" else None
        if event.kind != "kill" and flag is None:
            continue  # not a definition of this flag: nothing changes
        if event.kind == PROPOSED:
            state.proposed = flag
        elif event.kind in SERVES:
            state.served, state.served_by = flag, (record.key, record.state)
        elif state.served is not None:  # kill
            state.served = replace(state.served, killed=True)
        state.record, state.record_state = record.key, record.state
        state.history.append(Change(at, record.key, event.kind, event.actor,
                                    str(event.payload.get("reason") or ""), definition))
    return flags
