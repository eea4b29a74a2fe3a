"""Every kind's transitions, table-driven: allowed (and where to), or refused (and why)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hotfix.domain.record.kinds import KINDS
from hotfix.domain.record.lifecycle import derive
from hotfix.domain.record.lifecycle_settings import LifecycleSettings
from hotfix.domain.record.states import State
from tests.domain.record.timelines import (
    APPROVER,
    HAPPY,
    OTHER,
    REQUESTER,
    TEMPLATES,
    Refused,
    Timeline,
    decision,
    reach,
    timeline_of,
    triage,
)

S = State


@dataclass(frozen=True)
class No:
    message: str
    hint: str | None
    override_by: tuple[str, ...] = ()


ALLOWED: list[tuple[str, State, str, dict[str, Any], State]] = [
    # kind, from, action, payload, to
    ("service", S.RELEASED, "deploy", {}, S.DEPLOYING),
    ("service", S.DEPLOYING, "deploy_step", {"weight": 10}, S.DEPLOYING),
    ("service", S.DEPLOYING, "rollback", {}, S.IN_PROGRESS),
    ("service", S.DEPLOYED, "verify", {"passed": False}, S.DEPLOYED),
    ("library", S.RELEASED, "publish", {"passed": True}, S.PUBLISHED),
    ("library", S.RELEASED, "publish", {"passed": False}, S.RELEASED),
    ("library", S.RELEASED, "backport", {"main_ported": True}, S.RELEASED),
    ("library", S.PUBLISHED, "verify", {"passed": True}, S.VERIFIED),
    ("library", S.PUBLISHED, "verify", {"passed": False}, S.PUBLISHED),
    ("library", S.VERIFIED, "backport", {"main_ported": True}, S.FOLDED_BACK),
    ("library", S.TRIAGED, "triage", {"decision": decision("patch-release")}, S.DEFERRED),
    ("content", S.CONTENT, "draft", {"template": "banner-text"}, S.DRAFTED),
    ("content", S.CONTENT, "close", {}, S.CLOSED),  # published outside hotfix, as today
    ("content", S.APPROVED, "schedule", {"at": "2026-12-18T09:00:00+01:00"}, S.SCHEDULED),
    ("content", S.APPROVED, "publish", {}, S.PUBLISHED),
    ("content", S.APPROVED, "draft", {"template": "banner-text"}, S.DRAFTED),
    ("content", S.PUBLISHED, "revert", {}, S.REVERTED),
    ("content", S.PUBLISHED, "close", {}, S.CLOSED),
    ("content", S.CONTENT, "triage", {"decision": decision("hotfix")}, S.TRIAGED),
    ("flag", S.APPROVED, "set", {"flag": "f"}, S.SET),
    ("flag", S.SET, "deploy", {}, S.ROLLING_OUT),
    ("flag", S.ROLLING_OUT, "rollback", {}, S.SET),
    ("flag", S.ROLLING_OUT, "kill", {}, S.KILLED),
    ("flag", S.COMPLETED, "kill", {}, S.KILLED),
    ("flag", S.TRIAGED, "triage", {"decision": decision("content")}, S.TRIAGED),
    ("flag", S.TRIAGED, "triage", {"decision": decision("next-release")}, S.DEFERRED),
    ("rollback", S.APPROVED, "rollback", {"to": "v1.1.1"}, S.ROLLING_BACK),
    ("rollback", S.ROLLING_BACK, "rollback", {"done": True}, S.ROLLED_BACK),
    ("rollback", S.ROLLED_BACK, "verify", {"passed": False}, S.ROLLED_BACK),
    ("rollback", S.ROLLED_BACK, "rollback", {"to": "v1.1.0"}, S.ROLLING_BACK),
    ("rollback", S.VERIFIED, "start", {}, S.IN_PROGRESS),
    ("rollback", S.VERIFIED, "defer", {}, S.DEFERRED),
]


@pytest.mark.parametrize(("kind", "start", "action", "payload", "to"), ALLOWED)
def test_allowed(kind: str, start: State, action: str, payload: dict[str, Any],
                 to: State) -> None:
    t = reach(kind, start)
    assert t.refusal(REQUESTER, action, payload) is None
    assert t.act(REQUESTER, action, payload).state is to


NEXT = "next step: "
REFUSED: list[tuple[str, State, str, str, dict[str, Any], No]] = [
    # kind, at, actor, action, payload, refusal
    ("library", S.RELEASED, REQUESTER, "verify", {"passed": True}, No(
        "cannot verify HF-1: it is released (allowed from: published, verified, folded_back)",
        NEXT + "hotfix publish HF-1", ("approver",))),
    ("library", S.RELEASED, REQUESTER, "deploy", {}, No(
        "cannot deploy HF-1: it is a library record, which has no deploy step (a library "
        "hotfix: released and published, never deployed)", NEXT + "hotfix publish HF-1")),
    ("library", S.PUBLISHED, REQUESTER, "close", {}, No(
        "cannot close HF-1: it is published (allowed from: folded_back, rejected, deferred)",
        NEXT + "hotfix verify HF-1 (against the published artifact)", ("approver",))),
    ("service", S.RELEASED, REQUESTER, "publish", {"passed": True}, No(
        "cannot publish HF-1: it is a service record, which has no publish step (a code "
        "hotfix, deployed to a running service and verified in production)",
        NEXT + "hotfix deploy HF-1")),
    ("content", S.CONTENT, REQUESTER, "publish", {}, No(
        "cannot publish HF-1: it is content (allowed from: approved, scheduled)",
        NEXT + "hotfix content draft HF-1 --template TEMPLATE (published outside hotfix: "
        "hotfix close HF-1)")),
    ("content", S.DRAFTED, REQUESTER, "approve", {}, No(
        "req@x requested HF-1 and cannot approve it",
        "another person approves: hotfix approve HF-1 --as OTHER@EXAMPLE.COM")),
    ("content", S.DRAFTED, REQUESTER, "start", {}, No(
        "cannot start HF-1: it is a content record, which has no start step (a content "
        "change through a pre-approved template: no branch, test or release)",
        NEXT + "hotfix approve HF-1 --as APPROVER")),
    ("content", S.PUBLISHED, REQUESTER, "approve", {}, No(
        "req@x requested HF-1 and cannot approve it",
        "another person approves: hotfix approve HF-1 --as OTHER@EXAMPLE.COM")),
    ("content", S.PUBLISHED, APPROVER, "approve", {}, No(
        "app@x already approved HF-1", "a second approval must come from someone else")),
    ("content", S.PUBLISHED, OTHER, "approve", {}, No(
        "cannot approve HF-1: it is published (allowed from: drafted)",
        NEXT + "hotfix close HF-1 (or hotfix content revert HF-1)")),
    ("flag", S.TRIAGED, REQUESTER, "kill", {}, No(
        "cannot kill HF-1: it is triaged (allowed from: set, rolling_out, completed)",
        NEXT + "hotfix approve HF-1 --as APPROVER", ("approver",))),
    ("flag", S.SET, REQUESTER, "promote", {}, No(
        "cannot promote HF-1: it is set (allowed from: rolling_out)",
        NEXT + "hotfix deploy HF-1 --via flag:FLAG", ("approver",))),
    ("flag", S.COMPLETED, REQUESTER, "verify", {}, No(
        "cannot verify HF-1: it is a flag record, which has no verify step (a feature-flag "
        "change: set, rolled out by percentage, completed or killed)", NEXT + "hotfix close HF-1")),
    ("rollback", S.APPROVED, REQUESTER, "start", {}, No(
        "HF-1 rolls back first: production is not verified on the last good release yet",
        NEXT + "hotfix rollback HF-1 --to vX.Y.Z", ("approver",))),
    ("rollback", S.ROLLED_BACK, REQUESTER, "start", {}, No(
        "cannot start HF-1: it is rolled_back (allowed from: approved, verified)",
        NEXT + "hotfix verify HF-1", ("approver",))),
    ("rollback", S.APPROVED, REQUESTER, "deploy", {}, No(
        "cannot deploy HF-1: it is a rollback record, which has no deploy step (roll back "
        "first: production returns to the last good release, is verified, then the fix goes "
        "forward or is deferred)", NEXT + "hotfix rollback HF-1 --to vX.Y.Z")),
    ("rollback", S.VERIFIED, REQUESTER, "close", {}, No(
        "cannot close HF-1: it is verified (allowed from: deferred, rejected)",
        NEXT + 'fix forward: hotfix start HF-1; or hotfix defer HF-1 --reason "…"',
        ("approver",))),
]


@pytest.mark.parametrize(("kind", "at", "actor", "action", "payload", "no"), REFUSED)
def test_refused(kind: str, at: State, actor: str, action: str, payload: dict[str, Any],
                 no: No) -> None:
    t = reach(kind, at)
    refusal = t.refusal(actor, action, payload)
    assert refusal is not None
    assert (refusal.message, refusal.hint, refusal.override_by) == (
        no.message, no.hint, no.override_by)


@pytest.mark.parametrize("name", list(HAPPY))
def test_each_kind_walks_from_report_to_close_with_no_override(name: str) -> None:
    t = timeline_of(name)
    rec = t.walk(HAPPY[name][2])
    assert rec.state is S.CLOSED
    assert "override" not in [e.kind for e in rec.events]
    assert rec.kind == name
    assert {state for state, _ in rec.history} <= KINDS[name].states


def test_a_library_is_published_then_verified_folded_back_and_closed() -> None:
    rec = timeline_of("library").walk(HAPPY["library"][2])
    assert [s for s, _ in rec.history][-5:] == [S.RELEASED, S.PUBLISHED, S.VERIFIED,
                                                S.FOLDED_BACK, S.CLOSED]
    assert rec.kind == "library"


def test_rollback_first_then_fix_forward_as_a_service_record_keeping_its_timeline() -> None:
    t = reach("rollback", S.VERIFIED)
    before = list(t.events)
    rec = t.act(REQUESTER, "start", {})
    assert (rec.kind, rec.state) == ("service", S.IN_PROGRESS)
    assert list(rec.events[:len(before)]) == before
    assert [s for s, _ in rec.history] == [S.REPORTED, S.TRIAGED, S.APPROVED, S.ROLLING_BACK,
                                           S.ROLLED_BACK, S.VERIFIED, S.IN_PROGRESS]
    t.walk([(REQUESTER, "check", {"passed": True, "commit": "c"}),
            (REQUESTER, "release", {"commit": "c"}), (REQUESTER, "deploy", {}),
            (REQUESTER, "promote", {}), (REQUESTER, "verify", {"passed": True}),
            (REQUESTER, "backport", {"main_ported": True}), (REQUESTER, "close", {})])
    assert (t.record.kind, t.record.state) == ("service", S.CLOSED)


def test_in_a_library_project_the_fix_goes_forward_as_a_library_record() -> None:
    t = Timeline(settings=LifecycleSettings("library"))
    t.walk([triage("rollback"), (APPROVER, "approve", {}), (REQUESTER, "rollback", {}),
            (REQUESTER, "rollback", {"done": True}), (REQUESTER, "verify", {"passed": True}),
            (REQUESTER, "start", {})])
    assert (t.record.kind, t.record.state) == ("library", S.IN_PROGRESS)


def test_skipping_the_rollback_is_an_approver_s_override_recorded_as_one() -> None:
    t = reach("rollback", S.APPROVED)
    with pytest.raises(Refused, match="only approvers can"):
        t.act(REQUESTER, "start", {}, override="the old release lost its data format")
    rec = t.act(APPROVER, "start", {}, override="the old release lost its data format")
    assert (rec.kind, rec.state) == ("service", S.IN_PROGRESS)
    assert [e.kind for e in rec.events[-2:]] == ["override", "start"]


def test_the_kill_switch_s_emergency_bypass_is_an_approver_s_override() -> None:
    t = reach("flag", S.TRIAGED)
    with pytest.raises(Refused, match="only approvers can"):
        t.act(REQUESTER, "kill", {}, override="checkout failing")
    assert t.act(APPROVER, "kill", {}, override="checkout failing").state is S.KILLED


def test_content_is_never_published_by_force() -> None:
    t = reach("content", S.DRAFTED)
    with pytest.raises(Refused, match="allowed from: approved, scheduled"):
        t.act(APPROVER, "publish", {}, override="urgent")
    assert t.record.state is S.DRAFTED


def test_a_new_draft_needs_a_new_approval() -> None:
    t = reach("content", S.APPROVED)
    assert t.record.approvals == (APPROVER,)
    rec = t.act(REQUESTER, "draft", {"template": "banner-text", "slots": {"text": "Dec 21"}})
    assert (rec.state, rec.approvals) == (S.DRAFTED, ())
    assert t.act(APPROVER, "approve", {}).state is S.APPROVED


def test_content_needing_code_goes_to_engineering_as_a_code_hotfix() -> None:
    t = reach("content", S.DRAFTED)
    rec = t.act(REQUESTER, "triage", {"decision": decision("hotfix")})
    assert (rec.kind, rec.state, rec.approvals) == ("service", S.TRIAGED, ())


def test_an_explicit_kind_on_open_decides_and_triage_never_reroutes_a_flag() -> None:
    t = Timeline("flag")
    assert (t.record.kind, t.record.state) == ("flag", S.REPORTED)
    assert t.act(*triage("rollback")).kind == "flag"


def test_an_unknown_kind_on_open_is_the_project_s() -> None:
    assert Timeline("gadget", LifecycleSettings("library")).record.kind == "library"


def test_missing_answers_send_a_routed_record_back_to_the_project_kind() -> None:
    t = reach("content", S.CONTENT)
    rec = t.act(REQUESTER, "triage", {"decision": None, "missing": ["workaround"]})
    assert (rec.kind, rec.state) == ("service", S.REPORTED)


def test_a_forced_triage_goes_where_its_route_leads() -> None:
    t = reach("service", S.IN_PROGRESS)
    rec = t.act(APPROVER, "triage", {"decision": decision("next-release")}, override="wait")
    assert (rec.kind, rec.state) == ("service", S.DEFERRED)
    t = reach("service", S.IN_PROGRESS)
    rec = t.act(APPROVER, "triage", {"decision": decision("content")}, override="marketing")
    assert (rec.kind, rec.state) == ("content", S.CONTENT)


def test_the_summary_carries_the_kind() -> None:
    assert reach("flag", S.SET).record.summary()["kind"] == "flag"
    assert reach("library", S.RELEASED).record.summary()["next"] == "hotfix publish HF-1"


def test_a_record_read_under_another_project_kind_keeps_declared_states() -> None:
    events = reach("service", S.DEPLOYED).events
    rec = derive("HF-1", events, {}, settings=LifecycleSettings("library", {}, {}, TEMPLATES))
    assert (rec.kind, rec.state) == ("service", S.DEPLOYED)  # the kind its events wrote
