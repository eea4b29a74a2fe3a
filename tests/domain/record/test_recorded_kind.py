"""The kind an action decides is written on its event, and read back from it: a record is
never re-read as another kind because ``project.kind`` changed after it was decided."""

from __future__ import annotations

from typing import Any

import pytest

from hotfix.domain.record.events import GENESIS, Event, sealed
from hotfix.domain.record.lifecycle import decided_kind, derive
from hotfix.domain.record.lifecycle_settings import LifecycleSettings
from hotfix.domain.record.states import State
from tests.domain.record.timelines import (
    APPROVER,
    HAPPY,
    REQUESTER,
    TEMPLATES,
    Timeline,
    decision,
    triage,
)

S = State
LIBRARY = LifecycleSettings("library", approved_templates=TEMPLATES)
SERVICE = LifecycleSettings(approved_templates=TEMPLATES)


@pytest.mark.parametrize(("settings", "kind", "action", "payload", "decided"), [
    (LIBRARY, None, "triage", {"decision": decision("hotfix")}, "library"),
    (SERVICE, None, "triage", {"decision": decision("hotfix")}, "service"),
    (LIBRARY, None, "triage", {"decision": decision("content")}, "content"),
    (LIBRARY, None, "triage", {"decision": decision("rollback")}, "rollback"),
    (LIBRARY, None, "triage", {"decision": None}, "library"),  # answers missing
    (SERVICE, None, "triage", {"decision": decision(), "kind": "flag"}, "service"),  # ours
    (SERVICE, "flag", "triage", {"decision": decision("content")}, None),  # never re-routed
    (SERVICE, None, "approve", {}, None),
    (SERVICE, None, "note", {"kind": "library"}, None),
])
def test_what_an_action_decides(settings: LifecycleSettings, kind: str | None, action: str,
                                payload: dict[str, Any], decided: str | None) -> None:
    assert decided_kind(Timeline(kind, settings).record, action, payload) == decided


def rolled_back_and_verified(settings: LifecycleSettings) -> Timeline:
    """A roll-back-first record of a project of ``settings``, its rollback verified."""
    t = Timeline(settings=settings)
    t.walk(HAPPY["rollback"][2][:5])
    assert (t.record.kind, t.record.state) == ("rollback", S.VERIFIED)
    return t


def test_a_rollback_s_fix_forward_decides_the_project_s_kind() -> None:
    assert decided_kind(rolled_back_and_verified(LIBRARY).record, "start", {}) == "library"
    assert decided_kind(rolled_back_and_verified(SERVICE).record, "start", {}) == "service"


def read_under(t: Timeline, settings: LifecycleSettings) -> tuple[str, State]:
    rec = derive("HF-1", t.events, t.needed, settings=settings)
    return rec.kind, rec.state


def test_a_triage_that_wrote_its_kind_reads_the_same_after_project_kind_changes() -> None:
    t = Timeline(settings=LIBRARY)
    t.walk([(REQUESTER, "triage", {"decision": decision(), "kind": "library"}),
            (APPROVER, "approve", {}), (REQUESTER, "start", {}),
            (REQUESTER, "check", {"passed": True, "commit": "abc"}),
            (REQUESTER, "release", {"commit": "abc"}), (REQUESTER, "publish", {"passed": True})])
    assert read_under(t, LIBRARY) == read_under(t, SERVICE) == ("library", S.PUBLISHED)


def test_events_written_before_kinds_existed_stay_a_service_record_in_any_project() -> None:
    t = Timeline(settings=LIBRARY)
    t.walk([triage(), (APPROVER, "approve", {})])
    old = without_kinds(t)  # as release 0.1.0 wrote them: every record was a service's
    for settings in (LIBRARY, SERVICE):
        rec = derive("HF-1", old, {}, settings=settings)
        assert (rec.kind, rec.state) == ("service", S.APPROVED)


def without_kinds(t: Timeline) -> list[Event]:
    events: list[Event] = []
    for e in t.events:
        payload = {k: v for k, v in e.payload.items() if k != "kind"}
        events.append(sealed(hotfix=e.hotfix, seq=e.seq, at=e.at, actor=e.actor, kind=e.kind,
                             payload=payload, prev_hash=events[-1].hash if events else GENESIS))
    return events


def test_a_fix_forward_that_wrote_its_kind_keeps_it() -> None:
    t = rolled_back_and_verified(LIBRARY)
    t.act(REQUESTER, "start", {"kind": "library"})
    assert read_under(t, SERVICE) == ("library", S.IN_PROGRESS)


@pytest.mark.parametrize(("route", "written", "kind"), [
    ("hotfix", "content", "service"),  # a written kind never contradicts the route
    ("content", "library", "content"),
    ("rollback", "service", "rollback"),
    ("hotfix", "gadget", "service"),  # unknown: the project's
])
def test_the_route_decides_what_only_the_route_can(route: str, written: str, kind: str) -> None:
    t = Timeline(settings=SERVICE)
    t.add(REQUESTER, "triage", {"decision": decision(route), "kind": written})
    assert t.record.kind == kind
