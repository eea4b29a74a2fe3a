"""The lifecycle engine: a record derived from its events, and whether an action may happen.

The data it reads is elsewhere, each in one place:

    states.py             every state of every kind
    kinds.py              the record kinds: states, transitions, checks, next steps
    kind_model.py         the shape of a kind and of a transition
    outcomes.py           outcome rules (which state an allowed action leads to)
    guards.py             the named guards: rule, who may override, the check
    roles.py              roles by name, and who holds them
    lifecycle_settings.py what a project configures (project.kind, close.require, ...)
    documentation.py      documentation fields (close.require, ``hotfix document``)
    hotfix.py             the derived record (Hotfix) and a refusal

The current state is never stored: ``derive`` folds the events through the transitions of
the record's kind. The kind is the ``open`` event's, else the project's; then what each
triage (or a rollback's fix forward) decides, written on its event as ``kind``. ``plan``
runs a transition's checks in their declared order; a refusal names what is wrong, the next
step that exists for the kind, and who may force it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotfix.domain.record.actors import person
from hotfix.domain.record.events import Event
from hotfix.domain.record.guards import GUARDS, Attempt
from hotfix.domain.record.hotfix import Hotfix, Refusal
from hotfix.domain.record.kind_model import FROM_STATE, PROJECT, Kind, Transition
from hotfix.domain.record.kinds import (
    ALL_ACTIONS,
    KINDS,
    OVERRIDE_OPTION,
    PROJECT_KINDS,
    kind_for_route,
)
from hotfix.domain.record.lifecycle_settings import DEFAULT_SETTINGS, LifecycleSettings
from hotfix.domain.record.outcomes import Seen
from hotfix.domain.record.roles import Members, holds, override_hint, role
from hotfix.domain.record.states import State

__all__ = ["Hotfix", "Refusal", "State", "decided_kind", "derive", "forcing", "pinned_approvals",
           "plan"]


def derive(key: str, events: Sequence[Event], approvals_needed: Mapping[str, int], *,
           settings: LifecycleSettings = DEFAULT_SETTINGS) -> Hotfix:
    """Fold the events into the current record."""
    fold = _Fold.opened(events[0], settings)
    for event in events[1:]:
        fold.apply(event, approvals_needed)
    return fold.record(key, events)


@dataclass
class _Fold:
    settings: LifecycleSettings
    kind: str
    state: State
    entered: datetime
    history: list[tuple[State, datetime]]
    triage: Mapping[str, Any] | None = None
    approvals: list[str] = field(default_factory=list)
    pinned: int | None = None  # the approvals the last draft needs (content.approvals)
    folded: bool = False
    facts: dict[str, Any] = field(default_factory=dict)
    documentation: dict[str, str] = field(default_factory=dict)

    @classmethod
    def opened(cls, event: Event, settings: LifecycleSettings) -> _Fold:
        named = str(event.payload.get("kind") or "")
        # none written: from before kinds existed; an unknown one: read as the project's
        fallback = settings.project_kind if named else WRITTEN_BEFORE_KINDS
        kind = named if named in KINDS else fallback
        return cls(settings, kind, State.REPORTED, event.at, [(State.REPORTED, event.at)])

    def apply(self, event: Event, needed: Mapping[str, int]) -> None:
        transition = KINDS[self.kind].transition(event.kind)
        folded = self.folded  # as it was before this event
        self._keep(event, transition)
        if transition is None:
            return  # a note, or an action this kind does not have: the state stays
        seen = Seen(folded, _enough(self.triage, self.approvals, needed, self.pinned))
        new = _target(transition, self.state, event.payload, seen)
        self.kind = self._kind_after(transition, event.payload)
        if new != self.state:
            self.state, self.entered = new, event.at
            self.history.append((new, event.at))

    def _keep(self, event: Event, transition: Transition | None) -> None:
        """What the record remembers besides its state."""
        p = event.payload
        if event.kind == "triage":
            self.triage = p.get("decision") or None
        elif event.kind == "approve":
            self.approvals.append(event.actor)
        elif event.kind == "draft":
            self.pinned = pinned_approvals(p)
        elif event.kind == "backport" and p.get("main_ported"):
            self.folded = True
        elif event.kind == "document" and isinstance(p.get("fields"), Mapping):
            self.documentation.update({str(k): str(v) for k, v in p["fields"].items()})
        if transition is not None and transition.clears_approvals:
            self.approvals = []
        self.facts.update(p.get("facts", {}))

    def _kind_after(self, transition: Transition, p: Mapping[str, Any]) -> str:
        recorded = p.get("kind")  # the project kind the event was decided under, if written
        fallback = self.settings.project_kind if recorded else WRITTEN_BEFORE_KINDS
        project = recorded if recorded in PROJECT_KINDS else fallback
        return _becomes(transition, p, self.kind, str(project))

    def record(self, key: str, events: Sequence[Event]) -> Hotfix:
        opened = events[0]
        return Hotfix(
            number=opened.hotfix, key=key, title=str(opened.payload["title"]),
            requester=opened.actor, opened_at=opened.at, state=self.state, events=tuple(events),
            triage=self.triage, approvals=tuple(self.approvals), folded_into_main=self.folded,
            state_entered_at=self.entered, facts=self.facts, history=tuple(self.history),
            kind=self.kind, documentation=self.documentation, settings=self.settings,
        )


# Events with no ``kind`` were written before record kinds existed, when every record was a
# code hotfix to a service: they stay that, whatever ``project.kind`` says now.
WRITTEN_BEFORE_KINDS = "service"


def _becomes(transition: Transition, p: Mapping[str, Any], kind: str, project: str) -> str:
    """The kind a record of ``kind`` continues as after ``transition``, in a project of kind
    ``project``: the same, the project's (a rollback's fix forward), or by triage's route."""
    if transition.becomes is None:
        return kind
    if transition.becomes == PROJECT:
        return project
    decision = p.get("decision")
    route = decision.get("route") if isinstance(decision, Mapping) else None
    return kind_for_route(route, project)


def decided_kind(record: Hotfix, action: str, payload: Mapping[str, Any]) -> str | None:
    """The kind ``action`` decides for ``record`` now (triage, a rollback's fix forward), or
    None when it decides none.

    The record writes it on the action's event (``kind``), so a later change of
    ``project.kind`` does not re-read the record as another kind; an event without it (one
    written before kinds were recorded) is read under the project's kind as it is then.
    """
    transition = KINDS[record.kind].transition(action)
    if transition is None or transition.becomes is None:
        return None
    return _becomes(transition, payload, record.kind, record.settings.project_kind)


def _target(transition: Transition, state: State, p: Mapping[str, Any], seen: Seen) -> State:
    if p.get("override") and transition.forced is not None:
        return transition.forced
    return transition.outcome.after(state, p, seen)


def _enough(triage: Mapping[str, Any] | None, approvals: list[str],
            needed: Mapping[str, int], pinned: int | None = None) -> bool:
    """The distinct approvers are as many as the draft pinned (a content change), else as
    its severity needs."""
    severity = triage["severity"] if triage else "SEV4"
    count = pinned if pinned is not None else int(needed.get(severity, 1))
    return len({person(a) for a in approvals}) >= count


def pinned_approvals(draft: Mapping[str, Any] | None) -> int | None:
    """The approvals a draft pinned (``approvals_required``, written when it was drafted
    from ``content.approvals``); None: a draft written before, decided by severity."""
    value = draft.get("approvals_required") if draft else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 \
        else None


def plan(record: Hotfix, action: str, actor: str, payload: Mapping[str, Any],
         approvers: Sequence[str]) -> Refusal | None:
    """None when ``actor`` may do ``action`` now; otherwise why not, and who may force it."""
    if record.state is State.CLOSED:
        return Refusal(f"{record.key} is closed; nothing more can be done to it",
                       f"open a new hotfix: hotfix open \"…\" (and mention {record.key})")
    kind = KINDS[record.kind]
    transition = kind.transition(action)
    if transition is None:
        return _not_of_kind(record, kind, action) if action in ALL_ACTIONS else None
    attempt = Attempt(record, action, actor, payload, approvers)
    found = [r for name in transition.checks if (r := _check(name, kind, transition, attempt))]
    return _worst(found, action)


def _check(name: str, kind: Kind, transition: Transition, a: Attempt) -> Refusal | None:
    if name == FROM_STATE:
        return _from_state(a.record, transition)
    if name in kind.optional_guards and not a.record.settings.guard_on(kind.name, name):
        return None
    guard = GUARDS[name]
    blocked = guard.check(a)
    if blocked is None:
        return None
    roles = (guard.override_by,) if guard.override_by else ()
    return Refusal(blocked.message, blocked.hint, roles, (name,))


def _from_state(record: Hotfix, transition: Transition) -> Refusal | None:
    if record.state in transition.sources:
        return None
    return Refusal(
        f"cannot {transition.action} {record.key}: it is {record.state.value} "
        f"(allowed from: {', '.join(s.value for s in transition.sources)})",
        _next_hint(record), (transition.force_by,) if transition.force_by else (), (FROM_STATE,))


def _not_of_kind(record: Hotfix, kind: Kind, action: str) -> Refusal:
    return Refusal(f"cannot {action} {record.key}: it is a {kind.name} record, which has no "
                   f"{action} step ({kind.summary})", _next_hint(record))


def _worst(found: list[Refusal], action: str) -> Refusal | None:
    """A refusal nobody may force wins; else the first, forced only by all the roles named."""
    if not found:
        return None
    hard = next((r for r in found if not r.overridable), None)
    if hard is not None:
        return hard
    first = found[0]
    roles = tuple(dict.fromkeys(name for r in found for name in r.override_by))
    guards = tuple(name for r in found for name in r.guards)
    how = override_hint(roles) if action in OVERRIDE_OPTION else None
    return Refusal(first.message, first.hint, roles, guards, how)


def _next_hint(record: Hotfix) -> str | None:
    step = record.next_step()
    return f"next step: {step}" if step else None


def forcing(refusal: Refusal, actor: str, members: Members) -> Refusal | None:
    """None when ``actor`` may force ``refusal`` (holds every role it names); else why not."""
    if not refusal.overridable:
        return refusal
    for name in refusal.override_by:
        if not holds(members, name, actor):
            found = role(name)
            return Refusal(f"{actor} cannot override: only {found.plural} can", found.where)
    return None
