"""``ports.RolloutStates`` signed in: the record of deployments is the team server's
(``/api/v1/projects/P/deployments``), so what a CI runner reports with ``hotfix deployed``
is counted by ``hotfix metrics`` wherever it runs. The rest (production's fleet, each
rollout and rollback) stays in this machine's state: it describes processes run here.
Who reported a deployment is the token's user: the actor a caller passes is the server's."""

from __future__ import annotations

from typing import Any

from hotfix.adapters.remote.client import ServerClient
from hotfix.domain.rollout.history import Deployment, Rollback
from hotfix.domain.rollout.state import DeployState, Fleet
from hotfix.ports.rollout import RolloutStates


class ServerDeployments:
    def __init__(self, local: RolloutStates, client: ServerClient, base: str) -> None:
        self.local, self.client = local, client
        self.path = f"{base}/deployments"

    def deployments(self) -> list[Deployment]:
        answer: list[dict[str, Any]] = self.client.get(self.path)
        return [Deployment.from_dict(d) for d in answer]

    def add_deployment(self, deployment: Deployment) -> None:
        self.client.post(self.path, {"version": deployment.version, "at": deployment.at,
                                     "source": deployment.source, "key": deployment.key})

    # what this machine runs: its own state
    def load_env(self) -> Fleet | None:
        return self.local.load_env()

    def save_env(self, live: Fleet | None) -> None:
        self.local.save_env(live)

    def load(self, key: str) -> DeployState | None:
        return self.local.load(key)

    def save(self, state: DeployState) -> None:
        self.local.save(state)

    def rollout_keys(self) -> list[str]:
        return self.local.rollout_keys()

    def load_rollback(self, key: str) -> Rollback | None:
        return self.local.load_rollback(key)

    def save_rollback(self, rollback: Rollback) -> None:
        self.local.save_rollback(rollback)

    def rollback_keys(self) -> list[str]:
        return self.local.rollback_keys()
