"""The default rubric, table-driven from the cases in the articles."""

from __future__ import annotations

from typing import Any

import pytest

from hotfix.domain.record.triage import (
    DEFAULT_ROUTE_RULES,
    DEFAULT_SEVERITY_RULES,
    RubricError,
    UnreadableAnswer,
    decide,
    missing_answers,
    parse_answers,
)

BASE = {"significant": True, "users_affected": 0.6, "workaround": False}
TEMPLATES = ["banner-text", "shipping-deadline"]


def run(**answers: Any) -> Any:
    return decide({**BASE, **answers}, DEFAULT_SEVERITY_RULES, DEFAULT_ROUTE_RULES, TEMPLATES)


CASES = [
    # (answers, severity, route, a reason must mention one of these answers)
    ({"security": True, "users_affected": 0.01, "workaround": True}, "SEV1", "hotfix",
     "security"),
    ({"feature_down": True}, "SEV1", "hotfix", "feature_down"),
    ({"costing_money": True, "users_affected": 0.3}, "SEV1", "hotfix", "costing_money"),
    ({"costing_money": True, "users_affected": 0.02, "workaround": True}, "SEV2",
     "patch-release", "costing_money"),
    ({"liability": True, "users_affected": 0.05}, "SEV2", "hotfix", "liability"),
    ({}, "SEV2", "hotfix", "users_affected"),  # significant, most users, no workaround
    ({"workaround": True}, "SEV3", "patch-release", "significant"),
    ({"users_affected": 0.1}, "SEV3", "patch-release", "significant"),
    ({"significant": False, "users_affected": 0.01, "workaround": True}, "SEV4",
     "next-release", ""),
    ({"feature_down": True, "caused_by_last_deploy": True, "rollback_safe": True}, "SEV1",
     "rollback", "caused_by_last_deploy"),
    ({"feature_down": True, "caused_by_last_deploy": True, "rollback_safe": False}, "SEV1",
     "hotfix", "severity"),
    ({"change_kind": "content", "template": "shipping-deadline"}, "SEV2", "content",
     "template_approved"),
    ({"change_kind": "content", "template": "shipping-deadline", "touches_checkout": True},
     "SEV2", "hotfix", "touches_checkout"),
    ({"change_kind": "content", "template": "banner-text", "needs_custom_logic": True},
     "SEV2", "hotfix", "needs_custom_logic"),
    ({"change_kind": "content", "template": "free-form-html"}, "SEV2", "hotfix",
     "template_approved"),
    ({"change_kind": "content", "template": ""}, "SEV2", "hotfix", "template_approved"),
]


@pytest.mark.parametrize(("answers", "severity", "route", "because"), CASES)
def test_rubric(answers: dict[str, Any], severity: str, route: str, because: str) -> None:
    decision = run(**answers)
    assert (decision.severity, decision.route) == (severity, route)
    if because:
        assert any(because in r.answers for r in decision.reasons), decision.reasons


def test_content_never_routed_to_content_without_template() -> None:
    decision = run(change_kind="content", template="shipping-deadline", touches_checkout=True)
    texts = " ".join(r.text for r in decision.reasons)
    assert "checkout" in texts
    assert decision.route != "content"


def test_assumed_answers_are_listed() -> None:
    decision = run()
    assert "security" in decision.assumed
    assert "significant" not in decision.assumed


def test_percent_and_words_are_read() -> None:
    decision = decide({"significant": "yes", "users_affected": "60%", "workaround": "no"},
                      DEFAULT_SEVERITY_RULES, DEFAULT_ROUTE_RULES)
    assert decision.answers["users_affected"] == pytest.approx(0.6)
    assert decision.severity == "SEV2"


@pytest.mark.parametrize("bad", [{"users_affected": 1.5}, {"significant": "maybe"},
                                 {"change_kind": "binary"}, {"nonsense": True}])
def test_bad_answers_are_named(bad: dict[str, Any]) -> None:
    with pytest.raises(RubricError, match=next(iter(bad))):
        run(**bad)


def test_missing_required_answers() -> None:
    assert missing_answers({"significant": True}) == ["users_affected", "workaround"]
    with pytest.raises(RubricError, match="users_affected"):
        decide({"significant": True}, DEFAULT_SEVERITY_RULES, DEFAULT_ROUTE_RULES)


def test_rubric_is_data() -> None:
    rules = [{"when": {"users_affected": "> 0.5"}, "severity": "SEV1", "reason": "many"}]
    routes = [{"when": {"severity": "SEV1"}, "route": "rollback", "reason": "policy"},
              {"when": {}, "route": "next-release", "reason": "rest"}]
    assert decide(BASE, rules, routes).route == "rollback"
    assert decide({**BASE, "users_affected": 0.1}, rules, routes).route == "next-release"


def test_malformed_rule_is_named() -> None:
    with pytest.raises(RubricError, match="rule 1"):
        decide(BASE, [{"when": {}, "severity": "SEV9"}], DEFAULT_ROUTE_RULES)
    with pytest.raises(RubricError, match="unknown answer 'colour'"):
        decide(BASE, [{"when": {"colour": "red"}, "severity": "SEV1"}], DEFAULT_ROUTE_RULES)


def test_answers_are_read_by_key_alias_or_dashed_name_the_last_one_winning() -> None:
    assert parse_answers(["significant=yes", "users = 60% ", "caused-by-deploy=no",
                          "kind=content", "significant=no"]) == {
        "significant": "no", "users_affected": "60%", "caused_by_last_deploy": "no",
        "change_kind": "content"}
    assert parse_answers([]) == {}


@pytest.mark.parametrize("item", ["significant", "colour=red", "=yes", "users:60%"])
def test_an_answer_without_a_known_key_and_a_value_is_refused(item: str) -> None:
    with pytest.raises(UnreadableAnswer, match=f"cannot read the answer '{item}'"):
        parse_answers(["workaround=no", item])
