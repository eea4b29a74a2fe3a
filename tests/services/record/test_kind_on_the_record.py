"""The record writes the kind it decides: a later change of ``project.kind`` re-reads no open
record; ``open`` takes an explicit kind; ``document`` and ``defer`` (memory store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.store.memory import MemoryStore
from hotfix.domain.record.lifecycle import State
from hotfix.errors import GuardRefused, UsageError
from hotfix.services.context import Context
from hotfix.services.record.defer import defer
from hotfix.services.record.document import document
from hotfix.wiring import open_context
from tests.services.record.test_records import ANSWERS, LEE, REQ, T0, Desk

ROLL_BACK_FIRST = {**ANSWERS, "caused_by_last_deploy": "yes", "rollback_safe": "yes"}


def library(tmp_path: Path, store: MemoryStore | None = None) -> Desk:
    return Desk(tmp_path, store, **{"project.kind": "library"})


def test_triage_writes_the_kind_and_a_changed_project_kind_keeps_it(tmp_path: Path) -> None:
    before = library(tmp_path)
    key = before.records.open("parse() drops a field", REQ, ANSWERS).key
    assert (before.records.get(key).last("triage") or {})["kind"] == "library"
    before.records.act(key, "approve", LEE, {})
    after = Desk(tmp_path, before.store)  # the project now says service
    rec = after.records.get(key)
    assert (rec.kind, rec.state) == ("library", State.APPROVED)
    assert after.records.open("A new bug", REQ, ANSWERS).kind == "service"


def test_the_record_decides_the_kind_a_caller_cannot(tmp_path: Path) -> None:
    desk = Desk(tmp_path)
    key = desk.records.open("Bug", REQ).key
    decision = {"severity": "SEV2", "route": "hotfix", "reasons": [], "assumed": []}
    rec = desk.records.act(key, "triage", REQ, {"decision": decision, "kind": "library"})
    assert (rec.kind, (rec.last("triage") or {})["kind"]) == ("service", "service")


def test_a_fix_forward_writes_the_project_s_kind(tmp_path: Path) -> None:
    desk = library(tmp_path)
    key = desk.records.open("Login broke with the deploy", REQ, ROLL_BACK_FIRST).key
    assert desk.records.get(key).kind == "rollback"
    for action, payload in (("approve", {}), ("rollback", {"to": "v1.0.0"}),
                            ("rollback", {"to": "v1.0.0", "done": True}),
                            ("verify", {"passed": True}), ("start", {})):
        rec = desk.records.act(key, action, LEE, payload)
    assert (rec.kind, rec.state, rec.last("start")) == (
        "library", State.IN_PROGRESS, {"kind": "library"})


def test_open_with_an_explicit_kind_writes_it(tmp_path: Path) -> None:
    desk = Desk(tmp_path)
    rec = desk.records.open("Turn off the new checkout", REQ, ANSWERS, kind="flag")
    assert (rec.kind, rec.state) == ("flag", State.TRIAGED)  # triage never re-routes a flag
    assert rec.events[0].payload == {"title": "Turn off the new checkout", "kind": "flag"}
    assert "kind" not in rec.events[1].payload
    with pytest.raises(UsageError, match="'gadget' is not a record kind") as info:
        desk.records.open("Bug", REQ, kind="gadget")
    assert info.value.hint == "kinds: service, library, content, flag, rollback"
    assert len(desk.store.all_events()) == 1


@pytest.fixture
def ctx(repo: Path) -> Iterator[Context]:
    context = open_context(repo, {}, {"close.require": {"service": ["root_cause", "follow_up"]},
                                      "approvals.approvers": [LEE]},
                           store=MemoryStore(), clock=ManualClock(T0))
    yield context
    context.close()


def test_document_fills_fields_and_says_what_is_still_missing(ctx: Context) -> None:
    key = ctx.records.open("Bug", REQ, ANSWERS).key
    done = document(ctx, key, REQ, {"root_cause": "a stale cache", "extra": "kept too"})
    assert done.missing == ("follow_up",)
    assert done.to_dict()["documentation"] == {"root_cause": "a stale cache", "extra": "kept too"}
    cleared = document(ctx, key, LEE, {"root_cause": " ", "follow_up": "add a test"})
    assert (cleared.missing, cleared.record.state) == (("root_cause",), State.TRIAGED)
    assert [e.kind for e in cleared.record.events][-2:] == ["document", "document"]


def test_document_refuses_no_fields_bad_names_and_a_closed_record(ctx: Context) -> None:
    key = ctx.records.open("Bug", REQ, ANSWERS).key
    with pytest.raises(UsageError, match="nothing to document") as info:
        document(ctx, key, REQ, {})
    assert info.value.hint == 'hotfix document HF-1 --field root_cause="…" --field follow_up="…"'
    with pytest.raises(UsageError, match="'Root' is not a field name"):
        document(ctx, key, REQ, {"Root": "x"})
    ctx.records.act(key, "reject", LEE, {})
    ctx.records.act(key, "close", LEE, {})
    with pytest.raises(GuardRefused, match="HF-1 is closed"):
        document(ctx, key, REQ, {"root_cause": "late"})


def test_defer_after_a_verified_rollback_then_close(ctx: Context) -> None:
    key = ctx.records.open("Login broke with the deploy", REQ, ROLL_BACK_FIRST).key
    for action, payload in (("approve", {}), ("rollback", {"to": "v1.0.0", "done": True}),
                            ("verify", {"passed": True})):
        ctx.records.act(key, action, LEE, payload)
    with pytest.raises(UsageError, match="a deferral needs a reason"):
        defer(ctx, key, REQ, "  ")
    rec = defer(ctx, key, REQ, " ships with 1.3.0 ")
    assert (rec.kind, rec.state, rec.last("defer")) == (
        "rollback", State.DEFERRED, {"reason": "ships with 1.3.0"})


def test_defer_is_refused_where_the_kind_has_no_such_step(ctx: Context) -> None:
    key = ctx.records.open("Bug", REQ, ANSWERS).key
    with pytest.raises(GuardRefused) as info:
        defer(ctx, key, REQ, "later")
    assert info.value.message.startswith(
        "cannot defer HF-1: it is a service record, which has no defer step")
    assert info.value.hint == "next step: hotfix approve HF-1 --as APPROVER"
