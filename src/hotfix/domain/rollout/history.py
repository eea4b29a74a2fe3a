"""What production ran, release after release, and a roll-back-first's own state: plain values.

    Deployment     one release going live: hotfix's own promotions and rollbacks, and the
                   regular deployments the pipeline reports (``hotfix deployed vX.Y.Z``)
    previous_live  the release that was live before the current one
    Rollback       one rollback in flight: where production was, where it goes, how far
    Phase          starting → started → switched → done; or failed (production stayed)

The persistence is an adapter (``hotfix.adapters.rollout.state_files``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hotfix.domain.rollout.state import ControllerId, Fleet


@dataclass(frozen=True)
class Deployment:
    version: str
    at: float  # seconds since the epoch
    by: str
    source: str  # "pipeline" (hotfix deployed), "promote", "rollback", "up"
    key: str = ""  # the record that moved production, if any

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "at": self.at, "by": self.by, "source": self.source,
                "key": self.key}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Deployment:
        return cls(str(d["version"]), float(d.get("at", 0.0)), str(d.get("by", "")),
                   str(d.get("source", "")), str(d.get("key", "")))


def previous_live(history: Sequence[Deployment], current: str) -> str | None:
    """The release live just before ``current`` took over (its latest arrival), if known."""
    versions = [d.version for d in history]
    if current not in versions:
        return versions[-1] if versions else None
    arrived = len(versions) - 1 - versions[::-1].index(current)
    while arrived > 0 and versions[arrived - 1] == current:
        arrived -= 1
    return versions[arrived - 1] if arrived > 0 else None


class Phase(StrEnum):
    STARTING = "starting"  # the release to return to is being started, no traffic yet
    STARTED = "started"  # its instances are healthy; production still on the one that broke
    SWITCHED = "switched"  # all traffic on the release returned to; the other still warm
    DONE = "done"  # the other stopped, production recorded
    FAILED = "failed"  # it did not start: production stayed where it was


ACTIVE_PHASES = frozenset({Phase.STARTING, Phase.STARTED, Phase.SWITCHED})


@dataclass
class Rollback:
    key: str
    live: Fleet  # production when the rollback began (the release that broke it)
    to: Fleet  # the release returned to (its instances once started)
    phase: Phase = Phase.STARTING
    controller: ControllerId = (0, 0)
    started_at: float = 0.0
    switch_seconds: float | None = None  # from the command to 100 % on ``to``
    reason: str = ""
    history: list[str] = field(default_factory=list)  # phases, in order

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE_PHASES

    def enter(self, phase: Phase) -> None:
        self.phase = phase
        self.history.append(str(phase))

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "live": self.live.to_dict(), "to": self.to.to_dict(),
                "phase": str(self.phase), "controller": list(self.controller),
                "started_at": self.started_at, "switch_seconds": self.switch_seconds,
                "reason": self.reason, "history": list(self.history)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Rollback:
        pid, ticks = d.get("controller", (0, 0))
        seconds = d.get("switch_seconds")
        return cls(str(d["key"]), Fleet.from_dict(d["live"]), Fleet.from_dict(d["to"]),
                   Phase(d["phase"]), (int(pid), int(ticks)), float(d.get("started_at", 0.0)),
                   None if seconds is None else float(seconds), str(d.get("reason", "")),
                   [str(p) for p in d.get("history", [])])
