"""Flag evaluation: kill switch, rules, the sticky split, defaults, reasons, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotfix.domain.flags.evaluate import evaluate
from hotfix.domain.flags.model import FlagError, parse_flag
from hotfix.domain.flags.split import assign

BOOL = {"key": "new-checkout", "type": "boolean", "variants": {"on": True, "off": False},
        "default": "off"}


def flag(**changes: Any) -> Any:
    return parse_flag({**BOOL, **changes})


def rollout(percentage: int) -> Any:
    return flag(split=[["on", percentage], ["off", 100 - percentage]])


def test_a_flag_with_no_rules_is_static() -> None:
    result = evaluate(flag(), {})
    assert (result.value, result.variant, result.reason) == (False, "off", "STATIC")


@pytest.mark.parametrize(("rule", "context", "matched"), [
    ({"attribute": "plan", "op": "equals", "value": "pro"}, {"plan": "pro"}, True),
    ({"attribute": "plan", "op": "equals", "value": "pro"}, {"plan": "free"}, False),
    ({"attribute": "plan", "op": "equals", "value": 1}, {"plan": True}, False),
    ({"attribute": "country", "op": "in", "value": ["DE", "FR"]}, {"country": "FR"}, True),
    ({"attribute": "country", "op": "in", "value": ["DE", "FR"]}, {"country": "US"}, False),
    ({"attribute": "app", "op": "semver_ge", "value": "2.10.0"}, {"app": "2.9.9"}, False),
    ({"attribute": "app", "op": "semver_ge", "value": "2.10.0"}, {"app": "2.10.0"}, True),
    ({"attribute": "app", "op": "semver_gt", "value": "2.10.0"}, {"app": "2.10.1-rc.1"}, True),
    ({"attribute": "app", "op": "semver_lt", "value": "2.10.0"}, {"app": "2.10.0-rc.1"}, True),
    ({"attribute": "app", "op": "semver_lt", "value": "2.10.0"}, {"app": "not a version"},
     False),
    ({"attribute": "age", "op": "gt", "value": 30}, {"age": 31.5}, True),
    ({"attribute": "age", "op": "le", "value": 30}, {"age": "29"}, False),
    ({"attribute": "signup", "op": "after", "value": "2026-01-01T00:00:00Z"},
     {"signup": "2026-03-01"}, True),
    ({"attribute": "signup", "op": "after", "value": "2026-01-01"}, {"signup": "2025-12-31"},
     False),
    ({"attribute": "plan", "op": "equals", "value": "pro"}, {}, False),  # missing: no match
])
def test_targeting_rules(rule: dict[str, Any], context: dict[str, Any], matched: bool) -> None:
    result = evaluate(flag(rules=[{**rule, "variant": "on"}]), context)
    assert (result.reason, result.value) == (
        ("TARGETING_MATCH", True) if matched else ("DEFAULT", False))


def test_the_kill_switch_overrides_every_rule_and_the_split() -> None:
    live = flag(rules=[{"attribute": "plan", "op": "equals", "value": "pro", "variant": "on"}],
                split=[["on", 100], ["off", 0]], killed=True)
    for context in ({"plan": "pro"}, {"targetingKey": "u1"}, {}):
        result = evaluate(live, context)
        assert (result.value, result.variant, result.reason) == (False, "off", "DISABLED")


def test_a_split_needs_a_targeting_key() -> None:
    result = evaluate(rollout(50), {"plan": "pro"})
    assert (result.reason, result.error_code) == ("ERROR", "TARGETING_KEY_MISSING")
    assert evaluate(rollout(50), {"targetingKey": "u1"}).reason == "SPLIT"


@pytest.mark.parametrize("context", [["not", "an", "object"], {"targetingKey": 7}, {1: "x"}])
def test_a_malformed_context_is_invalid_context(context: Any) -> None:
    assert evaluate(flag(), context).error_code == "INVALID_CONTEXT"


@pytest.mark.parametrize(("changes", "message"), [
    ({"type": "colour"}, "type 'colour' is not one of"),
    ({"variants": {"on": "yes"}}, "variant 'on' is 'yes', not a boolean"),
    ({"default": "maybe"}, "the default 'maybe' is not a variant"),
    ({"split": [["on", 60], ["off", 30]]}, "sum to 90, not 100"),
    ({"split": [["on", 120], ["off", -20]]}, "percentage 120 is not a whole number"),
    ({"rules": [{"attribute": "a", "op": "like", "value": 1, "variant": "on"}]},
     "'like' is not a comparison"),
    ({"rules": [{"attribute": "a", "op": "semver_gt", "value": "two", "variant": "on"}]},
     "'two' is not what semver_gt compares with"),
    ({"rules": [{"attribute": "a", "op": "equals", "value": 1, "variant": "nope"}]},
     "variant 'nope' is not a variant"),
    ({"key": "Bad Key"}, "'Bad Key' is not a flag key"),
])
def test_bad_definitions_say_what_is_wrong(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(FlagError, match=message.replace("(", r"\(")):
        flag(**changes)


def test_values_of_every_type() -> None:
    for kind, values in (("string", {"a": "blue", "b": "green"}), ("number", {"a": 1, "b": 2.5}),
                         ("object", {"a": {"x": 1}, "b": {}})):
        served = evaluate(parse_flag({"key": "k", "type": kind, "variants": values,
                                      "default": "b"}), {})
        assert served.value == values["b"]


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=30),
       low=st.integers(0, 100), high=st.integers(0, 100))
def test_raising_the_percentage_never_moves_a_user_out_of_the_new_variant(
        keys: list[str], low: int, high: int) -> None:
    low, high = sorted((low, high))
    for key in keys:
        before = assign("new-checkout", key, rollout(low).split)
        after = assign("new-checkout", key, rollout(high).split)
        assert before == "off" or after == "on"
        assert assign("new-checkout", key, rollout(low).split) == before  # sticky


@pytest.mark.parametrize("percentage", [1, 10, 37, 50, 99])
def test_the_observed_share_over_100k_keys_is_within_one_percent(percentage: int) -> None:
    split = rollout(percentage).split
    on = sum(assign("new-checkout", f"user-{i}", split) == "on" for i in range(100_000))
    assert abs(on / 100_000 - percentage / 100) <= 0.01
