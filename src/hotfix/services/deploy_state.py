"""The persisted state of production and of each rollout, so a killed controller resumes.

Under ``.hotfix/rollout/`` in the repository:

    env.json          the live version and its instances (what production runs)
    deploys/HF-N.json one rollout: versions, instances, controller pid, the metrics cursor
                      taken when it began (to replay the evidence), the plan position

Files are replaced atomically (write to a temporary file, then rename).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.domain.rollout import Position
from hotfix.ports import Instance

RUNNING, GATED, PAUSED = "running", "gated", "paused"
PROMOTED, ROLLED_BACK = "promoted", "rolled_back"
ACTIVE = (RUNNING, GATED, PAUSED)


def rollout_dir(root: Path) -> Path:
    return root / ".hotfix" / "rollout"


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
    def from_dict(cls, d: dict[str, Any]) -> Fleet:
        return cls(str(d["version"]), [Instance.from_dict(i) for i in d["instances"]])


@dataclass
class DeployState:
    key: str
    baseline: Fleet
    canary: Fleet
    status: str = RUNNING
    controller: tuple[int, int] = (0, 0)  # pid, start ticks of the controller process
    cursor: dict[str, Any] = field(default_factory=dict)
    position: Position = field(default_factory=Position)
    started_at: float = 0.0
    reason: str = ""
    verdict: dict[str, Any] = field(default_factory=dict)
    weights: list[tuple[float, float]] = field(default_factory=list)  # (since, canary %)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "status": self.status, "baseline": self.baseline.to_dict(),
                "canary": self.canary.to_dict(), "controller": list(self.controller),
                "cursor": self.cursor, "position": self.position.to_dict(),
                "started_at": self.started_at, "reason": self.reason, "verdict": self.verdict,
                "weights": [list(w) for w in self.weights]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DeployState:
        pid, ticks = d.get("controller", (0, 0))
        return cls(str(d["key"]), Fleet.from_dict(d["baseline"]), Fleet.from_dict(d["canary"]),
                   str(d["status"]), (int(pid), int(ticks)), dict(d.get("cursor", {})),
                   Position.from_dict(d["position"]), float(d.get("started_at", 0.0)),
                   str(d.get("reason", "")), dict(d.get("verdict", {})),
                   [(float(t), float(w)) for t, w in d.get("weights", [])])


class StateFiles:
    def __init__(self, root: Path) -> None:
        self.dir = rollout_dir(root)

    def load_env(self) -> Fleet | None:
        data = _read(self.dir / "env.json")
        return Fleet.from_dict(data["live"]) if data else None

    def save_env(self, live: Fleet | None) -> None:
        _write(self.dir / "env.json", {"live": live.to_dict() if live else None})

    def load(self, key: str) -> DeployState | None:
        data = _read(self.dir / "deploys" / f"{key}.json")
        return DeployState.from_dict(data) if data else None

    def save(self, state: DeployState) -> None:
        _write(self.dir / "deploys" / f"{state.key}.json", state.to_dict())


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return data if isinstance(data, dict) and data.get("live", True) is not None else None


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    tmp.replace(path)
