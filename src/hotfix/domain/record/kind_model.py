"""The shape of a record kind: its states, its transitions and their checks, as data.

The declarations are in ``hotfix.domain.record.kinds``; ``hotfix.domain.record.lifecycle``
is the engine that reads them (``derive`` folds events through the transitions, ``plan``
runs the checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hotfix.domain.record.outcomes import Outcome
from hotfix.domain.record.states import State

FROM_STATE = "from-state"  # the check that the record is in one of the transition's sources
APPROVER = "approver"  # the role that may force a refused check today (docs/lifecycle.md)
ROUTED = "routed"  # ``becomes``: the kind triage's route decides (kinds.kind_for_route)
PROJECT = "project"  # ``becomes``: the project's own kind (project.kind: service or library)


@dataclass(frozen=True)
class Transition:
    """One action of a kind.

    ``sources``: the states it is allowed from. ``outcome``: the state it leads to.
    ``forced``: where it leads when an override forces it, from any state (None: where
    ``outcome`` says, as when allowed).
    ``checks``: guard names run in this order by ``plan``; ``from-state`` is the
    ``sources`` rule itself, which ``force_by`` may override (None: nobody may).
    ``becomes``: the kind the record continues as after this action (None: the same).
    """

    action: str
    sources: tuple[State, ...]
    outcome: Outcome
    forced: State | None
    checks: tuple[str, ...] = (FROM_STATE,)
    force_by: str | None = APPROVER
    becomes: str | None = None
    clears_approvals: bool = False


@dataclass(frozen=True)
class Kind:
    """A record kind: what a record of it goes through, from report to close.

    ``summary`` says in one line what the kind is (refusals quote it). ``optional_guards``
    are attached to transitions but checked only where the project switches them on
    (``guards.enable``). ``close_exempt``: closing from these states needs no documentation.
    ``deployed``: a record of this kind runs in production, so ``verify`` checks production
    (smoke checks and the bug's own check); False (a library): only the bug's own check,
    against what was published.
    """

    name: str
    summary: str
    states: frozenset[State]
    transitions: tuple[Transition, ...]
    next_steps: Mapping[State, str] = field(default_factory=dict)
    optional_guards: frozenset[str] = frozenset()
    close_exempt: tuple[State, ...] = (State.REJECTED,)
    deployed: bool = True

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(t.action for t in self.transitions)

    def next_step(self, state: State, key: str) -> str | None:
        template = self.next_steps.get(state)
        return template.format(key=key) if template else None
