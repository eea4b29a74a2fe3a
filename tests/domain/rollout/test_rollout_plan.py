"""Rollout plans and the controller's next move."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.rollout.plan import DEFAULT_STEPS, PlanError, Position, next_move, parse_plan

PLAN = parse_plan([
    {"weight": 5, "min_requests": 10, "bake_seconds": 30},
    {"weight": 50, "min_requests": 20, "bake_seconds": 60, "gate": True},
    {"weight": 100},
], max_wait_seconds=100)


def test_default_plan_is_valid() -> None:
    plan = parse_plan(DEFAULT_STEPS)
    assert plan.weights == [5, 25, 50, 100]
    assert plan.describe() == "5% → 25% → 50% → 100%"


@pytest.mark.parametrize(("steps", "message"), [
    ([{"weight": 100}], "at least one judged step"),
    ([{"weight": 50}, {"weight": 25}, {"weight": 100}], "step 2: weights must increase"),
    ([{"weight": 5}, {"weight": 50}], "step 2: the last step must be weight 100"),
    ([{"weight": 5, "gate": True}, {"weight": 100}], "step 1: cannot be gated"),
    ([{"weight": 0}, {"weight": 100}], "step 1: weight must be in (0, 100]"),
    ([{"weight": 5, "bake": 3}, {"weight": 100}], "step 1: unknown key 'bake'"),
    ([{"weight": "5"}, {"weight": 100}], "step 1: weight must be a number"),
    ([{"weight": 5, "min_requests": 1.5}, {"weight": 100}], "step 1: min_requests must be"),
    ([{"weight": 5, "gate": "yes"}, {"weight": 100}], "step 1: gate must be true or false"),
    (["5%", {"weight": 100}], "step 1: must be a table"),
])
def test_bad_plans_name_the_step(steps: list[object], message: str) -> None:
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_plan(steps)  # type: ignore[arg-type]


def at(step: int = 0, canary: int = 0, baseline: int = 0, started: float = 0.0,
       gates: frozenset[int] = frozenset()) -> Position:
    return Position(step, started, canary, baseline, canary, gates)


def test_no_traffic_holds_then_gives_up_but_never_promotes() -> None:
    move = next_move(PLAN, at(), "promote", now=50)
    assert (move.action, move.reason) == ("hold", "no traffic to the canary at this step: waiting")
    assert next_move(PLAN, at(), "promote", now=130).action == "inconclusive"
    assert next_move(PLAN, at(canary=5), "continue", now=10).reason == "no traffic to the " \
        "baseline at this step: waiting"


def test_a_step_needs_its_exposure_and_its_bake_time() -> None:
    assert next_move(PLAN, at(canary=9, baseline=90), "continue", 40).reason == \
        "waiting for traffic: 9/10 canary requests at this step"
    assert next_move(PLAN, at(canary=10, baseline=90), "continue", 29).reason == "baking: 29/30 s"
    assert next_move(PLAN, at(canary=10, baseline=90), "continue", 30).action == "gate"


def test_gate_then_advance_once_approved() -> None:
    move = next_move(PLAN, at(canary=10, baseline=90, gates=frozenset({1})), "continue", 30)
    assert (move.action, move.step) == ("advance", 1)


def test_promotion_needs_the_judge() -> None:
    ready = at(step=1, canary=20, baseline=20, started=0)
    assert next_move(PLAN, ready, "continue", 60).action == "hold"
    assert next_move(PLAN, ready, "continue", 160).action == "inconclusive"
    assert next_move(PLAN, ready, "promote", 60).action == "promote"


def test_rollback_wins_at_any_time() -> None:
    assert next_move(PLAN, at(), "rollback", 0).action == "rollback"


def test_position_round_trips() -> None:
    pos = at(1, 5, 6, 7.5, frozenset({1})).observed(2, 3)
    assert Position.from_dict(pos.to_dict()) == pos
    assert pos.entered(0, 9.0).canary_at_step == 0


@given(st.integers(0, 1), st.integers(0, 10_000), st.integers(0, 10_000),
       st.floats(0, 10_000), st.sampled_from(["continue", "promote", "inconclusive"]))
def test_never_promotes_without_canary_and_baseline_traffic(
        step: int, canary: int, baseline: int, now: float, decision: str) -> None:
    move = next_move(PLAN, at(step, canary, baseline, gates=frozenset({1})), decision, now)
    if move.action == "promote":
        assert canary >= PLAN.steps[step].min_requests > 0
        assert baseline > 0
        assert decision == "promote"
        assert now >= PLAN.steps[step].bake_seconds
    if canary == 0 or baseline == 0:
        assert move.action in ("hold", "inconclusive")
