"""How many approvals a content change needs (``content.approvals``, pinned into its draft)
and who may give them (the record's approvers of content changes: a team server's holders
of ``content.approver_roles``), on the memory store and a manual clock."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.store.content_memory import MemoryContentCatalogs
from hotfix.adapters.store.memory import MemoryStore
from hotfix.config import load_config
from hotfix.domain.content.approval import zone_approvals
from hotfix.domain.content.catalog import CHECKOUT_PATHS, Catalog
from hotfix.errors import ConfigError, GuardRefused
from hotfix.services.content.catalog import ContentSettings, sync
from hotfix.services.content.changes import ContentDesk, deciding_with
from hotfix.services.record.records import LocalRecords, RecordSettings
from tests.services.content.test_changes import ENG, LEAD, MKT, MKT2, T0, approve, body

LEAD2 = "lou@shop.example"
VALUES = {"deadline": "2026-12-18", "note": "<p>order by</p>"}


def make_desk(tmp_path: Path, needed: tuple[tuple[str, int], ...] = (),
              content_approvers: tuple[str, ...] | None = None) -> ContentDesk:
    """A desk whose approvers are LEAD and LEAD2 ([approvals] approvers), and who approves
    content changes ``content_approvers`` (None: those approvers)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "hotfix.toml").write_text(
        f'[approvals]\napprovers = ["{LEAD}", "{LEAD2}"]\n')
    clock = ManualClock(T0)
    settings = replace(RecordSettings.from_config(load_config(tmp_path, {})),
                       content_approvers=content_approvers)
    records = LocalRecords(MemoryStore(), settings, clock)

    def records_for(catalog: Catalog) -> LocalRecords:
        return deciding_with(records, catalog)

    desk = ContentDesk(MemoryContentCatalogs(), records_for, clock, CHECKOUT_PATHS,
                       settings.approvers, needed=needed)
    synced = body()
    sync(desk.catalogs, synced, ENG, clock, CHECKOUT_PATHS)
    approve(desk, synced)
    return desk


def test_a_zone_needing_two_cannot_publish_after_one_and_can_after_two(
        tmp_path: Path) -> None:
    desk = make_desk(tmp_path, (("ship*", 2),))
    key = desk.change("shipping-deadline", VALUES, MKT).key
    assert desk.approve_change(key, LEAD).state.value == "drafted"
    with pytest.raises(GuardRefused) as refused:
        desk.publish(key, MKT)
    assert refused.value.message.startswith(
        f"{key} has 1 of the 2 approvals a change to zone 'shipping' needs (by {LEAD}): "
        "1 more missing")
    with pytest.raises(GuardRefused, match="already approved"):
        desk.approve_change(key, LEAD)  # never twice by one person
    assert desk.approve_change(key, LEAD2).state.value == "approved"
    assert desk.publish(key, MKT).state.value == "published"
    assert desk.zone("shipping").key == key


def test_the_count_is_pinned_into_the_draft_a_later_setting_leaves_it(
        tmp_path: Path) -> None:
    desk = make_desk(tmp_path, (("shipping", 2),))
    key = desk.change("shipping-deadline", VALUES, MKT).key
    records = desk.records_for(Catalog({}, {}, {}))
    assert records.get(key).last("draft")["approvals_required"] == 2
    relaxed = replace(desk, needed=())  # the setting changed after the draft
    assert relaxed.approve_change(key, LEAD).state.value == "drafted"
    again = relaxed.draft(key, "shipping-deadline", VALUES, MKT)  # a new draft: the new count
    assert again.last("draft")["approvals_required"] == 1
    assert relaxed.approve_change(key, LEAD).state.value == "approved"


def test_an_unnamed_zone_needs_what_its_severity_needs(tmp_path: Path) -> None:
    desk = make_desk(tmp_path, (("cart-*", 3),))
    key = desk.change("shipping-deadline", VALUES, MKT).key
    assert desk.approve_change(key, LEAD).state.value == "approved"


def test_a_marketer_approves_only_when_counted_never_their_own(tmp_path: Path) -> None:
    default = make_desk(tmp_path / "a")
    key = default.change("shipping-deadline", VALUES, MKT).key
    with pytest.raises(GuardRefused, match=f"{MKT2} is not an approver"):
        default.approve_change(key, MKT2)
    configured = make_desk(tmp_path / "b", content_approvers=(LEAD, MKT, MKT2))
    key = configured.change("shipping-deadline", VALUES, MKT).key
    with pytest.raises(GuardRefused, match=f"{MKT} requested {key} and cannot approve it"):
        configured.approve_change(key, MKT)
    assert configured.approve_change(key, MKT2).state.value == "approved"
    # a code hotfix still needs the project's approvers
    records = configured.records_for(Catalog({}, {}, {}))
    code = records.open("Checkout 500", ENG, {"significant": True, "users_affected": 0.5,
                                              "workaround": False, "change_kind": "code"})
    with pytest.raises(GuardRefused, match="is not an approver"):
        records.act(code.key, "approve", MKT2, {})


def test_zone_approvals_exact_name_wins_else_the_highest_glob() -> None:
    rules = (("cart-*", 2), ("*", 1), ("cart-banner", 3), ("cart-?anner", 4))
    assert zone_approvals("cart-banner", rules) == 3
    assert zone_approvals("cart-hero", rules) == 2
    assert zone_approvals("shipping", rules) == 1
    assert zone_approvals("shipping", ()) is None


@pytest.mark.parametrize(("toml", "says"), [
    ('[content]\napprovals = {"cart-banner" = 0}\n', "not a whole number of 1 or more"),
    ('[content]\napprover_roles = ["marketeer"]\n', "names no role marketeer"),
])
def test_a_bad_setting_is_refused_at_start(tmp_path: Path, toml: str, says: str) -> None:
    (tmp_path / "hotfix.toml").write_text(toml)
    with pytest.raises(ConfigError, match=says):
        ContentSettings.from_config(load_config(tmp_path, {}))
