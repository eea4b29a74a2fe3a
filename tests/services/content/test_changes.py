"""The content desk on the memory store and catalogs, a manual clock: sync, change, approve,
publish, revert, and what the zone shows after each."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.store.content_memory import MemoryContentCatalogs
from hotfix.adapters.store.memory import MemoryStore
from hotfix.config import load_config
from hotfix.domain.content.approval import APPROVE_TEMPLATE, CATALOG_TITLE
from hotfix.domain.content.catalog import CHECKOUT_PATHS, Catalog, template_digest
from hotfix.domain.record.events import verify_chain
from hotfix.errors import GuardRefused, NotFound, PolicyViolation, UsageError
from hotfix.services.content.catalog import sync
from hotfix.services.content.changes import ContentDesk, deciding_with
from hotfix.services.record.records import LocalRecords, RecordSettings

MKT, MKT2, ENG, LEAD = ("mia@shop.example", "max@shop.example", "eng@shop.example",
                        "lead@shop.example")
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DEADLINE: dict[str, Any] = {"zone": "shipping", "author": ENG, "slots": {
                                "deadline": {"type": "date"},
                                "note": {"type": "rich_text", "max_length": 200}}}


def body(**templates: Any) -> dict[str, Any]:
    return {"zones": {"shipping": {"paths": ["/", "/products/*"]}},
            "templates": {"shipping-deadline": DEADLINE, **templates}}


def synced_desk(tmp_path: Path, synced: dict[str, Any]) -> ContentDesk:
    """A desk on a manual clock whose catalog is ``synced`` by ENG, every template of it
    approved by LEAD."""
    clock = ManualClock(T0)
    records = LocalRecords(MemoryStore(), RecordSettings.from_config(
        load_config(tmp_path, {})), clock)

    def records_for(catalog: Catalog) -> LocalRecords:
        return deciding_with(records, catalog)

    desk = ContentDesk(MemoryContentCatalogs(), records_for, clock, CHECKOUT_PATHS)
    sync(desk.catalogs, synced, ENG, clock, CHECKOUT_PATHS)
    for name in synced["templates"]:
        approve(desk, synced, name)
    return desk


@pytest.fixture
def desk(tmp_path: Path) -> ContentDesk:
    return synced_desk(tmp_path, body())


def approve(desk: ContentDesk, synced: dict[str, Any], name: str = "shipping-deadline",
            by: str = LEAD) -> str:
    """``by`` approves ``name`` as ``synced`` has it; the record the approval is on."""
    return desk.approve(name, template_digest(synced, name), by)[0].record


def changes(desk: ContentDesk) -> list[str]:
    """The content changes on the record (the approvals' own record aside)."""
    return [r.key for r in desk.records_for(Catalog({}, {}, {})).list()
            if r.title != CATALOG_TITLE]


def published(desk: ContentDesk, deadline: str, by: str = MKT) -> str:
    key = desk.change("shipping-deadline", {"deadline": deadline, "note": "<p>order by</p>"},
                      by).key
    records = desk.records_for(Catalog({}, {}, {}))
    records.act(key, "approve", LEAD, {})
    assert desk.publish(key, by).state.value == "published"
    assert isinstance(desk.clock, ManualClock)
    desk.clock.advance(60)
    return key


def test_publish_shows_the_values_and_revert_brings_back_the_previous(
        desk: ContentDesk) -> None:
    assert desk.zone("shipping").values == {}
    first = published(desk, "2026-12-18")
    second = published(desk, "2026-12-20")
    live = desk.zone("shipping")
    assert (live.key, live.values["deadline"]) == (second, "2026-12-20")
    assert desk.revert(second, MKT).state.value == "reverted"
    assert (desk.zone("shipping").key, desk.zone("shipping").values["deadline"]) == (
        first, "2026-12-18")
    desk.revert(first, MKT)
    assert desk.zone("shipping").key is None


def test_a_change_is_a_content_record_with_every_step_an_event(desk: ContentDesk) -> None:
    key = published(desk, "2026-12-18")
    desk.revert(key, MKT)
    record = desk.records_for(Catalog({}, {}, {})).get(key)
    assert record.kind == "content"
    assert [e.kind for e in record.events] == [
        "open", "triage", "draft", "approve", "publish", "revert"]
    assert record.last("draft") == {"template": "shipping-deadline", "zone": "shipping",
                                    "values": {"deadline": "2026-12-18",
                                               "note": "<p>order by</p>"},
                                    "catalog_version": 1, "over": None,
                                    "template_digest": record.last("draft")["template_digest"],
                                    "approvals_required": 1}


def test_publish_needs_the_approval_the_kind_asks(desk: ContentDesk) -> None:
    key = desk.change("shipping-deadline", {"deadline": "2026-12-18", "note": "x"}, MKT).key
    with pytest.raises(GuardRefused):
        desk.publish(key, MKT)
    assert desk.zone("shipping").key is None


@pytest.mark.parametrize(("name", "error", "says"), [
    ("banner", NotFound, "there is no content template 'banner'"),
    ("draft-only", PolicyViolation, "template 'draft-only' is not approved"),
])
def test_an_unknown_or_unapproved_template_is_refused_with_what_to_do(
        desk: ContentDesk, name: str, error: type[Exception], says: str) -> None:
    sync(desk.catalogs, body(**{"draft-only": {**DEADLINE}}), ENG, desk.clock,
         CHECKOUT_PATHS)  # synced, never approved
    with pytest.raises(error, match=says) as refused:
        desk.change(name, {"deadline": "2026-12-18", "note": "x"}, MKT)
    assert "code hotfix" in str(getattr(refused.value, "hint", ""))


def test_a_bad_value_names_the_slot_and_nothing_is_opened(desk: ContentDesk) -> None:
    with pytest.raises(UsageError, match=r"slot 'deadline'.*rule: future"):
        desk.change("shipping-deadline", {"deadline": "2026-12-01", "note": "x"}, MKT)
    assert changes(desk) == []


def test_a_template_edited_after_the_draft_needs_a_new_change(desk: ContentDesk) -> None:
    key = desk.change("shipping-deadline", {"deadline": "2026-12-18", "note": "x"}, MKT).key
    desk.records_for(Catalog({}, {}, {})).act(key, "approve", LEAD, {})
    edited = {**DEADLINE, "slots": {**DEADLINE["slots"], "note": {"type": "text"}}}
    sync(desk.catalogs, body(**{"shipping-deadline": edited}), ENG, desk.clock, CHECKOUT_PATHS)
    with pytest.raises(PolicyViolation, match="changed since"):
        desk.publish(key, MKT)


def test_sync_keeps_every_version_and_refuses_a_checkout_zone(desk: ContentDesk) -> None:
    assert sync(desk.catalogs, body(), ENG, desk.clock, CHECKOUT_PATHS)[1] is False  # same
    sync(desk.catalogs, body(other={**DEADLINE}), ENG, desk.clock, CHECKOUT_PATHS)
    bad = {**body(), "zones": {"banner": {"paths": ["/checkout/**"]}, "shipping": {
        "paths": ["/"]}}}
    with pytest.raises(PolicyViolation, match="checkout"):
        sync(desk.catalogs, bad, ENG, desk.clock, CHECKOUT_PATHS)
    assert [v.version for v in desk.catalogs.versions()] == [1, 2]


def test_back_to_an_earlier_version_reverts_every_publish_above_it(
        desk: ContentDesk) -> None:
    first, second, third = (published(desk, f"2026-12-{d}") for d in (18, 19, 20))
    desk.revert(second, MKT)
    past = desk.history("shipping")
    assert [(p.key, p.standing, p.shown) for p in past] == [
        (first, True, False), (second, False, False), (third, True, True)]
    assert past[0].actor == MKT
    assert past[0].values["deadline"] == "2026-12-18"
    undone = desk.revert_to("shipping", first, MKT)
    assert [r.key for r in undone] == [third]
    assert (desk.zone("shipping").key, desk.zone("shipping").values["deadline"]) == (
        first, "2026-12-18")
    assert desk.revert_to("shipping", first, MKT) == []  # already shown: nothing to undo
    with pytest.raises(GuardRefused, match="not a publish still standing"):
        desk.revert_to("shipping", second, MKT)
    with pytest.raises(NotFound, match="no content zone"):
        desk.history("nowhere")


def test_an_approval_pins_the_template_so_an_edit_needs_a_new_one(desk: ContentDesk) -> None:
    edited = body(**{"shipping-deadline": {**DEADLINE, "slots": {
        **DEADLINE["slots"], "note": {"type": "rich_text", "max_length": 5000}}}})
    sync(desk.catalogs, edited, ENG, desk.clock, CHECKOUT_PATHS)
    assert desk.catalog()[1].templates["shipping-deadline"].approved is False
    with pytest.raises(PolicyViolation, match="is not approved") as refused:
        desk.change("shipping-deadline", {"deadline": "2026-12-18", "note": "x"}, MKT)
    assert "hotfix content approve shipping-deadline" in str(refused.value.hint)
    with pytest.raises(GuardRefused, match="changed since you looked"):  # what LEAD saw
        approve(desk, body())
    approve(desk, edited)
    assert desk.catalog()[1].templates["shipping-deadline"].approved_by == LEAD
    assert desk.change("shipping-deadline", {"deadline": "2026-12-18", "note": "x"},
                       MKT).state.value == "drafted"
    sync(desk.catalogs, body(), ENG, desk.clock, CHECKOUT_PATHS)  # back as first approved
    assert desk.catalog()[1].templates["shipping-deadline"].approved is True


def test_its_author_or_who_synced_it_never_approves_it(desk: ContentDesk) -> None:
    other = {**DEADLINE, "author": "ann@shop.example"}
    synced = body(promo=other)
    sync(desk.catalogs, synced, "ci@shop.example", desk.clock, CHECKOUT_PATHS)
    for who in ("ann@shop.example", " CI@shop.example", ):
        with pytest.raises(GuardRefused, match="is an author of template 'promo'"):
            approve(desk, synced, "promo", who)
    assert desk.catalog()[1].templates["promo"].approved is False
    assert approve(desk, synced, "promo", ENG)  # ENG wrote another template, not this one
    assert desk.catalog()[1].templates["promo"].approved_by == ENG


def test_only_listed_approvers_approve_when_approvers_are_listed(desk: ContentDesk) -> None:
    from dataclasses import replace

    listed = replace(desk, approvers=(LEAD,))
    synced = body(promo={**DEADLINE})
    sync(desk.catalogs, synced, ENG, desk.clock, CHECKOUT_PATHS)
    with pytest.raises(GuardRefused, match=f"{MKT} is not an approver"):
        approve(listed, synced, "promo", MKT)
    approve(listed, synced, "promo", LEAD)


def test_the_approval_is_an_event_on_the_record_and_a_second_writes_nothing(
        desk: ContentDesk) -> None:
    records = desk.records_for(Catalog({}, {}, {}))
    key = approve(desk, body())  # approved already (the fixture): the same approval back
    again, created = desk.approve("shipping-deadline", template_digest(body(), "shipping-deadline"),
                                  MKT2)
    assert (created, again.by) == (False, LEAD)
    record = records.get(key)
    assert (record.kind, record.title) == ("content", CATALOG_TITLE)
    [event] = [e for e in record.events if e.kind == APPROVE_TEMPLATE]
    assert (event.actor, event.payload["template"], event.payload["digest"]) == (
        LEAD, "shipping-deadline", template_digest(body(), "shipping-deadline"))
    assert event.payload["authors"] == [ENG]
    assert records.verify(key).ok
    forged = [e if e is not event else type(e)(**{**e.__dict__, "actor": ENG})
              for e in record.events]
    assert not verify_chain(forged).ok  # rewriting who approved breaks the chain


def test_a_sync_refuses_a_template_that_approves_itself(desk: ContentDesk) -> None:
    claims = {**DEADLINE, "approved": True, "approved_by": LEAD}
    with pytest.raises(PolicyViolation, match="hotfix content approve shipping-deadline"):
        sync(desk.catalogs, body(**{"shipping-deadline": claims}), ENG, desk.clock,
             CHECKOUT_PATHS)
    assert [v.version for v in desk.catalogs.versions()] == [1]
