"""The hotfix record kept locally: ``LocalRecords``, the ``Records`` port over an event log.

Every change goes through ``act``: under the log's per-record lock it derives the current
state from the events, asks the lifecycle whether the action is allowed, records an
``override`` event first when an approver forces a guard, then the action's own event.
The settings it decides with (``RecordSettings``) are its own, never a caller's: on a team
server they are the server's.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hotfix.domain.record import triage as rubric
from hotfix.domain.record.actors import actor_problem
from hotfix.domain.record.events import ChainReport, Event, verify_chain
from hotfix.domain.record.kinds import KINDS
from hotfix.domain.record.lifecycle import Hotfix, Refusal, decided_kind, derive, forcing, plan
from hotfix.domain.record.lifecycle_settings import (
    LifecycleSettings,
    LifecycleSettingsError,
    lifecycle_settings,
)
from hotfix.domain.record.timing import TimeReport, parse_duration, time_report
from hotfix.errors import ConfigError, GuardRefused, NotFound, UsageError
from hotfix.ports.record import Exclusive

if TYPE_CHECKING:
    from hotfix.config import Config
    from hotfix.ports import Clock, Draft, EventLog, NoticeWriter, Outgoing


@dataclass(frozen=True)
class RecordSettings:
    """What the record decides with: ids, approval policy, the triage rubric."""

    prefix: str
    approvals_required: Mapping[str, int]
    approvers: tuple[str, ...]
    severity_rules: Sequence[Mapping[str, Any]]
    route_rules: Sequence[Mapping[str, Any]]
    templates: Sequence[str]
    lifecycle: LifecycleSettings  # the project's kind, enabled guards, close requirements
    # who approves a content change when not ``approvers`` (a team server's holders of
    # content.approver_roles); None: the approvers
    content_approvers: tuple[str, ...] | None = None

    def approvers_of(self, record: Hotfix) -> tuple[str, ...]:
        """Who may approve ``record`` (empty: anyone but its requester)."""
        if record.kind == "content" and self.content_approvers is not None:
            return self.content_approvers
        return self.approvers

    @classmethod
    def from_config(cls, cfg: Config) -> RecordSettings:
        return cls(prefix=cfg.str("records.prefix"),
                   approvals_required=cfg.table("approvals.required"),
                   approvers=tuple(str(a) for a in cfg.list("approvals.approvers")),
                   severity_rules=cfg.list("triage.severity_rules"),
                   route_rules=cfg.list("triage.route_rules"),
                   templates=cfg.list("content.templates"),
                   lifecycle=_lifecycle(cfg))


def _lifecycle(cfg: Config) -> LifecycleSettings:
    try:
        return lifecycle_settings(cfg.str("project.kind"), cfg.table("close.require"),
                                  cfg.table("guards.enable"), cfg.list("content.templates"))
    except LifecycleSettingsError as exc:
        raise ConfigError(str(exc), hint="see docs/lifecycle.md for the record kinds, their "
                          "guards and close requirements") from None


MAX_NUMBER = 2**31 - 1  # a record number fits every store's integer column


def parse_key(prefix: str, key: str) -> int:
    """``HF-12``, ``hf-12`` or ``12`` → 12: ASCII digits only, at most ``MAX_NUMBER``."""
    match = re.fullmatch(rf"(?:{re.escape(prefix)}-)?([0-9]{{1,10}})", key.strip(),
                         re.IGNORECASE)
    if not match or not 0 < int(match.group(1)) <= MAX_NUMBER:
        raise UsageError(f"{key!r} is not a hotfix id", hint=f"ids look like {prefix}-1 "
                         "(ASCII digits, from 1); see them all: hotfix list")
    return int(match.group(1))


def checked_actor(actor: str) -> str:
    """``actor`` without surrounding blanks; a ``UsageError`` unless it is an email."""
    problem = actor_problem(actor)
    if problem:
        raise UsageError(f"{problem}: who acts is named by an email",
                         hint="pass --as you@example.com, or: git config user.email "
                         "you@example.com")
    return actor.strip()


def format_key(prefix: str, number: int) -> str:
    return f"{prefix}-{number}"


def answers_with(record: Hotfix, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers given at the last triage, with ``answers`` over them."""
    before = record.last("triage") or {}
    return {**dict(before.get("answers", {})), **dict(answers)}


class LocalRecords:
    """``Records`` decided here: the lifecycle and policy evaluated under the log's lock."""

    def __init__(self, log: EventLog, settings: RecordSettings, clock: Clock,
                 notices: NoticeWriter | None = None) -> None:
        self.log = log
        self.settings = settings
        self.clock = clock
        self.notices = notices  # the notices new events cause, queued with them

    @property
    def location(self) -> str:
        return self.log.location

    def open(self, title: str, actor: str, answers: Mapping[str, Any] | None = None,
             kind: str | None = None) -> Hotfix:
        if not title.strip():
            raise UsageError("a hotfix needs a title",
                             hint='hotfix open "Checkout returns 500 …"')
        actor = checked_actor(actor)
        decision = self._decision(answers) if answers else None
        opened = self.log.create(title.strip(), actor, self.clock.now(),
                                 {"title": title.strip(),
                                  "kind": _open_kind(kind, self.settings.lifecycle.project_kind)},
                                 notify=self._notify)
        key = format_key(self.settings.prefix, opened.hotfix)
        if answers:
            return self.act(key, "triage", actor, _triage_payload(answers, decision))
        return self.get(key)

    def triage(self, key: str, actor: str, answers: Mapping[str, Any]) -> Hotfix:
        merged = answers_with(self.get(key), answers)
        return self.act(key, "triage", actor, _triage_payload(merged, self._decision(merged)))

    def act(self, key: str, action: str, actor: str, payload: Mapping[str, Any],
            override: str | None = None,
            among: tuple[str, Callable[[builtins.list[Hotfix]], None]] | None = None,
            ) -> Hotfix:
        """``among``: (a name, a check) for an action that must run one at a time with
        others on different records (a content zone's publishes): under the log's lock on
        the name, the check sees every record as it is then, and raising refuses."""
        number = parse_key(self.settings.prefix, key)
        actor = checked_actor(actor)
        before: list[Event] = []

        def decide(events: list[Event]) -> list[Draft]:
            before[:] = events
            return self._drafts(self._derive(events), action, actor, payload, override)

        exclusive = None
        if among is not None:
            name, check = among
            exclusive = Exclusive(name, lambda every: check(
                [self._derive(evs) for evs in every.values() if evs]))
        try:
            added = self.log.append(number, decide, self.clock.now(), notify=self._notify,
                                    exclusive=exclusive)
        except NotFound:
            raise self._missing(number) from None
        return self._derive([*before, *added])  # what the lock saw, plus ours: no second read

    def log_time(self, key: str, actor: str, duration: str, note: str = "") -> Hotfix:
        try:
            seconds = parse_duration(duration)
        except ValueError as exc:
            raise UsageError(str(exc), hint=f"e.g. hotfix time {key} 1h30m") from None
        return self.act(key, "time", actor, {"seconds": seconds, "person": actor, "note": note})

    def get(self, key: str) -> Hotfix:
        number = parse_key(self.settings.prefix, key)
        try:
            events = self.log.events(number)
        except NotFound:
            raise self._missing(number) from None
        return self._derive(events)

    def timing(self, key: str) -> TimeReport:
        return time_report(self.get(key), self.clock.now())

    def witness_problems(self, keys: Collection[str] | None = None) -> list[str]:
        return []  # the server checks its own signatures: hotfix.services.server

    def verify(self, key: str) -> ChainReport:
        record = self.get(key)
        return verify_chain(list(record.events), self.log.head(record.number))

    def list(self, states: Collection[str] | None = None) -> list[Hotfix]:
        records = [self._derive(evs) for evs in self.log.all_events().values() if evs]
        return [r for r in records if not states or r.state.value in states]

    def _notify(self, before: builtins.list[Event],
                new: builtins.list[Event]) -> builtins.list[Outgoing]:
        """The notices ``new`` cause, from the record as it is after them."""
        if self.notices is None:
            return []
        return self.notices(self._derive([*before, *new]), new)

    def _derive(self, events: builtins.list[Event]) -> Hotfix:
        return derive(format_key(self.settings.prefix, events[0].hotfix), events,
                      self.settings.approvals_required, settings=self.settings.lifecycle)

    def _drafts(self, record: Hotfix, action: str, actor: str, payload: Mapping[str, Any],
                override: str | None) -> builtins.list[Draft]:
        """The events ``action`` writes: itself, after an ``override`` when one is needed."""
        body = _with_kind(record, action, payload)
        refusal = plan(record, action, actor, body, self.settings.approvers_of(record))
        if refusal is None:
            return [(actor, action, body)]
        self._check_override(refusal, actor, override)
        forced = {"action": action, "reason": override, "refused": refusal.message}
        return [(actor, "override", forced), (actor, action, {**body, "override": True})]

    def _check_override(self, refusal: Refusal, actor: str, override: str | None) -> None:
        if override is None:
            raise GuardRefused(refusal.message, hint=refusal.command_hint)
        denied = forcing(refusal, actor, {"approver": self.settings.approvers})
        if denied is not None:
            raise GuardRefused(denied.message, hint=denied.hint)

    def _decision(self, answers: Mapping[str, Any]) -> rubric.Decision | None:
        given = {k: v for k, v in answers.items() if v is not None}
        try:
            rubric.normalise_answers(given)
            if rubric.missing_answers(given):
                return None
            return rubric.decide(given, self.settings.severity_rules,
                                 self.settings.route_rules, self.settings.templates)
        except rubric.RubricError as exc:
            raise UsageError(str(exc),
                             hint="see docs/triage.md for the questions and rubric") from None

    def _missing(self, number: int) -> NotFound:
        return NotFound(f"there is no hotfix {format_key(self.settings.prefix, number)}",
                        hint="see them all: hotfix list")


def _open_kind(kind: str | None, project_kind: str) -> str:
    """The ``open`` event's ``kind``: the one asked for (a known kind), else the project's."""
    if kind is None:
        return project_kind
    if kind not in KINDS:
        raise UsageError(f"{kind!r} is not a record kind", hint="kinds: " + ", ".join(KINDS))
    return kind


def _with_kind(record: Hotfix, action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload``, with the kind the action decides (triage, a fix forward) written in, so
    the record keeps it when ``project.kind`` changes later; a caller never chooses it."""
    body = {k: v for k, v in payload.items() if k != "kind"}
    decided = decided_kind(record, action, body)
    return {**body, "kind": decided} if decided else dict(payload)


def _triage_payload(answers: Mapping[str, Any],
                    decision: rubric.Decision | None) -> dict[str, Any]:
    given = {k: v for k, v in answers.items() if v is not None}
    return {"answers": given, "decision": decision.to_dict() if decision else None,
            "missing": rubric.missing_answers(given)}
