"""The five DORA measures over a window, from deployments and the incidents that followed.

Inputs are plain facts, gathered by ``hotfix.services.metrics``:

- ``Deploy``: a release reaching production — reported by the pipeline (``hotfix
  deployed``), made by hotfix (a promoted canary, a rollback), or, for a release nobody
  reported, its tag's date (``source="tag"``, said as an assumption in every figure);
- ``Incident``: a hotfix or rollback record: when it opened, which release it remedies
  (the one it was built on, or rolled back from), and when production was restored.

Definitions (each figure's ``counted`` says what it counted):

- **deployment frequency**: deployments in the window per week (and their count);
- **lead time for changes**: median time from a change's commit to the deployment that
  first shipped it;
- **change failure rate**: share of the window's deployments that needed remediation: an
  incident (a hotfix or a rollback) remedies the latest deployment, before it opened, of
  the release it names;
- **failed deployment recovery time**: median time from an incident's opening to production
  restored (the fix promoted, or the rollback switched);
- **deployment rework rate**: share of deployments that were unplanned — a hotfix's
  release or a rollback, i.e. deployments made to remedy an earlier one.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Deploy:
    version: str
    at: datetime
    source: str  # pipeline | promote | rollback | tag
    key: str = ""  # the record that made it, for hotfix's own deployments

    @property
    def rework(self) -> bool:
        """Made to remedy an earlier deployment: a hotfix's promotion or a rollback."""
        return self.source == "rollback" or (self.source == "promote" and bool(self.key))


@dataclass(frozen=True)
class Incident:
    key: str
    opened: datetime
    remedies: str | None  # the release it fixes or rolled back from
    restored: datetime | None  # production restored (fix promoted / rollback switched)


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: nothing to measure in the window
    unit: str
    counted: str  # what was counted, for a person

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit,
                "counted": self.counted}


@dataclass(frozen=True)
class Dora:
    since: datetime
    until: datetime
    figures: tuple[Figure, ...]
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    def figure(self, name: str) -> Figure:
        return next(f for f in self.figures if f.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(),
                "figures": {f.name: f.to_dict() for f in self.figures},
                "assumptions": list(self.assumptions)}


def dora(deploys: Sequence[Deploy], incidents: Sequence[Incident],
         change_times: Mapping[str, Sequence[datetime]], since: datetime,
         until: datetime) -> Dora:
    """The five measures for deployments in ``[since, until)``.

    ``change_times``: for each deployed version, the commit times of the changes it shipped
    first (those not in the release deployed before it)."""
    window = sorted((d for d in deploys if since <= d.at < until), key=lambda d: d.at)
    weeks = max((until - since) / WEEK, 1 / 7)
    frequency = Figure("deployment_frequency", round(len(window) / weeks, 3), "per week",
                       f"{len(window)} deployment(s) over {weeks:.1f} week(s)")

    leads = [(d.at - t).total_seconds() for d in window for t in change_times.get(d.version, ())
             if t <= d.at]
    lead = Figure("lead_time_for_changes", statistics.median(leads) if leads else None,
                  "seconds", f"median over {len(leads)} change(s) in "
                  f"{sum(1 for d in window if change_times.get(d.version))} deployment(s)")

    failed = _failed(window, deploys, incidents)
    rate = Figure("change_failure_rate", len(failed) / len(window) if window else None,
                  "share", f"{len(failed)} of {len(window)} deployment(s) needed a hotfix "
                  "or a rollback")

    recoveries = [(i.restored - i.opened).total_seconds() for i in incidents
                  if i.restored is not None and since <= i.opened < until
                  and i.restored >= i.opened]
    recovery = Figure("failed_deployment_recovery_time",
                      statistics.median(recoveries) if recoveries else None, "seconds",
                      f"median over {len(recoveries)} restored incident(s) opened in the window")

    rework = [d for d in window if d.rework]
    rework_rate = Figure("deployment_rework_rate", len(rework) / len(window) if window else None,
                         "share", f"{len(rework)} of {len(window)} deployment(s) were unplanned "
                         "(a hotfix's release or a rollback)")
    tagged = sum(1 for d in window if d.source == "tag")
    assumptions = ((f"{tagged} release(s) nobody reported with `hotfix deployed` count as "
                    "deployed when tagged",) if tagged else ())
    return Dora(since, until, (frequency, lead, rate, recovery, rework_rate), assumptions)


def _failed(window: Sequence[Deploy], every: Sequence[Deploy],
            incidents: Sequence[Incident]) -> list[Deploy]:
    """The window's deployments that an incident remedies: for each incident, the latest
    deployment of the release it names made before it opened."""
    found: dict[tuple[str, datetime], Deploy] = {}
    for incident in incidents:
        if incident.remedies is None:
            continue
        before = [d for d in every if d.version == incident.remedies and d.at <= incident.opened]
        if before:
            last = max(before, key=lambda d: d.at)
            found[(last.version, last.at)] = last
    in_window = {(d.version, d.at) for d in window}
    return [d for k, d in found.items() if k in in_window]
