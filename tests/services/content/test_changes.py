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
from hotfix.domain.content.catalog import CHECKOUT_PATHS, Catalog
from hotfix.errors import GuardRefused, NotFound, PolicyViolation, UsageError
from hotfix.services.content.catalog import sync
from hotfix.services.content.changes import ContentDesk, deciding_with
from hotfix.services.record.records import LocalRecords, RecordSettings

MKT, MKT2, ENG, LEAD = ("mia@shop.example", "max@shop.example", "eng@shop.example",
                        "lead@shop.example")
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DEADLINE: dict[str, Any] = {"zone": "shipping", "approved": True, "author": ENG,
                            "approved_by": LEAD, "slots": {
                                "deadline": {"type": "date"},
                                "note": {"type": "rich_text", "max_length": 200}}}


def body(**templates: Any) -> dict[str, Any]:
    return {"zones": {"shipping": {"paths": ["/", "/products/*"]}},
            "templates": {"shipping-deadline": DEADLINE, **templates}}


@pytest.fixture
def desk(tmp_path: Path) -> ContentDesk:
    clock = ManualClock(T0)
    records = LocalRecords(MemoryStore(), RecordSettings.from_config(
        load_config(tmp_path, {})), clock)

    def records_for(catalog: Catalog) -> LocalRecords:
        return deciding_with(records, catalog)

    desk = ContentDesk(MemoryContentCatalogs(), records_for, clock, CHECKOUT_PATHS)
    sync(desk.catalogs, body(), ENG, clock, CHECKOUT_PATHS)
    return desk


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
                                    "template_digest": record.last("draft")["template_digest"]}


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
    sync(desk.catalogs, body(**{"draft-only": {**DEADLINE, "approved": False}}), ENG,
         desk.clock, CHECKOUT_PATHS)
    with pytest.raises(error, match=says) as refused:
        desk.change(name, {"deadline": "2026-12-18", "note": "x"}, MKT)
    assert "code hotfix" in str(getattr(refused.value, "hint", ""))


def test_a_bad_value_names_the_slot_and_nothing_is_opened(desk: ContentDesk) -> None:
    with pytest.raises(UsageError, match=r"slot 'deadline'.*rule: future"):
        desk.change("shipping-deadline", {"deadline": "2026-12-01", "note": "x"}, MKT)
    assert desk.records_for(Catalog({}, {}, {})).list() == []


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
