"""FROZEN: the lifecycle as released before record kinds (src/hotfix/domain/lifecycle.py at
cd82ef7), kept unchanged as the oracle of the migration guarantee in
test_lifecycle_properties.py. Do not edit it to make a test pass.

The hotfix lifecycle: states, actions, guards, and the record derived from events.

The current state is never stored: ``derive`` folds the events. ``plan`` decides whether an
action is allowed now and which state it leads to; a refusal names the guard, and whether an
approver may override it.

    reported ─triage─▶ triaged ─approve─▶ approved ─start─▶ in_progress ─check─▶ tested
       │                 ├─▶ deferred   (patch / next release)  ▲ rollback        │ release
       │                 └─▶ content    (template path)         │                 ▼
       └─▶ rejected                                          deploying ◀─deploy─ released
                                                                │ promote
                                        deployed ─verify─▶ verified ─backport─▶ folded_back
                                                                           │ close
                                                                           ▼ closed
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from hotfix.domain.record.events import Event


class State(StrEnum):
    REPORTED = "reported"
    TRIAGED = "triaged"
    DEFERRED = "deferred"
    CONTENT = "content"
    REJECTED = "rejected"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    TESTED = "tested"
    RELEASED = "released"
    DEPLOYING = "deploying"
    DEPLOYED = "deployed"
    VERIFIED = "verified"
    FOLDED_BACK = "folded_back"
    CLOSED = "closed"


S = State
ROUTE_STATE = {
    "hotfix": S.TRIAGED,
    "rollback": S.TRIAGED,
    "content": S.CONTENT,
    "patch-release": S.DEFERRED,
    "next-release": S.DEFERRED,
}
_OPEN_TRIAGE = (S.REPORTED, S.TRIAGED, S.DEFERRED, S.CONTENT, S.APPROVED)
_SHIPPED = (S.RELEASED, S.DEPLOYING, S.DEPLOYED, S.VERIFIED, S.FOLDED_BACK)

# action -> the states it may start from. Events of kinds not listed here are notes: allowed
# in every state but closed, and they never change the state.
ALLOWED_FROM: dict[str, tuple[State, ...]] = {
    "triage": _OPEN_TRIAGE,
    "approve": (S.TRIAGED,),
    "reject": (S.REPORTED, S.TRIAGED, S.DEFERRED, S.CONTENT, S.APPROVED),
    "start": (S.APPROVED,),
    "pick": (S.IN_PROGRESS, S.TESTED),  # a new commit after a check needs a new check
    "check": (S.IN_PROGRESS, S.TESTED),
    "release": (S.TESTED,),
    "deploy": (S.RELEASED, S.DEPLOYED),
    "deploy_step": (S.DEPLOYING,),
    "promote": (S.DEPLOYING,),
    "rollback": (S.DEPLOYING, S.DEPLOYED),
    "verify": (S.DEPLOYED, S.VERIFIED, S.FOLDED_BACK),
    "backport": _SHIPPED,
    "close": (S.FOLDED_BACK, S.REJECTED, S.DEFERRED, S.CONTENT),
}
# the state an action leads to when forced by an override from any state
CANONICAL_TARGET: dict[str, State] = {
    "triage": S.TRIAGED, "approve": S.APPROVED, "reject": S.REJECTED, "start": S.IN_PROGRESS,
    "pick": S.IN_PROGRESS, "check": S.TESTED, "release": S.RELEASED, "deploy": S.DEPLOYING,
    "deploy_step": S.DEPLOYING, "promote": S.DEPLOYED, "rollback": S.IN_PROGRESS,
    "verify": S.VERIFIED, "backport": S.FOLDED_BACK, "close": S.CLOSED,
}
NEXT_STEP: dict[State, str] = {
    S.REPORTED: "hotfix triage {key} …",
    S.TRIAGED: "hotfix approve {key} --as APPROVER",
    S.APPROVED: "hotfix start {key}",
    S.IN_PROGRESS: "hotfix check {key}",
    S.TESTED: "hotfix release {key}",
    S.RELEASED: "hotfix deploy {key}",
    S.DEPLOYING: "hotfix deploy {key} (resume) or hotfix rollback {key}",
    S.DEPLOYED: "hotfix verify {key}",
    S.VERIFIED: "hotfix backport {key}",
    S.FOLDED_BACK: "hotfix close {key}",
    S.DEFERRED: "hotfix close {key} (ships with a planned release)",
    S.CONTENT: "publish through the content template, then hotfix close {key}",
    S.REJECTED: "hotfix close {key}",
}


@dataclass(frozen=True)
class Hotfix:
    """The record as derived from its events."""

    number: int
    key: str
    title: str
    requester: str
    opened_at: datetime
    state: State
    events: tuple[Event, ...]
    triage: Mapping[str, Any] | None = None
    approvals: tuple[str, ...] = ()
    folded_into_main: bool = False
    state_entered_at: datetime | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[tuple[State, datetime], ...] = ()  # every state entered, and when

    def last(self, kind: str) -> Mapping[str, Any] | None:
        """The payload of the newest event of ``kind``, if any."""
        for event in reversed(self.events):
            if event.kind == kind:
                return event.payload
        return None

    def next_step(self) -> str | None:
        template = NEXT_STEP.get(self.state)
        return template.format(key=self.key) if template else None

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.key, "title": self.title, "state": self.state.value,
            "requester": self.requester, "opened_at": self.opened_at.isoformat(),
            "severity": self.triage["severity"] if self.triage else None,
            "route": self.triage["route"] if self.triage else None,
            "approvals": list(self.approvals), "next": self.next_step(),
        }


@dataclass(frozen=True)
class Refusal:
    message: str
    hint: str | None
    overridable: bool


def derive(key: str, events: Sequence[Event], approvals_needed: Mapping[str, int]) -> Hotfix:
    """Fold the events into the current record."""
    opened = events[0]
    state, entered = S.REPORTED, opened.at
    triage: Mapping[str, Any] | None = None
    approvals: list[str] = []
    folded = False
    facts: dict[str, Any] = {}
    history: list[tuple[State, datetime]] = [(state, entered)]
    for event in events[1:]:
        p = event.payload
        new = _next_state(state, event.kind, p, folded)
        if event.kind == "triage":
            triage, approvals = (p.get("decision") or None), []
        elif event.kind == "approve":
            approvals.append(event.actor)
        elif event.kind == "backport" and p.get("main_ported"):
            folded = True
        facts.update(p.get("facts", {}))
        if event.kind == "approve" and state is S.TRIAGED and _enough(triage, approvals,
                                                                        approvals_needed):
            new = S.APPROVED
        if new is not None and new != state:
            state, entered = new, event.at
            history.append((state, entered))
    return Hotfix(
        number=opened.hotfix, key=key, title=str(opened.payload["title"]),
        requester=opened.actor, opened_at=opened.at, state=state, events=tuple(events),
        triage=triage, approvals=tuple(approvals), folded_into_main=folded,
        state_entered_at=entered, facts=facts, history=tuple(history),
    )


def _enough(triage: Mapping[str, Any] | None, approvals: list[str],
            needed: Mapping[str, int]) -> bool:
    severity = triage["severity"] if triage else "SEV4"
    return len(set(approvals)) >= int(needed.get(severity, 1))


def _next_state(state: State, kind: str, p: Mapping[str, Any], folded: bool) -> State | None:
    if p.get("override"):
        return CANONICAL_TARGET.get(kind)
    outcome = _OUTCOMES.get(kind)
    if outcome is not None:
        return outcome(state, p, folded)
    return CANONICAL_TARGET.get(kind)


def _after_triage(state: State, p: Mapping[str, Any], folded: bool) -> State:
    decision = p.get("decision")
    return ROUTE_STATE[decision["route"]] if decision else S.REPORTED


def _after_verify(state: State, p: Mapping[str, Any], folded: bool) -> State:
    if not p.get("passed"):
        return state
    return S.FOLDED_BACK if folded else S.VERIFIED


def _after_backport(state: State, p: Mapping[str, Any], folded: bool) -> State:
    done = p.get("main_ported") and state in (S.VERIFIED, S.FOLDED_BACK)
    return S.FOLDED_BACK if done else state


_OUTCOMES: dict[str, Callable[[State, Mapping[str, Any], bool], State]] = {
    "triage": _after_triage,
    "check": lambda state, p, folded: S.TESTED if p.get("passed") else S.IN_PROGRESS,
    "verify": _after_verify,
    "backport": _after_backport,
    "approve": lambda state, p, folded: state,
    "deploy_step": lambda state, p, folded: state,
}


def plan(record: Hotfix, action: str, actor: str, payload: Mapping[str, Any],
         approvers: Sequence[str]) -> Refusal | None:
    """None when ``actor`` may do ``action`` now; otherwise why not."""
    if record.state is S.CLOSED:
        return Refusal(f"{record.key} is closed; nothing more can be done to it",
                       f"open a new hotfix: hotfix open \"…\" (and mention {record.key})", False)
    if action == "approve":
        refusal = _approval_refusal(record, actor, approvers)
        if refusal:
            return refusal
    if action == "close":
        refusal = _not_folded(record)
        if refusal:
            return refusal
    allowed = ALLOWED_FROM.get(action)
    if allowed is not None and record.state not in allowed:
        return Refusal(
            f"cannot {action} {record.key}: it is {record.state.value} "
            f"(allowed from: {', '.join(s.value for s in allowed)})",
            _next_hint(record), action != "approve",
        )
    return _extra_guard(record, action, payload)


def _approval_refusal(record: Hotfix, actor: str, approvers: Sequence[str]) -> Refusal | None:
    if actor == record.requester:
        return Refusal(f"{actor} requested {record.key} and cannot approve it",
                       "another person approves: hotfix approve "
                       f"{record.key} --as OTHER@EXAMPLE.COM", False)
    if approvers and actor not in approvers:
        return Refusal(f"{actor} is not an approver",
                       "approvers are listed in hotfix.toml under [approvals] approvers", False)
    if actor in record.approvals:
        return Refusal(f"{actor} already approved {record.key}",
                       "a second approval must come from someone else", False)
    return None


def _extra_guard(record: Hotfix, action: str, payload: Mapping[str, Any]) -> Refusal | None:
    if action == "release":
        check = record.last("check")
        commit = payload.get("commit")
        if not check or not check.get("passed"):
            return Refusal(f"{record.key} has no passing check",
                           f"run: hotfix check {record.key}", True)
        if commit and check.get("commit") != commit:
            return Refusal(
                f"the passing check of {record.key} was on {str(check.get('commit'))[:12]}, "
                f"not on {str(commit)[:12]}, the commit to tag",
                f"run: hotfix check {record.key}", True)
    if action == "close" and record.state is S.FOLDED_BACK and not record.folded_into_main:
        return Refusal(f"{record.key} is not folded back into main",
                       f"run: hotfix backport {record.key}", True)
    return None


def _not_folded(record: Hotfix) -> Refusal | None:
    """Verified and backported, but main itself does not have the fix (its port unmerged)."""
    done = record.last("backport")
    if record.state is not S.VERIFIED or done is None or record.folded_into_main:
        return None
    main = next((t for t in done.get("targets", [])
                 if t.get("target") == done.get("mainline")), None)
    if main is None:
        return Refusal(f"{record.key} is not folded back into main: the last backport did "
                       "not include main", f"run: hotfix backport {record.key}", True)
    return Refusal(f"{record.key} is not folded back into main: {main['target']} is "
                   f"{main['status']} ({main.get('message') or 'see hotfix backport'})",
                   f"next: {main.get('next') or f'hotfix backport {record.key} --merge'}", True)


def _next_hint(record: Hotfix) -> str | None:
    step = record.next_step()
    return f"next step: {step}" if step else None
