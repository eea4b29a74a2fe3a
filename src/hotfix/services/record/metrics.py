"""``hotfix metrics``: the DORA measures and the unplanned work, from the record, the
deployments and git (definitions in ``hotfix.domain.metrics``; docs/metrics.md).

- Deployments: what the record of deployments knows (``hotfix deployed`` from the pipeline;
  hotfix's own promotions and production rollbacks), and every release tag of the lines
  nobody reported, at its tag's date (said as an assumption).
- Incidents: each code hotfix remedies the release it was built on (its base tag) and is
  restored when its fix is promoted (a library's: published); a roll-back-first record
  remedies the release it rolled back from and is restored when the switch is done.
- Lead time: each deployed release's commits that the release deployed before it lacked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hotfix.domain.metrics.dora import Deploy, Dora, Incident, dora
from hotfix.domain.metrics.unplanned import Sprints, SprintWork, Work, counts, per_sprint
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.record.states import State
from hotfix.errors import ConfigError, UsageError
from hotfix.services.context import Context
from hotfix.services.git.lines import tag_pattern

CODE_KINDS = ("service", "library")
_WINDOW = re.compile(r"(\d{1,6})([hdw])")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class Metrics:
    dora: Dora
    sprints: list[SprintWork]
    counts: dict[str, dict[str, int]]
    people: dict[str, int]  # logged seconds per person in the window

    def to_dict(self) -> dict[str, Any]:
        return {**self.dora.to_dict(), "sprints": [s.to_dict() for s in self.sprints],
                "hotfixes": self.counts, "logged_by_person": self.people}


def metrics(ctx: Context, since: str = "90d", until: datetime | None = None) -> Metrics:
    """The figures for the window ``since`` (a duration back from now, or a date) to now."""
    end = until or ctx.now()
    start = _since(since, end)
    records = ctx.records.list()
    deploys = _deploys(ctx, {r.key for r in records if r.kind == "rollback"})
    changes = _changes(ctx, deploys)
    result = dora(deploys, [i for r in records if (i := _incident(r)) is not None], changes,
                  start, end)
    work = [_work(r, end) for r in records]
    sprints = per_sprint(work, _sprints(ctx), start, end)
    people: dict[str, int] = {}
    for w in work:
        for at, who, seconds in w.logged:
            if start <= at < end:
                people[who] = people.get(who, 0) + seconds
    return Metrics(result, sprints, counts(work, start, end), people)


def _since(text: str, end: datetime) -> datetime:
    text = text.strip()
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        pass
    found = _WINDOW.fullmatch(text)
    if found is None or int(found[1]) == 0 or int(found[1]) > 100_000:
        raise UsageError(f"--since {text!r} is neither a duration nor a date",
                         hint="e.g. --since 90d, --since 12w, --since 48h or --since 2026-01-01")
    return end - int(found[1]) * _UNIT[found[2]]


def _sprints(ctx: Context) -> Sprints:
    first, days = ctx.cfg.str("metrics.sprint_start"), ctx.cfg.int("metrics.sprint_days")
    try:
        return Sprints(date.fromisoformat(first), days)
    except ValueError as exc:
        raise ConfigError(f"metrics.sprint_start {first!r} / metrics.sprint_days {days}: {exc}",
                          hint='e.g. sprint_start = "2026-01-05" (a date) and sprint_days = 14')\
            from None


def _deploys(ctx: Context, rollback_records: set[str]) -> list[Deploy]:
    reported = []
    for d in ctx.rollout.states.deployments():
        if d.source not in ("pipeline", "promote", "rollback"):
            continue  # "up": hotfix started what already ran
        if d.source == "rollback" and d.key not in rollback_records:
            continue  # a canary undone: production never left its baseline
        reported.append(Deploy(d.version, datetime.fromtimestamp(d.at, UTC), d.source, d.key))
    known = {d.version for d in reported}
    pattern = tag_pattern(ctx.cfg)
    tagged = [Deploy(tag, datetime.fromtimestamp(at, UTC), "tag")
              for tag, at in ctx.git.tag_dates().items()
              if tag not in known and pattern.parse(tag) is not None]
    return sorted(reported + tagged, key=lambda d: d.at)


def _changes(ctx: Context, deploys: Sequence[Deploy]) -> dict[str, list[datetime]]:
    """For each version, the commit times of what it shipped first."""
    seen: list[str] = []
    out: dict[str, list[datetime]] = {}
    for d in deploys:
        if d.version in out or d.source == "rollback":
            continue
        if ctx.git.commit_of(d.version) is None:
            continue
        out[d.version] = ctx.git.commit_times(d.version, seen)
        seen.append(d.version)
    return out


def _incident(rec: Hotfix) -> Incident | None:
    if rec.kind in CODE_KINDS:
        base = rec.facts.get("base_tag")
        restored = next((e.at for e in rec.events if e.kind in ("promote", "publish")), None)
        return Incident(rec.key, rec.opened_at, str(base) if base else None, restored)
    if rec.kind == "rollback":
        began = next((e.payload for e in rec.events if e.kind == "rollback"), None)
        restored = next((e.at for e in rec.events if e.kind == "rollback"
                         and e.payload.get("phase") in ("switched", "done")), None)
        return Incident(rec.key, rec.opened_at, str(began["from"]) if began else None, restored)
    return None


def _work(rec: Hotfix, now: datetime) -> Work:
    closed = next((at for state, at in reversed(rec.history) if state is State.CLOSED), None)
    logged = [(e.at, str(e.payload.get("person") or e.actor), int(e.payload.get("seconds", 0)))
              for e in rec.events if e.kind == "time"]
    triage = rec.triage or {}
    return Work(rec.key, triage.get("severity"), triage.get("route"), rec.opened_at,
                closed or now, logged)
