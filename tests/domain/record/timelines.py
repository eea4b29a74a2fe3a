"""Records built from sealed events, acted on as ``services.record.act`` does (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hotfix.domain.record.events import GENESIS, Event, sealed
from hotfix.domain.record.lifecycle import Hotfix, Refusal, decided_kind, derive, forcing, plan
from hotfix.domain.record.lifecycle_settings import LifecycleSettings
from hotfix.domain.record.states import State

T0 = datetime(2026, 1, 1, tzinfo=UTC)
REQUESTER, APPROVER, OTHER = "req@x", "app@x", "other@x"
APPROVERS = (APPROVER, OTHER)
NEEDED = {"SEV1": 1, "SEV2": 1, "SEV3": 1, "SEV4": 1}
TEMPLATES = ("banner-text", "shipping-deadline")
S = State

Step = tuple[str, str, dict[str, Any]]  # actor, action, payload


def decision(route: str = "hotfix", severity: str = "SEV1") -> dict[str, Any]:
    return {"severity": severity, "route": route, "reasons": [], "assumed": []}


class Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


class Timeline:
    """One record; ``act`` refuses as the service would, ``add`` appends unchecked."""

    def __init__(self, kind: str | None = None, settings: LifecycleSettings | None = None,
                 needed: dict[str, int] | None = None,
                 approvers: Sequence[str] = APPROVERS) -> None:
        self.settings = settings or LifecycleSettings(approved_templates=TEMPLATES)
        self.needed = needed or NEEDED
        self.approvers = tuple(approvers)
        self.events: list[Event] = []
        self.add(REQUESTER, "open", {"title": "bug", "kind": kind or self.settings.project_kind})

    def add(self, actor: str, kind: str, payload: dict[str, Any] | None = None) -> Hotfix:
        prev = self.events[-1].hash if self.events else GENESIS
        seq = len(self.events) + 1
        self.events.append(sealed(hotfix=1, seq=seq, at=T0 + timedelta(minutes=seq),
                                  actor=actor, kind=kind, payload=payload or {},
                                  prev_hash=prev))
        self._record: Hotfix | None = None
        return self.record

    def copy(self) -> Timeline:
        twin = Timeline.__new__(Timeline)
        twin.settings, twin.needed, twin.approvers = self.settings, self.needed, self.approvers
        twin.events, twin._record = list(self.events), self._record
        return twin

    @property
    def record(self) -> Hotfix:
        if self._record is None:
            self._record = derive("HF-1", self.events, self.needed, settings=self.settings)
        return self._record

    def refusal(self, actor: str, action: str,
                payload: dict[str, Any] | None = None) -> Refusal | None:
        return plan(self.record, action, actor, payload or {}, self.approvers)

    def act(self, actor: str, action: str, payload: dict[str, Any] | None = None,
            override: str | None = None) -> Hotfix:
        body = dict(payload or {})
        decided = decided_kind(self.record, action, body)  # written in, as the service does
        if decided:
            body["kind"] = decided
        refusal = self.refusal(actor, action, body)
        if refusal is not None:
            if override is None:
                raise Refused(refusal)
            denied = forcing(refusal, actor, {"approver": self.approvers})
            if denied is not None:
                raise Refused(denied)
            self.add(actor, "override", {"action": action, "reason": override,
                                         "refused": refusal.message})
            body["override"] = True
        return self.add(actor, action, body)

    def walk(self, steps: Sequence[Step]) -> Hotfix:
        for actor, action, payload in steps:
            self.act(actor, action, payload)
        return self.record


def triage(route: str = "hotfix", severity: str = "SEV1") -> Step:
    return (REQUESTER, "triage", {"decision": decision(route, severity)})


APPROVE: Step = (APPROVER, "approve", {})
BUILD: list[Step] = [
    (REQUESTER, "start", {}), (REQUESTER, "check", {"passed": True, "commit": "abc"}),
    (REQUESTER, "release", {"commit": "abc"}),
]
FOLD: list[Step] = [(REQUESTER, "backport", {"main_ported": True}), (REQUESTER, "close", {})]
DRAFT: Step = (REQUESTER, "draft", {"template": "banner-text", "slots": {"text": "Dec 20"}})

# every kind's way from report to close, without an override; (project kind, open kind, steps)
HAPPY: dict[str, tuple[str, str | None, list[Step]]] = {
    "service": ("service", None, [
        triage(), APPROVE, *BUILD, (REQUESTER, "deploy", {}), (REQUESTER, "promote", {}),
        (REQUESTER, "verify", {"passed": True}), *FOLD]),
    "library": ("library", None, [
        triage(), APPROVE, *BUILD, (REQUESTER, "publish", {"passed": True}),
        (REQUESTER, "verify", {"passed": True}), *FOLD]),
    "content": ("service", None, [
        triage("content"), DRAFT, APPROVE, (REQUESTER, "publish", {}),
        (REQUESTER, "expire", {}), (REQUESTER, "revert", {}), (REQUESTER, "close", {})]),
    "flag": ("service", "flag", [
        triage(), APPROVE, (REQUESTER, "set", {"flag": "new-checkout", "percent": 0}),
        (REQUESTER, "deploy", {}), (REQUESTER, "deploy_step", {"percent": 25}),
        (REQUESTER, "promote", {}), (REQUESTER, "close", {})]),
    "rollback": ("service", None, [
        triage("rollback", "SEV2"), APPROVE, (REQUESTER, "rollback", {"to": "v1.1.1"}),
        (REQUESTER, "rollback", {"to": "v1.1.1", "done": True}),
        (REQUESTER, "verify", {"passed": True}), (REQUESTER, "defer", {}),
        (REQUESTER, "close", {})]),
}


def timeline_of(name: str, settings: LifecycleSettings | None = None) -> Timeline:
    project, kind, _ = HAPPY[name]
    base = settings or LifecycleSettings(approved_templates=TEMPLATES)
    return Timeline(kind, LifecycleSettings(project, base.close_require, base.guards_enabled,
                                            base.approved_templates))


def reach(name: str, state: State, settings: LifecycleSettings | None = None) -> Timeline:
    """A record of kind ``name`` walked along its happy path until it is in ``state``."""
    t = timeline_of(name, settings)
    steps = iter(HAPPY[name][2])
    while t.record.state is not state:
        t.act(*next(steps))
    return t
