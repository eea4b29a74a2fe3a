"""Outcome rules: which state an allowed action leads to, declared as data.

A transition names one rule. ``after`` reads the current state, the event's payload and what
the fold has seen so far; ``targets`` lists every state the rule can lead to (besides
staying), so a test can check that a kind declares all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hotfix.domain.record.states import State


@dataclass(frozen=True)
class Seen:
    """What the fold knows besides the state when it applies an event."""

    folded: bool = False  # the mainline has the fix
    approved: bool = False  # the approvals the severity needs are in, this event included


class Outcome(Protocol):
    def after(self, state: State, payload: Mapping[str, Any], seen: Seen) -> State: ...

    def targets(self) -> frozenset[State]: ...


@dataclass(frozen=True)
class To:
    """Always this state."""

    state: State

    def after(self, state: State, payload: Mapping[str, Any], seen: Seen) -> State:
        return self.state

    def targets(self) -> frozenset[State]:
        return frozenset({self.state})


@dataclass(frozen=True)
class Stay:
    """The state does not change (a step inside a state, e.g. one canary step)."""

    def after(self, state: State, payload: Mapping[str, Any], seen: Seen) -> State:
        return state

    def targets(self) -> frozenset[State]:
        return frozenset()


@dataclass(frozen=True)
class IfSet:
    """``yes`` when the payload's ``field`` is true, else ``no`` (None: stay).

    ``folded``: the state instead of ``yes`` when the mainline already has the fix.
    ``only_from``: ``yes`` only from these states (empty: from any).
    """

    field: str
    yes: State
    no: State | None = None
    folded: State | None = None
    only_from: tuple[State, ...] = ()

    def after(self, state: State, payload: Mapping[str, Any], seen: Seen) -> State:
        if not payload.get(self.field) or (self.only_from and state not in self.only_from):
            return self.no or state
        return self.folded if self.folded is not None and seen.folded else self.yes

    def targets(self) -> frozenset[State]:
        return frozenset(s for s in (self.yes, self.no, self.folded) if s is not None)


@dataclass(frozen=True)
class OnApproval:
    """``yes`` once the approvals needed are in, from one of ``when_in``; else stay."""

    yes: State
    when_in: tuple[State, ...]

    def after(self, state: State, payload: Mapping[str, Any], seen: Seen) -> State:
        return self.yes if seen.approved and state in self.when_in else state

    def targets(self) -> frozenset[State]:
        return frozenset({self.yes})


@dataclass(frozen=True)
class ByRoute:
    """Triage: the state the decision's route leads to; no decision (answers missing):
    ``undecided``."""

    routes: tuple[tuple[str, State], ...]
    default: State = State.TRIAGED
    undecided: State = State.REPORTED

    def after(self, state: State, payload: Mapping[str, Any], seen: Seen) -> State:
        decision = payload.get("decision")
        if not decision:
            return self.undecided
        return dict(self.routes).get(str(decision.get("route")), self.default)

    def targets(self) -> frozenset[State]:
        return frozenset({self.default, self.undecided, *(s for _, s in self.routes)})
