"""Scheduling a content change on a manual clock: the zone is exact at every instant from
the schedule alone, the job logs each move once when due (and what was missed), a person's
next step cancels what is still to come, and bad times are refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.store.content_memory import MemoryContentCatalogs
from hotfix.domain.content.catalog import Catalog
from hotfix.errors import UsageError
from hotfix.services.content.changes import ContentDesk

from .test_changes import LEAD, MKT, T0, desk  # noqa: F401  (the fixture)


def approved(desk: ContentDesk, deadline: str = "2026-12-20") -> str:  # noqa: F811
    key = desk.change("shipping-deadline", {"deadline": deadline, "note": "<p>by</p>"}, MKT).key
    desk.records_for(Catalog({}, {}, {})).act(key, "approve", LEAD, {})
    return key


def clock(desk: ContentDesk) -> ManualClock:  # noqa: F811
    assert isinstance(desk.clock, ManualClock)
    return desk.clock


def test_a_schedule_goes_live_at_its_start_and_off_at_its_end_in_its_time_zone(
        desk: ContentDesk) -> None:  # noqa: F811
    key = approved(desk)
    rec = desk.schedule(key, MKT, "2026-12-18T09:00", "2026-12-24T00:00", "Europe/Berlin")
    assert rec.state.value == "scheduled"
    payload = rec.last("schedule")
    assert payload is not None
    assert payload["start"] == "2026-12-18T08:00:00+00:00"  # 09:00 in Berlin, winter
    assert payload["end"] == "2026-12-23T23:00:00+00:00"
    start = datetime(2026, 12, 18, 8, 0, tzinfo=UTC)
    clock(desk).advance((start - T0).total_seconds() - 1)
    assert desk.zone("shipping").key is None
    assert desk.run_due() == []
    clock(desk).advance(1)
    live = desk.zone("shipping")  # exact before any job ran
    assert (live.key, live.published_at) == (key, start)
    assert desk.run_due() == [(key, "publish")]
    assert desk.run_due() == []  # logged once
    published = desk.records_for(Catalog({}, {}, {})).get(key)
    assert published.state.value == "published"
    assert desk.zone("shipping").published_at == start  # the job's event adds nothing
    clock(desk).advance(6 * 86400)  # past the end
    assert desk.zone("shipping").key is None
    assert desk.run_due() == [(key, "expire")]
    rec = desk.records_for(Catalog({}, {}, {})).get(key)
    assert rec.state.value == "expired"
    assert [e.kind for e in rec.events][-3:] == ["schedule", "publish", "expire"]
    assert rec.last("expire") == {"zone": "shipping", "scheduled": True,
                                  "due": "2026-12-23T23:00:00+00:00"}


def test_what_was_missed_is_applied_in_one_run(desk: ContentDesk) -> None:  # noqa: F811
    first, second = approved(desk, "2026-12-18"), approved(desk, "2026-12-20")
    desk.schedule(first, MKT, "2026-12-05T00:00", "2026-12-06T00:00")
    desk.schedule(second, MKT, "2026-12-05T12:00", None)
    clock(desk).advance(10 * 86400)  # the server was down the whole time
    assert desk.zone("shipping").key == second
    assert sorted(desk.run_due()) == [(first, "publish"), (second, "publish")]
    assert desk.run_due() == [(first, "expire")]  # its end is due once it is published
    assert desk.zone("shipping").key == second


def test_a_new_draft_cancels_the_schedule(desk: ContentDesk) -> None:  # noqa: F811
    key = approved(desk)
    desk.schedule(key, MKT, "2026-12-05T00:00", None)
    desk.draft(key, "shipping-deadline", {"deadline": "2026-12-21", "note": "x"}, MKT)
    clock(desk).advance(5 * 86400)
    assert desk.zone("shipping").key is None
    assert desk.run_due() == []


def test_a_revert_cancels_the_end_still_to_come(desk: ContentDesk) -> None:  # noqa: F811
    key = approved(desk)
    desk.schedule(key, MKT, "2026-12-03T00:00", "2026-12-10T00:00")
    clock(desk).advance(2 * 86400)
    assert desk.run_due() == [(key, "publish")]
    desk.revert(key, MKT)
    clock(desk).advance(10 * 86400)
    assert desk.run_due() == []
    assert desk.zone("shipping").key is None


@pytest.mark.parametrize(("start", "end", "tz", "says"), [
    ("2026-12-18T09:00", "2026-12-18T08:00", "UTC", "end '2026-12-18T08:00'"),
    ("2026-12-18T09:00", "2026-12-18T09:00", "UTC", "is not after start"),
    (None, "2026-12-01T00:00", "UTC", "end '2026-12-01T00:00' is in the past"),
    ("2026-12-01T00:00", None, "UTC", "start '2026-12-01T00:00' is in the past"),
    ("18/12 9am", None, "UTC", "start '18/12 9am' is not an ISO date-time"),
    ("2026-12-18T09:00", None, "Mars/Olympus", "--tz 'Mars/Olympus' is not a time zone"),
])
def test_bad_times_are_refused_naming_the_field(desk: ContentDesk, start: str | None,  # noqa: F811
                                                end: str | None, tz: str, says: str) -> None:
    key = approved(desk)
    with pytest.raises(UsageError, match=says.replace("(", r"\(")):
        desk.schedule(key, MKT, start, end, tz)
    assert desk.records_for(Catalog({}, {}, {})).get(key).state.value == "approved"


def test_a_project_that_never_synced_a_catalog_has_nothing_due(desk: ContentDesk) -> None:  # noqa: F811
    empty = ContentDesk(MemoryContentCatalogs(), desk.records_for, desk.clock, ())
    assert empty.run_due() == []  # the server's schedule job runs for every project each tick
