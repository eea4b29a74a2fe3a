"""The record as derived from its events (``Hotfix``), and why an action is refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotfix.domain.record.actors import signed_in
from hotfix.domain.record.events import Event
from hotfix.domain.record.kinds import KINDS
from hotfix.domain.record.lifecycle_settings import DEFAULT_SETTINGS, LifecycleSettings
from hotfix.domain.record.states import State


@dataclass(frozen=True)
class Hotfix:
    """The record as derived from its events, under the project's lifecycle settings."""

    number: int
    key: str
    title: str
    requester: str
    opened_at: datetime
    state: State
    events: tuple[Event, ...]
    triage: Mapping[str, Any] | None = None
    approvals: tuple[str, ...] = ()
    folded_into_main: bool = False
    state_entered_at: datetime | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[tuple[State, datetime], ...] = ()  # every state entered, and when
    kind: str = "service"
    documentation: Mapping[str, str] = field(default_factory=dict)  # from ``document`` events
    settings: LifecycleSettings = field(default=DEFAULT_SETTINGS, compare=False, repr=False)

    def last(self, kind: str) -> Mapping[str, Any] | None:
        """The payload of the newest event of ``kind``, if any."""
        for event in reversed(self.events):
            if event.kind == kind:
                return event.payload
        return None

    def next_step(self) -> str | None:
        step = KINDS[self.kind].next_step(self.state, self.key)
        return signed_in(step) if step and self.settings.signed_in else step

    @property
    def deployed(self) -> bool:
        """Whether a record of this kind runs in production (a library's never does)."""
        return KINDS[self.kind].deployed

    def missing_documentation(self) -> tuple[str, ...]:
        """The fields this record's kind must have before it closes, still empty."""
        return tuple(f for f in self.settings.required_fields(self.kind)
                     if not self.documentation.get(f, "").strip())

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.key, "title": self.title, "kind": self.kind, "state": self.state.value,
            "requester": self.requester, "opened_at": self.opened_at.isoformat(),
            "severity": self.triage["severity"] if self.triage else None,
            "route": self.triage["route"] if self.triage else None,
            "approvals": list(self.approvals), "next": self.next_step(),
        }


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused now, which checks refused it, and who may force it.

    ``hint``: the next step. ``override_by``: the roles an actor must hold to force it
    (empty: nobody may). ``how_to_force``: set only when the action's command takes
    ``--override`` (``kinds.OVERRIDE_OPTION``), so no hint names an option that is not there.
    """

    message: str
    hint: str | None
    override_by: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    how_to_force: str | None = None

    @property
    def overridable(self) -> bool:
        return bool(self.override_by)

    @property
    def command_hint(self) -> str | None:
        """What a command prints: the next step, and how to force it where it can be."""
        return "; or ".join(h for h in (self.hint, self.how_to_force) if h) or None
