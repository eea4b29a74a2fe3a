"""The kinds' data is whole: every name resolves, every target is a declared state."""

from __future__ import annotations

import pytest

from hotfix.domain.record.guards import GUARDS
from hotfix.domain.record.kind_model import FROM_STATE, PROJECT, ROUTED, Kind
from hotfix.domain.record.kinds import (
    ALL_ACTIONS,
    KINDS,
    OVERRIDE_OPTION,
    PROJECT_KINDS,
    kind_for_route,
)
from hotfix.domain.record.outcomes import Seen
from hotfix.domain.record.roles import ROLES
from hotfix.domain.record.states import State
from hotfix.domain.record.triage import ROUTES

ALL = list(KINDS.values())
ids = [k.name for k in ALL]


def kinds_after(kind: Kind, becomes: str | None) -> list[Kind]:
    if becomes is None:
        return [kind]
    if becomes == PROJECT:
        return [KINDS[name] for name in PROJECT_KINDS]
    assert becomes == ROUTED
    return [KINDS[kind_for_route(r, p)] for r in ROUTES for p in PROJECT_KINDS]


@pytest.mark.parametrize("kind", ALL, ids=ids)
def test_every_transition_starts_and_ends_in_declared_states(kind: Kind) -> None:
    assert State.REPORTED in kind.states
    assert State.CLOSED in kind.states
    for t in kind.transitions:
        assert set(t.sources) <= kind.states, t.action
        targets = set(t.outcome.targets()) | ({t.forced} if t.forced else set())
        if t.becomes != ROUTED:  # routed triage: the next test
            for after in kinds_after(kind, t.becomes):
                assert targets <= after.states, (t.action, after.name)


@pytest.mark.parametrize("kind", ALL, ids=ids)
def test_triage_leads_each_route_to_a_state_of_the_kind_it_routes_to(kind: Kind) -> None:
    triage = kind.transition("triage")
    assert triage is not None
    assert triage.clears_approvals
    for project in PROJECT_KINDS:
        for route in ROUTES:
            payload = {"decision": {"route": route}}
            state = triage.outcome.after(State.REPORTED, payload, Seen())
            after = kind_for_route(route, project) if triage.becomes == ROUTED else kind.name
            assert state in KINDS[after].states, (route, project)
        assert triage.outcome.after(State.TRIAGED, {}, Seen()) is State.REPORTED


@pytest.mark.parametrize("kind", ALL, ids=ids)
def test_every_check_is_a_known_guard_and_optional_ones_belong_to_the_kind(kind: Kind) -> None:
    used = {name for t in kind.transitions for name in t.checks}
    assert used - {FROM_STATE} <= set(GUARDS)
    assert kind.optional_guards <= used
    for t in kind.transitions:
        assert t.force_by is None or t.force_by in ROLES
        assert len(set(t.checks)) == len(t.checks)
        assert FROM_STATE in t.checks


def test_guards_are_overridable_only_by_known_roles() -> None:
    for guard in GUARDS.values():
        assert guard.override_by is None or guard.override_by in ROLES


@pytest.mark.parametrize("kind", ALL, ids=ids)
def test_every_state_is_reachable_and_every_open_state_has_a_next_step(kind: Kind) -> None:
    seen, todo = {State.REPORTED}, [State.REPORTED]
    while todo:
        state = todo.pop()
        for t in kind.transitions:
            if state in t.sources and t.becomes != PROJECT:  # triage: routes kept in the kind
                for target in (t.outcome.targets() & kind.states) - seen:
                    seen.add(target)
                    todo.append(target)
    assert kind.states <= seen
    for state in kind.states - {State.CLOSED}:
        assert kind.next_step(state, "HF-1"), (kind.name, state)


def test_one_transition_per_action_and_the_actions_are_all_known() -> None:
    for kind in ALL:
        assert len(kind.actions) == len(set(kind.actions)), kind.name
    assert {a for kind in ALL for a in kind.actions} == ALL_ACTIONS
    assert OVERRIDE_OPTION <= ALL_ACTIONS


@pytest.mark.parametrize(("route", "project", "kind"), [
    ("hotfix", "service", "service"), ("hotfix", "library", "library"),
    ("patch-release", "library", "library"), ("next-release", "service", "service"),
    ("content", "library", "content"), ("rollback", "service", "rollback"),
    (None, "library", "library"),
])
def test_the_route_and_the_project_decide_the_kind(route: str | None, project: str,
                                                   kind: str) -> None:
    assert kind_for_route(route, project) == kind
