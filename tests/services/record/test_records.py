"""The record service (``LocalRecords``) on the memory store and a manual clock: no disk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.store.memory import MemoryStore
from hotfix.config import load_config
from hotfix.domain.record.lifecycle import State
from hotfix.errors import ConfigError, GuardRefused, NotFound, UsageError
from hotfix.services.record.records import LocalRecords, RecordSettings, answers_with
from hotfix.wiring import open_context

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
REQ, LEE, KIM = "dana@example.com", "lee@example.com", "kim@example.com"
ANSWERS = {"significant": "yes", "users_affected": "60%", "workaround": "no"}  # SEV2, hotfix


class Desk:
    """A record service over one memory store, with the clock it reads."""

    def __init__(self, tmp_path: Path, store: MemoryStore | None = None,
                 **settings: Any) -> None:
        self.store = store or MemoryStore()
        self.clock = ManualClock(T0)
        cfg = load_config(tmp_path, {}, settings)  # no hotfix.toml there: defaults, then these
        self.records = LocalRecords(self.store, RecordSettings.from_config(cfg), self.clock)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return Desk(tmp_path, **{"approvals.approvers": [LEE, KIM]})


def kinds(desk: Desk, key: str) -> list[str]:
    return [e.kind for e in desk.records.get(key).events]


def test_open_without_answers_is_reported_and_with_them_triaged(desk: Desk) -> None:
    bare = desk.records.open("  Slow search  ", REQ)
    assert (bare.key, bare.title, bare.state, bare.requester) == (
        "HF-1", "Slow search", State.REPORTED, REQ)
    triaged = desk.records.open("Checkout 500", REQ, ANSWERS)
    assert (triaged.key, triaged.state) == ("HF-2", State.TRIAGED)
    assert triaged.triage is not None
    assert (triaged.triage["severity"], triaged.triage["route"]) == ("SEV2", "hotfix")
    assert kinds(desk, "HF-2") == ["open", "triage"]
    assert triaged.opened_at == T0


def test_a_title_is_needed(desk: Desk) -> None:
    with pytest.raises(UsageError, match="needs a title") as info:
        desk.records.open("   ", REQ)
    assert info.value.hint == 'hotfix open "Checkout returns 500 …"'
    assert desk.store.all_events() == {}


def test_bad_answers_are_refused_before_anything_is_written(desk: Desk) -> None:
    with pytest.raises(UsageError) as info:
        desk.records.open("Bug", REQ, {**ANSWERS, "users_affected": "150%"})
    assert info.value.hint == "see docs/triage.md for the questions and rubric"
    assert desk.store.all_events() == {}


def test_triage_merges_new_answers_over_the_last_ones(desk: Desk) -> None:
    key = desk.records.open("Slow search", REQ).key
    partial = desk.records.triage(key, REQ, {"significant": "no"})
    assert partial.state is State.REPORTED
    assert partial.last("triage") == {"answers": {"significant": "no"}, "decision": None,
                                      "missing": ["users_affected", "workaround"],
                                      "kind": "service"}
    done = desk.records.triage(key, REQ, {"users_affected": "0.01", "workaround": "yes"})
    assert (done.state, done.triage and done.triage["route"]) == (State.DEFERRED, "next-release")
    assert answers_with(done, {"workaround": "no"}) == {
        "significant": "no", "users_affected": "0.01", "workaround": "no"}


def test_approve_refusals_cannot_be_overridden(desk: Desk) -> None:
    key = desk.records.open("Bug", REQ, ANSWERS).key
    with pytest.raises(GuardRefused, match=f"{REQ} requested HF-1 and cannot approve it"):
        desk.records.act(key, "approve", REQ, {}, override="I really want to")
    with pytest.raises(GuardRefused, match="sam@x is not an approver"):
        desk.records.act(key, "approve", "sam@x", {})
    assert desk.records.act(key, "approve", LEE, {"note": "go"}).state is State.APPROVED
    assert kinds(desk, key) == ["open", "triage", "approve"]


def test_approvals_needed_come_from_the_records_own_settings(tmp_path: Path) -> None:
    desk = Desk(tmp_path, **{"approvals.required": {"SEV2": 2}})
    key = desk.records.open("Bug", REQ, ANSWERS).key
    once = desk.records.act(key, "approve", LEE, {})
    assert (once.state, once.approvals) == (State.TRIAGED, (LEE,))
    with pytest.raises(GuardRefused, match=f"{LEE} already approved HF-1") as info:
        desk.records.act(key, "approve", LEE, {})
    assert info.value.hint == "a second approval must come from someone else"
    assert desk.records.act(key, "approve", KIM, {}).state is State.APPROVED


def test_a_refused_action_says_what_to_do_and_writes_nothing(desk: Desk) -> None:
    key = desk.records.open("Bug", REQ, ANSWERS).key
    with pytest.raises(GuardRefused) as info:
        desk.records.act(key, "start", REQ, {})
    assert info.value.message == ("cannot start HF-1: it is triaged "
                                  "(allowed from: approved)")
    # `hotfix start` takes no --override, so the hint does not offer one
    assert info.value.hint == "next step: hotfix approve HF-1 --as APPROVER"
    assert kinds(desk, key) == ["open", "triage"]


def test_only_approvers_override_and_an_override_is_recorded_first(desk: Desk) -> None:
    key = desk.records.open("Bug", REQ, ANSWERS).key
    with pytest.raises(GuardRefused, match=f"{REQ} cannot override: only approvers can") as info:
        desk.records.act(key, "start", REQ, {}, override="urgent")
    assert "[approvals] approvers" in (info.value.hint or "")
    desk.clock.advance(60)
    forced = desk.records.act(key, "start", LEE, {"facts": {"branch": "hotfix/1.1.1"}},
                              override="urgent")
    assert forced.state is State.IN_PROGRESS
    override, start = forced.events[-2:]
    assert (override.kind, override.actor, override.payload) == ("override", LEE, {
        "action": "start", "reason": "urgent",
        "refused": "cannot start HF-1: it is triaged (allowed from: approved)"})
    assert (start.kind, start.payload) == ("start", {"facts": {"branch": "hotfix/1.1.1"},
                                                     "override": True})
    assert start.at == override.at == forced.state_entered_at
    assert forced == desk.records.get(key)  # what act returns is what is recorded


def test_close_is_refused_until_folded_back_and_closed_is_final(desk: Desk) -> None:
    key = desk.records.open("Bug", REQ, ANSWERS).key
    desk.records.act(key, "approve", LEE, {})
    with pytest.raises(GuardRefused, match="cannot close HF-1: it is approved") as info:
        desk.records.act(key, "close", REQ, {})
    assert "--override" in (info.value.hint or "")
    closed = desk.records.act(key, "close", LEE, {"note": "dup"}, override="duplicate")
    assert closed.state is State.CLOSED
    with pytest.raises(GuardRefused, match="HF-1 is closed; nothing more") as info:
        desk.records.act(key, "reject", LEE, {}, override="reopen it")
    assert "open a new hotfix" in (info.value.hint or "")
    assert kinds(desk, key)[-2:] == ["override", "close"]


def test_keys_in_any_case_or_bare_and_unknown_or_malformed_ones(desk: Desk) -> None:
    desk.records.open("Bug", REQ)
    assert desk.records.get("hf-1").key == desk.records.get(" 1 ").key == "HF-1"
    with pytest.raises(NotFound, match=r"^there is no hotfix HF-7$") as missing:
        desk.records.get("HF-7")
    assert missing.value.hint == "see them all: hotfix list"
    with pytest.raises(NotFound, match=r"^there is no hotfix HF-7$"):
        desk.records.act("HF-7", "approve", LEE, {})
    with pytest.raises(UsageError, match="'XY-9' is not a hotfix id") as bad:
        desk.records.get("XY-9")
    assert bad.value.hint == "ids look like HF-1 (ASCII digits, from 1); see them all: hotfix list"


@pytest.mark.parametrize("key", ["HF-99999999999999999999", "HF-2147483648", "HF-١",
                                 "١", "HF-１", "HF-0", "HF--1", "HF-1.0"])
def test_ids_are_bounded_ascii_numbers(desk: Desk, key: str) -> None:
    desk.records.open("Bug", REQ)
    with pytest.raises(UsageError, match=r"is not a hotfix id"):
        desk.records.get(key)
    with pytest.raises(UsageError, match=r"is not a hotfix id"):
        desk.records.act(key, "approve", LEE, {})


def test_the_largest_id_reads_as_missing_not_as_a_crash(desk: Desk) -> None:
    with pytest.raises(NotFound, match=r"^there is no hotfix HF-2147483647$"):
        desk.records.get("HF-2147483647")


@pytest.mark.parametrize(("actor", "problem"), [
    ("", "the actor is empty"), ("   ", "the actor is empty"),
    ("alice", "the actor 'alice' is not an email"),
    ("a b@x", "the actor 'a b@x' is not an email"), ("@x", "is not an email"),
])
def test_actors_are_non_empty_emails(desk: Desk, actor: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem) as refused:
        desk.records.open("Bug", actor)
    assert "--as you@example.com" in (refused.value.hint or "")
    key = desk.records.open("Bug", REQ).key
    with pytest.raises(UsageError, match=problem):
        desk.records.act(key, "approve", actor, {})
    with pytest.raises(UsageError, match=problem):
        desk.records.log_time(key, actor, "1h")
    assert [e.kind for e in desk.records.get(key).events] == ["open"]


def test_the_prefix_is_a_setting(tmp_path: Path) -> None:
    desk = Desk(tmp_path, **{"records.prefix": "BUG"})
    assert desk.records.open("Bug", REQ).key == "BUG-1"
    assert desk.records.get("bug-1").number == 1
    with pytest.raises(UsageError, match="'HF-1' is not a hotfix id"):
        desk.records.get("HF-1")


def test_time_logged_and_wall_time_per_state(desk: Desk) -> None:
    key = desk.records.open("Bug", REQ, ANSWERS).key
    desk.clock.advance(600)
    desk.records.act(key, "approve", LEE, {})
    desk.records.log_time(key, REQ, "45m", "looked")
    desk.records.log_time(key, LEE, "1h")
    desk.clock.advance(300)
    with pytest.raises(UsageError, match="cannot read 'soon' as a duration"):
        desk.records.log_time(key, LEE, "soon")
    report = desk.records.timing(key)
    assert report.per_state == {"reported": 0.0, "triaged": 600.0, "approved": 300.0}
    assert (report.wall_seconds, report.active_seconds) == (900.0, 6300)
    assert report.active_by_person == {REQ: 2700, LEE: 3600}
    assert desk.records.get(key).last("time") == {"seconds": 3600, "person": LEE, "note": ""}


def test_verify_finds_an_altered_event(desk: Desk) -> None:
    key = desk.records.open("Bug", REQ, ANSWERS).key
    desk.records.act(key, "approve", LEE, {"note": "go"})
    assert desk.records.verify(key).to_dict() == {"ok": True, "checked": 3, "bad_seq": None,
                                                  "problem": None}
    rows = desk.store.rows[1]
    rows[2] = rows[2]._replace(payload='{"note":"no"}')
    report = desk.records.verify(key)
    assert (report.ok, report.bad_seq) == (False, 3)
    del rows[2]  # removing the newest event is caught by the recorded head
    assert desk.records.verify(key).problem == (
        "the record ends at event 2 but its head says 3: events were removed or the head "
        "was altered")


def test_list_every_record_or_those_in_some_states(desk: Desk) -> None:
    desk.records.open("A", REQ, ANSWERS)
    desk.records.open("B", REQ)
    desk.records.act("HF-1", "approve", LEE, {})
    assert [r.key for r in desk.records.list()] == ["HF-1", "HF-2"]
    assert [r.key for r in desk.records.list({"reported"})] == ["HF-2"]
    assert [r.key for r in desk.records.list({"approved", "reported"})] == ["HF-1", "HF-2"]
    assert desk.records.list({"closed"}) == []


def test_two_services_over_one_store_each_decide_with_their_own_settings(
        tmp_path: Path) -> None:
    laptop = Desk(tmp_path)  # no approvers configured: anyone but the requester approves
    server = Desk(tmp_path, laptop.store, **{"approvals.approvers": [LEE]})
    key = laptop.records.open("Bug", REQ, ANSWERS).key
    with pytest.raises(GuardRefused, match="sam@x is not an approver"):
        server.records.act(key, "approve", "sam@x", {})
    assert laptop.records.act(key, "approve", "sam@x", {}).state is State.APPROVED


def test_wiring_takes_a_store_and_no_setting_selects_the_fake(repo: Path) -> None:
    memory = MemoryStore()
    ctx = open_context(repo, {}, store=memory, clock=ManualClock(T0))
    rec = ctx.records.open("Bug", REQ)
    assert (ctx.records.location, rec.opened_at) == ("memory", T0)
    assert (ctx.cache, ctx.waivers) == (memory.cache, memory.waivers)
    ctx.close()
    assert not (repo / ".hotfix").exists()  # nothing on disk
    with pytest.raises(ConfigError, match=r"database\.url is not a database URL"):
        open_context(repo, {}, {"database.url": "memory"})


def test_people_are_compared_trimmed_and_case_insensitive(tmp_path: Path) -> None:
    desk = Desk(tmp_path, **{"approvals.approvers": ["Lee@Example.com", REQ.upper()],
                             "approvals.required": {"SEV2": 2}})
    key = desk.records.open("Checkout 500", REQ, ANSWERS).key
    with pytest.raises(GuardRefused, match="cannot approve"):
        desk.records.act(key, "approve", f" {REQ.upper()} ", {})
    desk.records.act(key, "approve", "LEE@example.com", {})
    with pytest.raises(GuardRefused, match="already approved"):
        desk.records.act(key, "approve", "lee@EXAMPLE.com", {})
    assert desk.records.get(key).state is State.TRIAGED  # one person is one approval
