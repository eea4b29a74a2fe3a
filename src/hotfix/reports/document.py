"""``Report``: what a hotfix report says, as plain data, built from the record alone.

Every section is present; one with nothing to say says why ("not deployed", "no checks
run"), so a reader never mistakes a missing section for a missing step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotfix.domain.record.events import Event
from hotfix.domain.record.hotfix import Hotfix
from hotfix.domain.record.known import known_fields
from hotfix.domain.record.timing import TimeReport, format_duration
from hotfix.reports.evidence import Evidence, evidence

QUIET = {"git"}  # the git steps' journal: shown as the steps they record, not one by one
MAX_TESTS = 40  # selected tests listed by name; the rest are counted


@dataclass(frozen=True)
class CheckSection:
    commit: str
    passed: bool
    blocked: bool
    strategy: str
    selected: int
    total: int | None
    tests: Sequence[str]
    runs: Sequence[Mapping[str, Any]]  # stage, passed, failed, errors, skipped, seconds
    problem: str | None


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    kind: str
    state: str
    severity: str | None
    route: str | None
    requester: str
    opened_at: datetime
    closed_at: datetime | None
    generated_at: datetime
    reasons: Sequence[str]
    approvals: Sequence[Mapping[str, str]]  # actor, at, note, verdict (approved/rejected)
    overrides: Sequence[Mapping[str, str]]
    checks: Sequence[CheckSection]
    release: Mapping[str, Any] | None
    rollout: Evidence | None
    rollout_facts: Mapping[str, Any]
    verification: Mapping[str, Any] | None
    ports: Mapping[str, str]  # target → status
    documentation: Mapping[str, str]
    missing_documentation: Sequence[str]
    time: TimeReport
    timeline: Sequence[Mapping[str, str]]  # seq, at, actor, kind, what
    chain_problems: Sequence[str] = field(default_factory=list)
    known: Mapping[str, str] = field(default_factory=dict)  # what hotfix fills in itself

    @property
    def action_items(self) -> list[str]:
        """The postmortem's action items: one per line of the ``follow_ups`` field."""
        text = self.documentation.get("follow_ups", "")
        return [line.strip().lstrip("-*•").strip() for line in text.splitlines()
                if line.strip().lstrip("-*•").strip()]

    def wall(self) -> str:
        return format_duration(self.time.wall_seconds)

    def to_dict(self) -> dict[str, Any]:
        ev = self.rollout
        return {
            "id": self.key, "title": self.title, "kind": self.kind, "state": self.state,
            "severity": self.severity, "route": self.route, "requester": self.requester,
            "opened_at": self.opened_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "reasons": list(self.reasons), "approvals": list(self.approvals),
            "overrides": list(self.overrides),
            "checks": [{**c.__dict__, "tests": list(c.tests), "runs": list(c.runs)}
                       for c in self.checks],
            "release": self.release,
            "rollout": None if ev is None else {
                "baseline": ev.baseline, "canary": ev.canary, "decision": ev.decision,
                "reason": ev.reason, "points": len(ev.points), **self.rollout_facts},
            "verification": self.verification, "ports": dict(self.ports),
            "documentation": dict(self.documentation),
            "missing_documentation": list(self.missing_documentation),
            "known": dict(self.known),
            "action_items": self.action_items, "time": self.time.to_dict(),
            "chain_problems": list(self.chain_problems),
        }


def build(rec: Hotfix, time: TimeReport, now: datetime,
          chain_problems: Sequence[str] = ()) -> Report:
    """The report of ``rec`` as its events say, at ``now``."""
    triage = rec.triage or {}
    closed = next((e.at for e in reversed(rec.events) if e.kind == "close"), None)
    deploy = rec.last("deploy") or {}
    return Report(
        key=rec.key, title=rec.title, kind=rec.kind, state=rec.state.value,
        severity=triage.get("severity"), route=triage.get("route"), requester=rec.requester,
        opened_at=rec.opened_at, closed_at=closed, generated_at=now,
        reasons=[str(r.get("text", r)) if isinstance(r, Mapping) else str(r)
                 for r in triage.get("reasons", [])],
        approvals=[{"actor": e.actor, "at": e.at.isoformat(timespec="seconds"),
                    "note": str(e.payload.get("note") or ""),
                    "verdict": "approved" if e.kind == "approve" else "rejected"}
                   for e in rec.events if e.kind in ("approve", "reject")],
        overrides=[{"actor": e.actor, "at": e.at.isoformat(timespec="seconds"),
                    "action": str(e.payload.get("action") or ""),
                    "reason": str(e.payload.get("reason") or "")}
                   for e in rec.events if e.kind == "override"],
        checks=[_check(e.payload) for e in rec.events if e.kind == "check"],
        release=_release(rec.last("release")),
        rollout=evidence(rec.events),
        rollout_facts={k: deploy[k] for k in ("router", "plan", "tag") if k in deploy},
        verification=_verification(rec.last("verify")),
        ports=_ports(rec),
        documentation=dict(rec.documentation),
        missing_documentation=list(rec.missing_documentation()),
        time=time,
        timeline=[timeline_entry(e) for e in rec.events if e.kind not in QUIET],
        chain_problems=list(chain_problems),
        known=known_fields(rec, time),
    )


def timeline_entry(event: Event) -> dict[str, str]:
    """One row of the timeline: seq, at, actor, kind and a few words on what it did."""
    return {"seq": str(event.seq), "at": event.at.isoformat(timespec="seconds"),
            "actor": event.actor, "kind": event.kind, "what": _what(event.kind, event.payload)}


def _check(body: Mapping[str, Any]) -> CheckSection:
    found = body.get("impact")
    impact: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    tests = [str(t) for t in impact.get("selected", [])]
    runs = []
    for run in body.get("runs", []) or []:
        counts = run.get("counts", {}) if isinstance(run, Mapping) else {}
        runs.append({"stage": str(run.get("stage", "")), "passed": counts.get("passed", 0),
                     "failed": counts.get("failed", 0), "errors": counts.get("error", 0),
                     "skipped": counts.get("skipped", 0),
                     "seconds": run.get("seconds"), "ok": bool(run.get("passed"))})
    return CheckSection(
        commit=str(body.get("commit", ""))[:12], passed=bool(body.get("passed")),
        blocked=bool(body.get("blocked")), strategy=str(impact.get("strategy") or "none"),
        selected=int(impact.get("selected_count") or len(tests)),
        total=impact.get("total_tests") if isinstance(impact.get("total_tests"), int) else None,
        tests=tests[:MAX_TESTS], runs=runs,
        problem=str(body["problem"]) if body.get("problem") else None)


def _release(body: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if body is None:
        return None
    return {k: body.get(k) for k in ("tag", "version", "branch", "release_commit", "notes",
                                     "pushed")}


def _verification(body: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if body is None:
        return None
    checks = [{"name": str(c.get("name", "")), "kind": str(c.get("kind", "")),
               "passed": bool(c.get("passed")), "detail": str(c.get("detail", ""))}
              for c in body.get("checks", []) if isinstance(c, Mapping)]
    return {"against": body.get("against") or body.get("base_url"), "checks": checks,
            "passed": all(c["passed"] for c in checks) if checks else None}


def _ports(rec: Hotfix) -> dict[str, str]:
    found: dict[str, str] = {}
    for event in rec.events:
        if event.kind == "backport":
            for target in event.payload.get("targets", []) or []:
                if isinstance(target, Mapping) and target.get("target"):
                    found[str(target["target"])] = str(target.get("status", ""))
    return found


def _what(kind: str, body: Mapping[str, Any]) -> str:  # noqa: PLR0911 (one case per kind)
    """A few words on what an event did."""
    pick = {"open": "title", "approve": "note", "reject": "note", "close": "note",
            "deploy_step": "weight", "promote": "reason", "rollback": "reason",
            "release": "tag", "deploy": "tag", "pick": "subject", "override": "reason"}
    if kind == "check":
        return "passed" if body.get("passed") else "failed"
    if kind == "triage":
        decision = body.get("decision") or {}
        return f"{decision.get('severity', '')} → {decision.get('route', '')}".strip(" →")
    if kind == "time":
        return format_duration(float(body.get("seconds", 0)))
    if kind == "verify":
        checks = [c for c in body.get("checks", []) if isinstance(c, Mapping)]
        failed = sum(1 for c in checks if not c.get("passed"))
        return f"{len(checks)} check(s), {failed} failed" if checks else ""
    if kind == "backport":
        ports = [f"{t.get('target')} {t.get('status')}" for t in body.get("targets", [])
                 if isinstance(t, Mapping)]
        return ", ".join(ports)
    if kind == "start":
        facts = body.get("facts") if isinstance(body.get("facts"), Mapping) else {}
        return f"{facts.get('branch', '')} from {facts.get('base_tag', '')}" if facts else ""
    name = pick.get(kind)
    value = body.get(name) if name else None
    if kind == "deploy_step" and value is not None:
        return f"canary at {value:g}%" if isinstance(value, int | float) else str(value)
    return "" if value is None else str(value)
