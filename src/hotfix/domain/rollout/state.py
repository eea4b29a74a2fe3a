"""What a rollout keeps between two looks, and across a controller that died: plain values.

    Instance     one running copy of a version (where it answers, the target's own handle)
    Fleet        the instances of one version
    DeployState  one rollout: its fleets, status, controller, metrics cursor, plan position
    Status       running | gated | paused (active) → promoted | rolled_back (done)

The persistence itself is an adapter (``hotfix.adapters.rollout.state_files``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hotfix.domain.rollout.plan import Position

ControllerId = tuple[int, int]  # (process id, its start time): never a later process's id


class Status(StrEnum):
    RUNNING = "running"
    GATED = "gated"
    PAUSED = "paused"
    PROMOTED = "promoted"
    ROLLED_BACK = "rolled_back"


ACTIVE = frozenset({Status.RUNNING, Status.GATED, Status.PAUSED})
_INSTANCE_KEYS = ("version", "address", "log")


@dataclass(frozen=True)
class Instance:
    """One running copy of a version of the app.

    ``handle`` is the target's own JSON-safe description of the instance (a local process
    keeps its pid and start time there); nothing but that target reads it."""

    version: str
    address: str = ""  # host:port serving HTTP ("" when the target does not say)
    log: str = ""  # where its output goes
    handle: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "address": self.address, "log": self.log,
                "handle": dict(self.handle)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Instance:
        handle = d.get("handle")
        if handle is None:  # written before handles: the target's fields sat beside ours
            handle = {k: v for k, v in d.items() if k not in _INSTANCE_KEYS}
        return cls(str(d["version"]), str(d.get("address", "")), str(d.get("log", "")),
                   dict(handle))


@dataclass
class Fleet:
    version: str
    instances: list[Instance] = field(default_factory=list)

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(i.address for i in self.instances if i.address)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "instances": [i.to_dict() for i in self.instances]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Fleet:
        return cls(str(d["version"]), [Instance.from_dict(i) for i in d["instances"]])


@dataclass
class DeployState:
    key: str
    baseline: Fleet
    canary: Fleet
    status: Status = Status.RUNNING
    controller: ControllerId = (0, 0)
    cursor: dict[str, Any] = field(default_factory=dict)
    position: Position = field(default_factory=Position)
    started_at: float = 0.0
    reason: str = ""
    verdict: dict[str, Any] = field(default_factory=dict)
    weights: list[tuple[float, float]] = field(default_factory=list)  # (since, canary %)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "status": str(self.status),
                "baseline": self.baseline.to_dict(), "canary": self.canary.to_dict(),
                "controller": list(self.controller), "cursor": self.cursor,
                "position": self.position.to_dict(), "started_at": self.started_at,
                "reason": self.reason, "verdict": self.verdict,
                "weights": [list(w) for w in self.weights]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DeployState:
        pid, ticks = d.get("controller", (0, 0))
        return cls(str(d["key"]), Fleet.from_dict(d["baseline"]), Fleet.from_dict(d["canary"]),
                   Status(d["status"]), (int(pid), int(ticks)), dict(d.get("cursor", {})),
                   Position.from_dict(d["position"]), float(d.get("started_at", 0.0)),
                   str(d.get("reason", "")), dict(d.get("verdict", {})),
                   [(float(t), float(w)) for t, w in d.get("weights", [])])
