"""Properties: no sequence of actions leaves a kind's states; the service kind is today's.

``legacy_lifecycle`` is the lifecycle as the current release has it (one state machine),
frozen: the migration guarantee is that every record it could write reads the same now.
"""

from __future__ import annotations

from itertools import product
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix.domain.record.kinds import ALL_ACTIONS, BACKOUT_PLAN, KINDS, OVERRIDE_OPTION
from hotfix.domain.record.lifecycle import forcing, plan
from hotfix.domain.record.lifecycle_settings import DEFAULT_SETTINGS, LifecycleSettings
from hotfix.domain.record.states import State
from hotfix.domain.record.triage import ROUTES
from tests.domain.record import legacy_lifecycle as legacy
from tests.domain.record.timelines import APPROVERS, OTHER, REQUESTER, TEMPLATES, Timeline, decision

FAST = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
ACTORS = st.sampled_from([REQUESTER, *APPROVERS, "stranger@x"])
PAYLOADS = st.fixed_dictionaries({}, optional={
    "passed": st.booleans(), "done": st.booleans(), "main_ported": st.booleans(),
    "commit": st.sampled_from(["a", "b"]),
    "decision": st.one_of(st.none(), st.builds(decision, st.sampled_from(ROUTES),
                                               st.sampled_from(["SEV1", "SEV2", "SEV4"]))),
    "template": st.sampled_from(["banner-text", "checkout-button", ""]),
    "fields": st.dictionaries(st.sampled_from(["root_cause", "follow_up"]),
                              st.sampled_from(["", "x"]), max_size=2),
    "mainline": st.just("main"),
    "kind": st.sampled_from([*KINDS, "gadget"]),  # as written on triage and start events
})
STEPS = st.lists(st.tuples(ACTORS, st.sampled_from(sorted(ALL_ACTIONS | {"note", "document"})),
                           PAYLOADS, st.booleans()), min_size=5, max_size=40)
LIFECYCLES = st.builds(
    LifecycleSettings, st.sampled_from(["service", "library"]),
    st.sampled_from([{}, {"service": ("root_cause",), "content": ("follow_up",)}]),
    st.sampled_from([{}, {"service": frozenset({BACKOUT_PLAN})}]), st.just(TEMPLATES))


def declared(t: Timeline) -> bool:
    rec = t.record
    return rec.state in KINDS[rec.kind].states and {s for s, _ in rec.history} <= {
        s for kind in KINDS.values() for s in kind.states}


@FAST
@given(LIFECYCLES, st.sampled_from([None, *KINDS]), STEPS, st.dictionaries(
    st.sampled_from(["SEV1", "SEV2"]), st.integers(0, 2)))
def test_no_sequence_of_actions_reaches_a_state_its_kind_does_not_declare(
        lifecycle: LifecycleSettings, kind: str | None,
        steps: list[tuple[str, str, dict[str, Any], bool]], needed: dict[str, int]) -> None:
    t = Timeline(kind, lifecycle, needed)
    for actor, action, payload, force in steps:
        apply(t, actor, action, payload, force)
        assert declared(t), (action, t.record.kind, t.record.state)


def apply(t: Timeline, actor: str, action: str, payload: dict[str, Any], force: bool) -> None:
    """As ``services.record.act``: the action if allowed, forced if the actor may force it."""
    refusal = t.refusal(actor, action, payload)
    if refusal is None:
        t.add(actor, action, payload)
    elif force and forcing(refusal, actor, {"approver": APPROVERS}) is None:
        t.add(actor, "override", {"action": action, "refused": refusal.message})
        t.add(actor, action, {**payload, "override": True})


EXPLORED_PAYLOADS: list[dict[str, Any]] = [
    {}, {"passed": True, "commit": "a"}, {"done": True}, {"main_ported": True},
    {"template": "banner-text"}, {"decision": None},
    *({"decision": decision(route)} for route in ROUTES),
]


def test_every_action_from_every_reachable_kind_and_state_stays_declared() -> None:
    """Exhaustive over the graph: each (kind, state) reached, every action, forced or not."""
    starts = [(LifecycleSettings("library", approved_templates=TEMPLATES), None),
              *((LifecycleSettings(approved_templates=TEMPLATES), kind)
                for kind in [None, *KINDS])]
    actions = sorted(ALL_ACTIONS)
    for lifecycle, kind in starts:
        frontier = [Timeline(kind, lifecycle)]
        seen = {(frontier[0].record.kind, frontier[0].record.state)}
        while frontier:
            here = frontier.pop()
            for action, payload, force in product(actions, EXPLORED_PAYLOADS, (False, True)):
                t = here.copy()
                apply(t, OTHER, action, payload, force)  # an approver, not the requester
                assert declared(t), (action, payload, t.record.kind, t.record.state)
                if (t.record.kind, t.record.state) not in seen:
                    seen.add((t.record.kind, t.record.state))
                    frontier.append(t)
        if kind is None:
            reached = {name for name, _ in seen}
            assert reached >= {lifecycle.project_kind, "content", "rollback"}


@FAST
@given(LIFECYCLES, st.sampled_from([None, *KINDS]), STEPS)
def test_nor_does_any_stored_sequence_of_events_plan_or_not(
        lifecycle: LifecycleSettings, kind: str | None,
        steps: list[tuple[str, str, dict[str, Any], bool]]) -> None:
    t = Timeline(kind, lifecycle)
    for actor, action, payload, force in steps:
        t.add(actor, action, {**payload, "override": True} if force else payload)
        assert t.record.state in KINDS[t.record.kind].states


# -- the service kind is today's lifecycle ------------------------------------------------

SERVICE_ROUTES = ["hotfix", "patch-release", "next-release"]
LEGACY_ACTIONS = sorted([*legacy.ALLOWED_FROM, "note"])


def legacy_steps(routes: list[str]) -> st.SearchStrategy[list[tuple[str, str, Any, bool]]]:
    payloads = st.fixed_dictionaries({}, optional={
        "passed": st.booleans(), "main_ported": st.booleans(),
        "commit": st.sampled_from(["a", "b"]),
        "decision": st.one_of(st.none(), st.builds(decision, st.sampled_from(routes),
                                                   st.sampled_from(["SEV1", "SEV2"]))),
    })
    return st.lists(st.tuples(ACTORS, st.sampled_from(LEGACY_ACTIONS), payloads,
                              st.booleans()), max_size=30)


def legacy_act(t: Timeline, actor: str, action: str, payload: dict[str, Any],
               force: bool) -> legacy.Refusal | None:
    """What today's ``act`` does: plan, or force when an approver overrides."""
    before = legacy.derive("HF-1", t.events, t.needed)
    refusal = legacy.plan(before, action, actor, payload, APPROVERS)
    if refusal is None:
        t.add(actor, action, payload)
    elif force and refusal.overridable and actor in APPROVERS:
        t.add(actor, "override", {"action": action, "refused": refusal.message})
        t.add(actor, action, {**payload, "override": True})
    return refusal


def without_content(message: str) -> str:
    """Today's lists of allowed states name ``content``, which no service record reaches."""
    return message.replace(", content", "")


@FAST
@given(legacy_steps(SERVICE_ROUTES), st.sampled_from([{"SEV1": 1}, {"SEV1": 2, "SEV2": 0}]))
def test_the_service_kind_plans_and_derives_as_today(
        steps: list[tuple[str, str, dict[str, Any], bool]], needed: dict[str, int]) -> None:
    t = Timeline(settings=DEFAULT_SETTINGS, needed=needed)
    for actor, action, payload, force in steps:
        now = plan(t.record, action, actor, payload, APPROVERS)
        was = legacy_act(t, actor, action, payload, force and action != "triage")
        assert (now is None) == (was is None), action
        if now is not None and was is not None:
            assert now.message == without_content(was.message)
            assert (now.hint, now.overridable) == (was.hint, was.overridable)
            suffix = "; or an approver forces it: add --override \"why\" --as APPROVER"
            today = (was.hint or "") + suffix if was.overridable else was.hint
            assert now.command_hint == (today if action in OVERRIDE_OPTION else was.hint)
        same_record(t)


def same_record(t: Timeline) -> None:
    now, was = t.record, legacy.derive("HF-1", t.events, t.needed)
    assert now.kind == "service"
    assert (now.state.value, now.approvals, now.folded_into_main, now.facts) == (
        was.state.value, was.approvals, was.folded_into_main, was.facts)
    assert [(s.value, at) for s, at in now.history] == [(s.value, at) for s, at in was.history]
    assert now.next_step() == was.next_step()


@FAST
@given(legacy_steps(list(ROUTES)))
def test_every_record_today_s_release_could_write_reads_the_same(
        steps: list[tuple[str, str, dict[str, Any], bool]]) -> None:
    """Content and roll-back-first records too; today's CLI overrides only ``close``."""
    t = Timeline(settings=DEFAULT_SETTINGS)
    for actor, action, payload, force in steps:
        legacy_act(t, actor, action, payload, force and action == "close")
        now, was = t.record, legacy.derive("HF-1", t.events, t.needed)
        assert [(s.value, at) for s, at in now.history] == [
            (s.value, at) for s, at in was.history]
        assert now.approvals == was.approvals


def test_the_service_table_is_today_s_table() -> None:
    service = KINDS["service"]
    content = legacy.State.CONTENT.value
    assert {t.action: [s.value for s in t.sources] for t in service.transitions} == {
        a: [s.value for s in states if s.value != content]
        for a, states in legacy.ALLOWED_FROM.items()}
    forced = {t.action: t.forced.value if t.forced else None for t in service.transitions}
    assert forced == {a: s.value for a, s in legacy.CANONICAL_TARGET.items()} | {
        "triage": None}  # a forced triage goes where its route leads (docs/lifecycle.md)
    assert {s.value: service.next_step(s, "{key}") for s in service.states - {State.CLOSED}} \
        == {s.value: step for s, step in legacy.NEXT_STEP.items() if s.value != content}


def test_a_roll_back_first_record_that_went_straight_to_work_reads_as_today() -> None:
    t = Timeline()
    t.add(REQUESTER, "triage", {"decision": decision("rollback")})
    t.add(OTHER, "approve", {})
    t.add(REQUESTER, "start", {})
    was = legacy.derive("HF-1", t.events, t.needed)
    assert was.state is legacy.State.IN_PROGRESS
    assert t.record.state is State.IN_PROGRESS
    assert t.record.kind == "service"  # a rollback record that went to work fixed forward
