"""The rollout's state on disk, so a killed controller resumes: JSON under ``.hotfix/rollout/``.

    env.json          the live version and its instances (what production runs)
    deploys/HF-N.json one rollout: versions, instances, controller, the metrics cursor
                      taken when it began (to replay the evidence), the plan position
    rollbacks/HF-N.json  one roll-back-first: where production was, where it goes, the phase
    deployments.jsonl every release that went live, one JSON object a line, oldest first

Files are replaced atomically (write to a temporary file, then rename).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hotfix.domain.rollout.history import Deployment, Rollback
from hotfix.domain.rollout.state import DeployState, Fleet


class StateFiles:
    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def load_env(self) -> Fleet | None:
        data = _read(self.dir / "env.json")
        return Fleet.from_dict(data["live"]) if data else None

    def save_env(self, live: Fleet | None) -> None:
        _write(self.dir / "env.json", {"live": live.to_dict() if live else None})

    def load(self, key: str) -> DeployState | None:
        data = _read(self._deploy(key))
        return DeployState.from_dict(data) if data else None

    def save(self, state: DeployState) -> None:
        _write(self._deploy(state.key), state.to_dict())

    def rollout_keys(self) -> list[str]:
        return sorted(path.stem for path in (self.dir / "deploys").glob("*.json"))

    def load_rollback(self, key: str) -> Rollback | None:
        data = _read(self.dir / "rollbacks" / f"{key}.json")
        return Rollback.from_dict(data) if data else None

    def save_rollback(self, rollback: Rollback) -> None:
        _write(self.dir / "rollbacks" / f"{rollback.key}.json", rollback.to_dict())

    def rollback_keys(self) -> list[str]:
        return sorted(path.stem for path in (self.dir / "rollbacks").glob("*.json"))

    def deployments(self) -> list[Deployment]:
        try:
            text = (self.dir / "deployments.jsonl").read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            try:  # a line cut short by a crash mid-write is skipped, never fatal
                found.append(Deployment.from_dict(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                continue
        return found

    def add_deployment(self, deployment: Deployment) -> None:
        path = self.dir / "deployments.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(deployment.to_dict(), sort_keys=True) + "\n"
        with path.open("a", encoding="utf-8") as out:  # one write: lines never interleave
            out.write(line)

    def _deploy(self, key: str) -> Path:
        return self.dir / "deploys" / f"{key}.json"


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
