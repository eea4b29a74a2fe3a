"""Unplanned work per sprint: hand-computed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hotfix.domain.metrics.unplanned import Sprints, Work, counts, per_sprint

T0 = datetime(2026, 1, 5, tzinfo=UTC)
H, D = timedelta(hours=1), timedelta(days=1)
SPRINTS = Sprints(date(2026, 1, 5), 14)
WORK = [
    # spans the end of sprint 1: 2 d in sprint 1, 1 d in sprint 2
    Work("HF-1", "SEV1", "hotfix", T0 + 12 * D, T0 + 15 * D,
         [(T0 + 12 * D, "dana@x", 3600), (T0 + 14 * D + H, "lee@x", 1800)]),
    Work("HF-2", "SEV3", "content", T0 + 20 * D, T0 + 20 * D + 2 * H,
         [(T0 + 20 * D + H, "dana@x", 600)]),
]


def test_wall_time_is_split_across_sprints_and_logged_work_falls_where_logged() -> None:
    first, second = per_sprint(WORK, SPRINTS, T0, T0 + 28 * D)
    assert first.sprint == "2026-01-05…2026-01-18"
    assert (first.hotfixes, first.wall_seconds, first.by_person) == (
        1, (2 * D).total_seconds(), {"dana@x": 3600})
    assert (second.hotfixes, second.wall_seconds, second.logged_seconds) == (
        2, (D + 2 * H).total_seconds(), 2400)
    assert second.by_person == {"lee@x": 1800, "dana@x": 600}


def test_counts_by_severity_and_route() -> None:
    assert counts(WORK, T0, T0 + 28 * D) == {
        "by_severity": {"SEV1": 1, "SEV3": 1}, "by_route": {"hotfix": 1, "content": 1}}
    assert counts(WORK, T0 + 13 * D, T0 + 28 * D)["by_severity"] == {"SEV3": 1}


def test_a_sprint_of_no_days_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        Sprints(date(2026, 1, 5), 0)
