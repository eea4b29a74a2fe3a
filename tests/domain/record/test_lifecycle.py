"""Lifecycle guards and the state derived from events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotfix.domain.record.events import GENESIS, Event, sealed
from hotfix.domain.record.lifecycle import Hotfix, State, derive, plan
from hotfix.domain.record.timing import format_duration, parse_duration, time_report

T0 = datetime(2026, 1, 1, tzinfo=UTC)
REQUESTER, APPROVER, OTHER = "req@x", "app@x", "other@x"
HOTFIX_DECISION = {"severity": "SEV1", "route": "hotfix", "reasons": [], "assumed": []}


class Timeline:
    def __init__(self, needed: dict[str, int] | None = None) -> None:
        self.events: list[Event] = []
        self.needed = needed or {"SEV1": 1, "SEV2": 1, "SEV3": 1, "SEV4": 1}
        self.add(REQUESTER, "open", {"title": "bug"})

    def add(self, actor: str, kind: str, payload: dict[str, Any] | None = None) -> Hotfix:
        prev = self.events[-1].hash if self.events else GENESIS
        seq = len(self.events) + 1
        self.events.append(sealed(hotfix=1, seq=seq, at=T0 + timedelta(hours=seq),
                                  actor=actor, kind=kind, payload=payload or {},
                                  prev_hash=prev))
        return self.record

    @property
    def record(self) -> Hotfix:
        return derive("HF-1", self.events, self.needed)

    def refusal(self, actor: str, action: str, payload: dict[str, Any] | None = None,
                approvers: tuple[str, ...] = ()) -> Any:
        return plan(self.record, action, actor, payload or {}, approvers)


def triaged(route: str = "hotfix", severity: str = "SEV1", **kw: Any) -> Timeline:
    t = Timeline(**kw)
    t.add(REQUESTER, "triage", {"decision": {**HOTFIX_DECISION, "route": route,
                                             "severity": severity}})
    return t


def shipped() -> Timeline:
    t = triaged()
    t.add(APPROVER, "approve")
    for kind, payload in [("start", {}), ("check", {"passed": True, "commit": "abc"}),
                          ("release", {"commit": "abc"}), ("deploy", {}), ("promote", {}),
                          ("verify", {"passed": True})]:
        t.add(REQUESTER, kind, payload)
    return t


def test_new_record_is_reported() -> None:
    assert Timeline().record.state is State.REPORTED


@pytest.mark.parametrize(("route", "state"), [("hotfix", State.TRIAGED),
                                              ("rollback", State.TRIAGED),
                                              ("content", State.CONTENT),
                                              ("patch-release", State.DEFERRED),
                                              ("next-release", State.DEFERRED)])
def test_triage_route_decides_state(route: str, state: State) -> None:
    assert triaged(route).record.state is state


def test_requester_cannot_approve_and_it_cannot_be_overridden() -> None:
    refusal = triaged().refusal(REQUESTER, "approve")
    assert refusal is not None
    assert "cannot approve" in refusal.message
    assert not refusal.overridable


def test_only_listed_approvers_approve() -> None:
    t = triaged()
    assert t.refusal(OTHER, "approve", approvers=(APPROVER,)) is not None
    assert t.refusal(APPROVER, "approve", approvers=(APPROVER,)) is None


def test_approvals_needed_per_severity() -> None:
    t = triaged(severity="SEV1", needed={"SEV1": 2})
    assert t.add(APPROVER, "approve").state is State.TRIAGED
    assert t.refusal(APPROVER, "approve") is not None  # same person twice
    assert t.add(OTHER, "approve").state is State.APPROVED


def test_retriage_resets_approvals() -> None:
    t = triaged()
    t.add(APPROVER, "approve")
    rec = t.add(REQUESTER, "triage", {"decision": HOTFIX_DECISION})
    assert (rec.state, rec.approvals) == (State.TRIAGED, ())


def test_cannot_start_before_approval() -> None:
    refusal = triaged().refusal(REQUESTER, "start")
    assert refusal is not None
    assert "hotfix approve" in (refusal.hint or "")


def test_release_needs_passing_check_on_the_same_commit() -> None:
    t = triaged()
    t.add(APPROVER, "approve")
    t.add(REQUESTER, "start")
    t.add(REQUESTER, "check", {"passed": False, "commit": "abc"})
    assert t.record.state is State.IN_PROGRESS
    t.add(REQUESTER, "check", {"passed": True, "commit": "abc"})
    assert t.record.state is State.TESTED
    assert t.refusal(REQUESTER, "release", {"commit": "abc"}) is None
    refusal = t.refusal(REQUESTER, "release", {"commit": "def"})
    assert refusal is not None
    assert "not on def" in refusal.message


def test_close_requires_fold_back_into_main() -> None:
    t = shipped()
    assert t.record.state is State.VERIFIED
    refusal = t.refusal(REQUESTER, "close")
    assert refusal is not None
    assert refusal.overridable
    t.add(REQUESTER, "backport", {"main_ported": False})
    assert t.record.state is State.VERIFIED
    t.add(REQUESTER, "backport", {"main_ported": True})
    assert t.record.state is State.FOLDED_BACK
    assert t.refusal(REQUESTER, "close") is None
    assert t.add(REQUESTER, "close").state is State.CLOSED


def test_close_refusal_names_main_s_unmerged_port_and_the_next_command() -> None:
    t = shipped()
    key = t.record.key
    main = {"target": "main", "status": "ported", "message": "on backport/X-main, not merged",
            "next": f"hotfix backport {key} --to main --merge"}
    t.add(REQUESTER, "backport", {"main_ported": False, "mainline": "main",
                                  "targets": [{"target": "1.2", "status": "merged"}, main]})
    refusal = t.refusal(REQUESTER, "close")
    assert refusal is not None
    assert refusal.overridable
    assert refusal.message == (f"{key} is not folded back into main: main is ported "
                               "(on backport/X-main, not merged)")
    assert refusal.hint == f"next: hotfix backport {key} --to main --merge"
    t.add(REQUESTER, "backport", {"main_ported": False, "mainline": "main",
                                  "targets": [{"target": "1.2", "status": "merged"}]})
    refusal = t.refusal(REQUESTER, "close")
    assert refusal is not None
    assert refusal.message.endswith("the last backport did not include main")


def test_backport_before_verify_then_verify_folds_back() -> None:
    t = triaged()
    t.add(APPROVER, "approve")
    for kind, payload in [("start", {}), ("check", {"passed": True, "commit": "a"}),
                          ("release", {}), ("backport", {"main_ported": True}), ("deploy", {}),
                          ("promote", {}), ("verify", {"passed": True})]:
        t.add(REQUESTER, kind, payload)
    assert t.record.state is State.FOLDED_BACK


def test_rollback_returns_to_work() -> None:
    t = shipped()
    t2 = triaged()
    t2.add(APPROVER, "approve")
    for kind in ("start", "check", "release", "deploy"):
        t2.add(REQUESTER, kind, {"passed": True, "commit": "a"})
    assert t2.add(REQUESTER, "rollback").state is State.IN_PROGRESS
    assert t.record.state is State.VERIFIED


def test_closed_is_final_even_for_overrides() -> None:
    t = triaged()
    t.add(APPROVER, "reject")
    t.add(APPROVER, "close")
    refusal = t.refusal(APPROVER, "approve")
    assert refusal is not None
    assert "closed" in refusal.message
    assert not refusal.overridable


def test_override_forces_the_canonical_target() -> None:
    t = shipped()
    rec = t.add(APPROVER, "close", {"override": True})
    assert rec.state is State.CLOSED


def test_notes_keep_state_and_facts_merge() -> None:
    t = triaged()
    rec = t.add(REQUESTER, "note", {"facts": {"line": "1.1"}})
    assert rec.state is State.TRIAGED
    assert rec.facts["line"] == "1.1"
    assert rec.last("note") == {"facts": {"line": "1.1"}}


def test_time_per_state_and_logged_work() -> None:
    t = triaged()
    t.add(REQUESTER, "time", {"seconds": 1800, "person": REQUESTER})
    t.add(APPROVER, "time", {"seconds": 600, "person": APPROVER})
    report = time_report(t.record, T0 + timedelta(hours=10))
    assert report.per_state == {"reported": 3600.0, "triaged": 8 * 3600.0}
    assert report.active_seconds == 2400
    assert report.active_by_person == {REQUESTER: 1800, APPROVER: 600}


@pytest.mark.parametrize(("text", "seconds"), [("45m", 2700), ("1h30m", 5400), ("1.5h", 5400),
                                               ("90s", 90), ("2d", 172800), ("30", 1800)])
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5x", "0m", "1h and a bit"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["99999999999999999999h", "31d", "720h1s", "43201",
                                  "9" * 400 + "d"])
def test_durations_are_bounded_to_thirty_days_an_entry(text: str) -> None:
    with pytest.raises(ValueError, match=r"is more than 30d of work in one entry"):
        parse_duration(text)
    assert parse_duration("30d") == 30 * 86400


@pytest.mark.parametrize("text", ["\u0661h", "\u0665m", "\u0663\u0660", "1\u0660m"])
def test_durations_are_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match=r"cannot read .* as a duration"):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(5400) == "1h30m"
    assert format_duration(42) == "42s"


def test_a_pick_after_a_passing_check_needs_a_new_check() -> None:
    t = triaged()
    t.add(APPROVER, "approve")
    t.add(REQUESTER, "start")
    t.add(REQUESTER, "check", {"passed": True, "commit": "a"})
    assert t.refusal(REQUESTER, "pick") is None
    assert t.add(REQUESTER, "pick", {"commits": ["b"]}).state is State.IN_PROGRESS
    assert t.refusal(REQUESTER, "release", {"commit": "b"}) is not None
