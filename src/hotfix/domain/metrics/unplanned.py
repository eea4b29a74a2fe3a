"""Unplanned work: the time hotfixes cost, per sprint and per person, and how many by
severity and route.

Sprints are fixed-length windows from a configured first day (``metrics.sprint_start``,
``metrics.sprint_days``). Logged work (``hotfix time``) falls in the sprint it was logged
in; a hotfix's wall time (opened → closed, or now) is split across the sprints it spans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any


@dataclass(frozen=True)
class Sprints:
    start: date
    days: int

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"a sprint lasts at least one day, not {self.days}")

    def index(self, at: datetime) -> int:
        return (at.date() - self.start).days // self.days

    def bounds(self, index: int) -> tuple[datetime, datetime]:
        first = datetime.combine(self.start + timedelta(days=index * self.days), time(),
                                 tzinfo=UTC)
        return first, first + timedelta(days=self.days)

    def name(self, index: int) -> str:
        first, end = self.bounds(index)
        return f"{first:%Y-%m-%d}…{(end - timedelta(days=1)):%Y-%m-%d}"


@dataclass(frozen=True)
class Work:
    """One hotfix as the metrics see it."""

    key: str
    severity: str | None
    route: str | None
    opened: datetime
    ended: datetime  # closed, or now
    logged: Sequence[tuple[datetime, str, int]]  # (when, who, seconds)


@dataclass(frozen=True)
class SprintWork:
    sprint: str
    hotfixes: int  # open during the sprint
    wall_seconds: float
    logged_seconds: int
    by_person: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"sprint": self.sprint, "hotfixes": self.hotfixes,
                "wall_seconds": round(self.wall_seconds, 1),
                "logged_seconds": self.logged_seconds, "by_person": dict(self.by_person)}


def per_sprint(work: Iterable[Work], sprints: Sprints, since: datetime,
               until: datetime) -> list[SprintWork]:
    """Each sprint that overlaps ``[since, until)``, oldest first."""
    items = list(work)
    out = []
    for index in range(sprints.index(since), sprints.index(until - timedelta(microseconds=1)) + 1):
        first, end = sprints.bounds(index)
        lo, hi = max(first, since), min(end, until)
        wall, count, by_person = 0.0, 0, Counter[str]()
        for w in items:
            overlap = (min(w.ended, hi) - max(w.opened, lo)).total_seconds()
            if overlap > 0 or (lo <= w.opened < hi):
                count += 1
                wall += max(overlap, 0.0)
            for at, who, seconds in w.logged:
                if lo <= at < hi:
                    by_person[who] += seconds
        out.append(SprintWork(sprints.name(index), count, wall, sum(by_person.values()),
                              dict(by_person)))
    return out


def counts(work: Iterable[Work], since: datetime, until: datetime) -> dict[str, dict[str, int]]:
    """Hotfixes opened in the window, by severity and by route."""
    opened = [w for w in work if since <= w.opened < until]
    return {"by_severity": dict(Counter(w.severity or "untriaged" for w in opened)),
            "by_route": dict(Counter(w.route or "untriaged" for w in opened))}
