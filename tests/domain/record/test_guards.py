"""The named guards: allowed, refused with the right message, forced by the right role only."""

from __future__ import annotations

from typing import Any

import pytest

from hotfix.domain.record import kinds as k
from hotfix.domain.record.guards import GUARDS
from hotfix.domain.record.hotfix import Refusal
from hotfix.domain.record.lifecycle import forcing
from hotfix.domain.record.lifecycle_settings import LifecycleSettings
from hotfix.domain.record.states import State
from tests.domain.record.timelines import (
    APPROVER,
    APPROVERS,
    OTHER,
    REQUESTER,
    TEMPLATES,
    Timeline,
    reach,
)

S = State
MEMBERS = {"approver": APPROVERS}
BACKOUT_ON = LifecycleSettings(guards_enabled={"service": frozenset({k.BACKOUT_PLAN})},
                               approved_templates=TEMPLATES)
DOCS = LifecycleSettings(close_require={"service": ("root_cause", "customer_impact"),
                                        "content": ("customer_impact",)},
                         approved_templates=TEMPLATES)


def test_who_may_override_each_guard_is_this_table() -> None:
    assert {name: g.override_by for name, g in GUARDS.items()} == {
        k.CHECK_PASSED: "approver", k.MAINLINE_HAS_FIX: "approver", k.BACKOUT_PLAN: "approver",
        k.ROLLED_BACK_FIRST: "approver", k.APPROVED_TEMPLATE: None,
        k.REQUESTER_NOT_APPROVER: None, k.LISTED_APPROVER: None, k.ONE_APPROVAL_EACH: None,
        k.DOCUMENTED: None,
    }


def test_which_transitions_carry_which_guard_is_this_table() -> None:
    carried = {(kind.name, t.action, name) for kind in k.KINDS.values()
               for t in kind.transitions for name in t.checks if name != "from-state"}
    approval = {(kind, "approve", g) for kind in k.KINDS for g in (
        k.REQUESTER_NOT_APPROVER, k.LISTED_APPROVER, k.ONE_APPROVAL_EACH)}
    closing = {(kind, "close", k.DOCUMENTED) for kind in k.KINDS}
    assert carried == approval | closing | {
        ("service", "release", k.CHECK_PASSED), ("library", "release", k.CHECK_PASSED),
        ("service", "close", k.MAINLINE_HAS_FIX), ("library", "close", k.MAINLINE_HAS_FIX),
        ("service", "deploy", k.BACKOUT_PLAN), ("content", "publish", k.APPROVED_TEMPLATE),
        ("content", "schedule", k.APPROVED_TEMPLATE), ("rollback", "start", k.ROLLED_BACK_FIRST),
    }


def refused(t: Timeline, actor: str, action: str, payload: dict[str, Any] | None = None
            ) -> Refusal:
    refusal = t.refusal(actor, action, payload)
    assert refusal is not None
    return refusal


def assert_forced_by_approvers_only(refusal: Refusal) -> None:
    assert refusal.override_by == ("approver",)
    assert forcing(refusal, APPROVER, MEMBERS) is None
    denied = forcing(refusal, REQUESTER, MEMBERS)
    assert denied is not None
    assert denied.message == "req@x cannot override: only approvers can"
    assert denied.hint == "approvers are listed under [approvals] approvers in hotfix.toml"
    assert forcing(refusal, APPROVER, {}) is not None  # nobody listed: nobody forces


def assert_never_forced(refusal: Refusal) -> None:
    assert not refusal.overridable
    assert forcing(refusal, APPROVER, MEMBERS) is refusal
    assert "--override" not in (refusal.command_hint or "")


@pytest.mark.parametrize("kind", ["service", "library"])
def test_check_passed(kind: str) -> None:
    t = reach(kind, S.IN_PROGRESS)
    t.act(REQUESTER, "check", {"passed": False, "commit": "abc"})
    t.act(REQUESTER, "check", {"passed": True, "commit": "abc"})
    assert t.refusal(REQUESTER, "release", {"commit": "abc"}) is None
    other = refused(t, REQUESTER, "release", {"commit": "def"})
    assert other.message == ("the passing check of HF-1 was on abc, not on def, the commit "
                             "to tag")
    assert other.guards == (k.CHECK_PASSED,)
    assert_forced_by_approvers_only(other)
    t.act(REQUESTER, "pick", {"commits": ["def"]})
    t.add(REQUESTER, "check", {"passed": False, "commit": "def", "override": True})  # forced
    none = refused(t, REQUESTER, "release", {"commit": "def"})
    assert (none.message, none.hint) == ("HF-1 has no passing check", "run: hotfix check HF-1")


@pytest.mark.parametrize("kind", ["service", "library"])
def test_mainline_has_fix(kind: str) -> None:
    t = reach(kind, S.VERIFIED)
    t.act(REQUESTER, "backport", {"main_ported": False, "mainline": "main", "targets": [
        {"target": "main", "status": "conflict", "next": "hotfix backport HF-1 --continue"}]})
    refusal = refused(t, REQUESTER, "close")
    assert refusal.message == "HF-1 is not folded back into main: main is conflict (see " \
                              "hotfix backport)"
    assert refusal.hint == "next: hotfix backport HF-1 --continue"
    assert refusal.guards == (k.MAINLINE_HAS_FIX, "from-state")
    assert_forced_by_approvers_only(refusal)
    assert "--override" in (refusal.command_hint or "")  # close takes --override
    t.act(REQUESTER, "backport", {"main_ported": True})
    assert t.refusal(REQUESTER, "close") is None


def test_backout_plan_is_off_unless_switched_on() -> None:
    assert reach("service", S.RELEASED).refusal(REQUESTER, "deploy") is None
    t = reach("service", S.RELEASED, BACKOUT_ON)
    refusal = refused(t, REQUESTER, "deploy")
    assert refusal.message == ("HF-1 has no back-out plan: the release to return to if the "
                               "deploy goes wrong")
    assert refusal.hint == "record it first: hotfix backout HF-1 --to vX.Y.Z"
    assert_forced_by_approvers_only(refusal)
    assert "--override" in (refusal.command_hint or "")  # hotfix deploy --override
    t.add(REQUESTER, "backout", {"to": "v1.1.0", "reversible": True})
    assert t.refusal(REQUESTER, "deploy") is None


@pytest.mark.parametrize(("draft", "message"), [
    ({"template": "checkout-button"},
     "template 'checkout-button' is not approved: content is published only through an "
     "approved template"),
    ({"slots": {"text": "<script>"}},
     "the draft of HF-1 names no template: content is published only through an approved "
     "template"),
])
@pytest.mark.parametrize("action", ["publish", "schedule"])
def test_approved_template(draft: dict[str, Any], message: str, action: str) -> None:
    t = reach("content", S.CONTENT)
    t.act(REQUESTER, "draft", draft)
    t.act(APPROVER, "approve", {})
    refusal = refused(t, REQUESTER, action)
    assert refusal.message == message
    assert refusal.hint == ("approved templates are listed under [content] templates; "
                            "anything else is a code hotfix: hotfix triage HF-1 -a "
                            "change_kind=code")
    assert_never_forced(refusal)
    t.act(REQUESTER, "draft", {"template": "shipping-deadline"})
    t.act(APPROVER, "approve", {})
    assert t.refusal(REQUESTER, action) is None


@pytest.mark.parametrize("kind", list(k.KINDS))
def test_the_requester_never_approves_and_approvals_come_from_listed_people(kind: str) -> None:
    t = reach(kind, S.DRAFTED if kind == "content" else S.TRIAGED)
    own = refused(t, REQUESTER, "approve")
    assert own.guards == (k.REQUESTER_NOT_APPROVER,)
    assert_never_forced(own)
    stranger = refused(t, "someone@x", "approve")
    assert stranger.message == "someone@x is not an approver"
    assert_never_forced(stranger)
    assert t.refusal(APPROVER, "approve") is None


def test_two_approvals_need_two_people() -> None:
    t = Timeline(needed={"SEV1": 2})
    t.act(REQUESTER, "triage", {"decision": {"severity": "SEV1", "route": "hotfix"}})
    assert t.act(APPROVER, "approve").state is S.TRIAGED
    twice = refused(t, APPROVER, "approve")
    assert twice.guards == (k.ONE_APPROVAL_EACH,)
    assert_never_forced(twice)
    assert t.act(OTHER, "approve").state is S.APPROVED


def test_rolled_back_first() -> None:
    refusal = refused(reach("rollback", S.APPROVED), REQUESTER, "start")
    assert refusal.guards == (k.ROLLED_BACK_FIRST,)
    assert_forced_by_approvers_only(refusal)
    assert reach("rollback", S.VERIFIED).refusal(REQUESTER, "start") is None


def test_documentation_is_required_before_close_and_never_forced() -> None:
    t = reach("service", S.FOLDED_BACK, DOCS)
    refusal = refused(t, REQUESTER, "close")
    assert refusal.message == "HF-1 cannot close: missing documentation: root_cause, " \
                              "customer_impact"
    assert refusal.hint == ('hotfix document HF-1 --field root_cause="…" '
                            '--field customer_impact="…"')
    assert_never_forced(refusal)
    t.add(REQUESTER, "document", {"fields": {"root_cause": "EU cards rounded twice",
                                             "customer_impact": "  "}})
    assert refused(t, REQUESTER, "close").message.endswith("documentation: customer_impact")
    t.add(REQUESTER, "document", {"fields": {"customer_impact": "2% of EU orders failed"}})
    assert t.refusal(REQUESTER, "close") is None
    assert t.record.documentation["root_cause"] == "EU cards rounded twice"


def test_documentation_beats_an_override_of_the_state() -> None:
    t = reach("service", S.APPROVED, DOCS)
    refusal = refused(t, APPROVER, "close")
    assert refusal.guards == (k.DOCUMENTED,)
    assert_never_forced(refusal)


def test_documentation_is_per_kind_and_a_rejected_record_closes_without_it() -> None:
    content = reach("content", S.PUBLISHED, DOCS)
    assert refused(content, REQUESTER, "close").message.endswith(": customer_impact")
    assert reach("flag", S.COMPLETED, DOCS).refusal(REQUESTER, "close") is None
    t = reach("service", S.TRIAGED, DOCS)
    t.act(APPROVER, "reject", {})
    assert t.refusal(REQUESTER, "close") is None
