"""``ports.Records`` through the team server: every decision is the server's.

Reads fetch the events and derive the record here, with the settings the server decides
with (``GET /api/v1/projects/P``), so the CLI shows exactly what the server holds; the chain
is verified here too, against the head the server reports. The actor a caller passes is
ignored: who acts is the token's user."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hotfix.adapters.remote.client import ServerClient
from hotfix.domain.identity.access import allows
from hotfix.domain.record.events import ChainReport, Event, verify_chain
from hotfix.domain.record.lifecycle import Hotfix, derive
from hotfix.domain.record.lifecycle_settings import LifecycleSettings, lifecycle_settings
from hotfix.domain.record.timing import TimeReport, time_report

if TYPE_CHECKING:
    from hotfix.adapters.remote.seen import SeenHeads
    from hotfix.ports import Clock


class RemoteRecords:
    def __init__(self, client: ServerClient, project: str, clock: Clock,
                 seen: SeenHeads | None = None) -> None:
        self.client, self.project, self.clock, self.seen = client, project, clock, seen
        self.base = f"/api/v1/projects/{quote(project, safe='')}"

    @property
    def location(self) -> str:
        return f"{self.client.url} (project {self.project})"

    @cached_property
    def _project(self) -> dict[str, Any]:
        project: dict[str, Any] = self.client.get(self.base)
        return project

    @cached_property
    def approvers(self) -> tuple[str, ...]:
        return tuple(str(a) for a in self._project.get("approvers", ()))

    @cached_property
    def _roles(self) -> frozenset[str]:
        me: dict[str, Any] = self.client.get(f"{self.base}/me")
        return frozenset(str(r) for r in me.get("roles", ()))

    def _content_approval(self, key: str) -> bool:
        """Approve ``key`` on the content route: a content change, approved by someone
        without the approve permission (a marketer, when content.approver_roles lists
        them; the server decides)."""
        return not allows(self._roles, "approve") and self.get(key).kind == "content"

    @property
    def approvals_required(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self._project["approvals_required"].items()}

    @property
    def prefix(self) -> str:
        return str(self._project["prefix"])

    @cached_property
    def _lifecycle(self) -> LifecycleSettings:
        life = self._project["lifecycle"]
        return replace(lifecycle_settings(life["project_kind"], life["close_require"],
                                          life["guards_enabled"], life["approved_templates"]),
                       signed_in=True)

    def open(self, title: str, actor: str, answers: Mapping[str, Any] | None = None,
             kind: str | None = None) -> Hotfix:
        body = {"title": title, "answers": dict(answers) if answers else None, "kind": kind}
        return self._record(self.client.post(f"{self.base}/hotfixes", body))

    def triage(self, key: str, actor: str, answers: Mapping[str, Any]) -> Hotfix:
        return self._record(self.client.post(self._path(key, "triage"),
                                             {"answers": dict(answers)}))

    def act(self, key: str, action: str, actor: str, payload: Mapping[str, Any],
            override: str | None = None) -> Hotfix:
        if action in ("approve", "reject"):
            note = {"note": str(payload.get("note") or "")}
            if action == "approve" and self._content_approval(key):
                return self._record(self.client.post(
                    f"{self.base}/content/changes/{quote(key, safe='')}/approve", note))
            return self._record(self.client.post(self._path(key, action), note))
        body: dict[str, Any] = {"payload": dict(payload), "override": override}
        return self._record(self.client.post(self._path(key, f"actions/{quote(action)}"), body))

    def log_time(self, key: str, actor: str, duration: str, note: str = "") -> Hotfix:
        return self._record(self.client.post(self._path(key, "time"),
                                              {"duration": duration, "note": note}))

    def get(self, key: str) -> Hotfix:
        return self._record(self.client.get(self._path(key)))

    def timing(self, key: str) -> TimeReport:
        return time_report(self.get(key), self.clock.now())

    def verify(self, key: str) -> ChainReport:
        record = self.get(key)
        chain = self.client.get(self._path(key, "chain"))
        return verify_chain(list(record.events), (int(chain["head_seq"]), str(chain["head_hash"])))

    def list(self, states: Collection[str] | None = None) -> builtins.list[Hotfix]:
        params = {"state": sorted(states)} if states else None
        return [self._record(r) for r in self.client.get(f"{self.base}/records", params)]

    def witness_problems(self, keys: Collection[str] | None = None) -> builtins.list[str]:
        params = {"record": sorted(k.strip() for k in keys)} if keys else None
        found = self.client.get(f"{self.base}/integrity", params)
        problems = [str(f["problem"]) for f in found["problems"]]
        if self.seen is not None and not problems:
            problems = self.seen.check(self.client.url, self.project,
                                       int(found["signed_records"]), found.get("key_id"))
        return problems

    def _path(self, key: str, tail: str = "") -> str:
        return f"{self.base}/hotfixes/{quote(key.strip(), safe='')}" + (f"/{tail}" if tail else "")

    def record_of(self, body: Mapping[str, Any]) -> Hotfix:
        """A record the server answered with (its events), derived with its settings."""
        return self._record(body)

    def _record(self, body: Mapping[str, Any]) -> Hotfix:
        events = [event_of(e) for e in body["events"]]
        return derive(str(body["id"]), events, self._project["approvals_required"],
                      settings=self._lifecycle)


def event_of(data: Mapping[str, Any]) -> Event:
    return Event(hotfix=int(data["hotfix"]), seq=int(data["seq"]),
                 at=datetime.fromisoformat(str(data["at"])), actor=str(data["actor"]),
                 kind=str(data["kind"]), payload=dict(data["payload"]),
                 prev_hash=str(data["prev_hash"]), hash=str(data["hash"]))
