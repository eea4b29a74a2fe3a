"""Changing flags through ``Records``, so they work against the local record and the team
server alike, and every change is an event with who and why, decided by the lifecycle of
the ``flag`` kind (triage, approval, then ``set``; ``kill``, forced by an approver with
``--override`` as the audited emergency bypass)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotfix.domain.flags.model import Flag, FlagError, check_key, parse_flag
from hotfix.domain.record.hotfix import Hotfix
from hotfix.domain.record.states import State
from hotfix.errors import ConflictError, NotFound, UsageError
from hotfix.ports.record import Records
from hotfix.services.flags.catalog import PROPOSED, FlagState, catalog

FINISHED = frozenset({State.KILLED, State.CLOSED, State.REJECTED, State.COMPLETED})
KILLABLE = frozenset({State.SET, State.ROLLING_OUT, State.COMPLETED})


def flags(records: Records) -> dict[str, FlagState]:
    return catalog(records.list())


def one(records: Records, key: str) -> FlagState:
    found = flags(records).get(key)
    if found is None:
        raise NotFound(f"there is no flag {key!r}",
                       hint=f"create it: hotfix flags create {key} --type boolean")
    return found


def checked(definition: Mapping[str, Any]) -> Flag:
    try:
        return parse_flag(definition)
    except FlagError as exc:
        raise UsageError(str(exc), hint="see docs/flags.md for a flag's definition") from None


def propose(records: Records, actor: str, definition: Mapping[str, Any], reason: str,
            answers: Mapping[str, Any] | None = None) -> Hotfix:
    """Open a ``flag`` record proposing ``definition`` (a new flag, or a change to one whose
    record is finished)."""
    flag = checked(definition)
    existing = flags(records).get(flag.key)
    if existing and existing.record_state not in FINISHED:
        raise ConflictError(f"flag {flag.key!r} already has an open record, "
                            f"{existing.record} ({existing.record_state})",
                            hint=f"change it there: hotfix flags set {flag.key} …")
    if not reason.strip():
        raise UsageError("say why: a flag change records its reason",
                         hint=f'hotfix flags create {flag.key} --reason "…"')
    opened = records.open(f"flag {flag.key}: {reason.strip()}", actor, answers, kind="flag")
    return records.act(opened.key, PROPOSED, actor,
                       {"flag": flag.key, "definition": flag.to_dict(), "reason": reason})


def set_flag(records: Records, actor: str, key: str, changes: Mapping[str, Any],
             reason: str) -> Hotfix:
    """Serve the flag's definition with ``changes`` applied (``set`` on its open record)."""
    try:
        state = one(records, check_key(key))
    except FlagError as exc:
        raise UsageError(str(exc)) from None
    if not reason.strip():
        raise UsageError("say why: a flag change records its reason",
                         hint=f'hotfix flags set {key} … --reason "…"')
    definition = {**newest_definition(state), **changes, "key": key, "killed": False}
    flag = checked(definition)
    record = _open_record(state)
    return records.act(record, "set", actor,
                       {"flag": key, "definition": flag.to_dict(), "reason": reason})


def newest_definition(state: FlagState) -> dict[str, Any]:
    """The definition most recently proposed or set: what a change starts from."""
    return next(dict(c.definition) for c in reversed(state.history) if c.definition)


def kill(records: Records, actor: str, key: str, reason: str,
         override: str | None = None) -> Hotfix:
    """Turn the kill switch on: every evaluation serves the off variant (DISABLED)."""
    state = one(records, key)
    if not reason.strip():
        raise UsageError("say why the flag is killed", hint=f'hotfix flags kill {key} '
                         '--reason "checkout errors at 3 %"')
    if state.served is not None and state.served.killed:
        raise ConflictError(f"flag {key!r} is killed already ({state.record})",
                            hint=f"bring it back with a new record: hotfix flags create {key}")
    record = state.record
    if state.served_by is not None and state.served_by[1] in KILLABLE:
        record = state.served_by[0]  # the record serving it, even with a newer proposal open
    assert record is not None
    return records.act(record, "kill", actor, {"flag": key, "reason": reason}, override)


def check_change(action: str, payload: Mapping[str, Any]) -> None:
    """Refuse a flag change whose definition is not a flag's (the server calls this before
    any ``flag_proposed`` or ``set`` is written, whoever sends it)."""
    if action not in (PROPOSED, "set", "deploy_step") or "definition" not in payload:
        return
    flag = checked(payload["definition"])
    if payload.get("flag") != flag.key:
        raise UsageError(f"the change names flag {payload.get('flag')!r} but defines "
                         f"{flag.key!r}")


def _open_record(state: FlagState) -> str:
    if state.record is None or state.record_state in FINISHED:
        raise ConflictError(f"flag {state.key!r}'s record {state.record} is "
                            f"{state.record_state}: a new change needs a new record",
                            hint=f'hotfix flags create {state.key} --reason "…"')
    return state.record
