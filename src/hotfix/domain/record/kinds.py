"""The record kinds, declared as data: service, library, content, flag, rollback.

Every kind starts at ``reported`` and shares the common front (triage → approve, or reject,
or defer); what follows differs. docs/lifecycle.md draws each one. Guards are named here and
defined in ``hotfix.domain.record.guards``; ``from-state`` is the rule that the record is in one of
the transition's sources.

A record's kind: the ``kind`` its ``open`` event names, else the project's (``project.kind``);
triage then decides it by route (``kind_for_route``), except for a flag change, which triage
never re-routes. A roll-back-first record continues as a record of the project's kind when
its fix goes forward (``start``), keeping its timeline.
"""

from __future__ import annotations

from hotfix.domain.record.kind_model import FROM_STATE, PROJECT, ROUTED, Kind, Transition
from hotfix.domain.record.outcomes import ByRoute, IfSet, OnApproval, Stay, To
from hotfix.domain.record.states import State

S = State
PROJECT_KINDS = ("service", "library")
ROUTE_KINDS = {"content": "content", "rollback": "rollback"}  # other routes: the project's
DEFERRING = (("patch-release", S.DEFERRED), ("next-release", S.DEFERRED))
ROUTE_STATES = (("content", S.CONTENT), *DEFERRING)  # hotfix, rollback: triaged

CHECK_PASSED = "check-passed"
MAINLINE_HAS_FIX = "mainline-has-fix"
BACKOUT_PLAN = "backout-plan"
APPROVED_TEMPLATE = "approved-template"
REQUESTER_NOT_APPROVER = "requester-not-approver"
LISTED_APPROVER = "listed-approver"
ONE_APPROVAL_EACH = "one-approval-each"
ROLLED_BACK_FIRST = "rolled-back-first"
DOCUMENTED = "documented"
CLOSE_CHECKS = (FROM_STATE, DOCUMENTED)


def kind_for_route(route: str | None, project_kind: str) -> str:
    """The kind triage's route gives a record: content and rollback have their own."""
    return ROUTE_KINDS.get(route or "", project_kind)


def _triage(*sources: State, routed: bool = True) -> Transition:
    outcome = ByRoute(ROUTE_STATES) if routed else ByRoute(DEFERRING)
    # forced (an approver re-triaging mid-way): where the route leads, as when allowed
    return Transition("triage", sources, outcome, None, clears_approvals=True,
                      becomes=ROUTED if routed else None)


def _approve(source: State = S.TRIAGED) -> Transition:
    checks = (REQUESTER_NOT_APPROVER, LISTED_APPROVER, ONE_APPROVAL_EACH, FROM_STATE)
    return Transition("approve", (source,), OnApproval(S.APPROVED, (source,)), S.APPROVED,
                      checks=checks, force_by=None)


def _to(action: str, sources: tuple[State, ...], target: State, *checks: str) -> Transition:
    return Transition(action, sources, To(target), target, checks=(FROM_STATE, *checks))


def _close(*sources: State, checks: tuple[str, ...] = CLOSE_CHECKS) -> Transition:
    return Transition("close", sources, To(S.CLOSED), S.CLOSED, checks=checks)


_FRONT = (S.REPORTED, S.TRIAGED, S.DEFERRED, S.APPROVED)
_WORK = (
    _to("start", (S.APPROVED,), S.IN_PROGRESS),
    _to("pick", (S.IN_PROGRESS, S.TESTED), S.IN_PROGRESS),  # a new commit needs a new check
    Transition("check", (S.IN_PROGRESS, S.TESTED), IfSet("passed", S.TESTED, S.IN_PROGRESS),
               S.TESTED),
    _to("release", (S.TESTED,), S.RELEASED, CHECK_PASSED),
)
_FOLD_BACK = IfSet("main_ported", S.FOLDED_BACK, only_from=(S.VERIFIED, S.FOLDED_BACK))
_VERIFY = IfSet("passed", S.VERIFIED, folded=S.FOLDED_BACK)
_CODE_NEXT = {
    S.REPORTED: "hotfix triage {key} …",
    S.TRIAGED: "hotfix approve {key} --as APPROVER",
    S.APPROVED: "hotfix start {key}",
    S.IN_PROGRESS: "hotfix check {key}",
    S.TESTED: "hotfix release {key}",
    S.VERIFIED: "hotfix backport {key}",
    S.FOLDED_BACK: "hotfix close {key}",
    S.DEFERRED: "hotfix close {key} (ships with a planned release)",
    S.REJECTED: "hotfix close {key}",
}

SERVICE = Kind(
    "service", "a code hotfix, deployed to a running service and verified in production",
    frozenset({*_FRONT, S.REJECTED, S.IN_PROGRESS, S.TESTED, S.RELEASED, S.DEPLOYING,
               S.DEPLOYED, S.VERIFIED, S.FOLDED_BACK, S.CLOSED}),
    (
        _triage(*_FRONT), _approve(), _to("reject", _FRONT, S.REJECTED), *_WORK,
        _to("deploy", (S.RELEASED, S.DEPLOYED), S.DEPLOYING, BACKOUT_PLAN),
        Transition("deploy_step", (S.DEPLOYING,), Stay(), S.DEPLOYING),
        _to("promote", (S.DEPLOYING,), S.DEPLOYED),
        _to("rollback", (S.DEPLOYING, S.DEPLOYED), S.IN_PROGRESS),
        Transition("verify", (S.DEPLOYED, S.VERIFIED, S.FOLDED_BACK), _VERIFY, S.VERIFIED),
        Transition("backport", (S.RELEASED, S.DEPLOYING, S.DEPLOYED, S.VERIFIED, S.FOLDED_BACK),
                   _FOLD_BACK, S.FOLDED_BACK),
        _close(S.FOLDED_BACK, S.REJECTED, S.DEFERRED,
               checks=(MAINLINE_HAS_FIX, *CLOSE_CHECKS)),
    ),
    {**_CODE_NEXT, S.RELEASED: "hotfix deploy {key}",
     S.DEPLOYING: "hotfix deploy {key} (resume) or hotfix rollback {key}",
     S.DEPLOYED: "hotfix verify {key}"},
    optional_guards=frozenset({BACKOUT_PLAN}),
)

LIBRARY = Kind(
    "library", "a library hotfix: released and published, never deployed",
    frozenset({*_FRONT, S.REJECTED, S.IN_PROGRESS, S.TESTED, S.RELEASED, S.PUBLISHED,
               S.VERIFIED, S.FOLDED_BACK, S.CLOSED}),
    (
        _triage(*_FRONT), _approve(), _to("reject", _FRONT, S.REJECTED), *_WORK,
        Transition("publish", (S.RELEASED,), IfSet("passed", S.PUBLISHED), S.PUBLISHED),
        Transition("verify", (S.PUBLISHED, S.VERIFIED, S.FOLDED_BACK), _VERIFY, S.VERIFIED),
        Transition("backport", (S.RELEASED, S.PUBLISHED, S.VERIFIED, S.FOLDED_BACK),
                   _FOLD_BACK, S.FOLDED_BACK),
        _close(S.FOLDED_BACK, S.REJECTED, S.DEFERRED,
               checks=(MAINLINE_HAS_FIX, *CLOSE_CHECKS)),
    ),
    {**_CODE_NEXT, S.RELEASED: "hotfix publish {key}",
     S.PUBLISHED: "hotfix verify {key} (against the published artifact)"},
    deployed=False,
)

_CONTENT_OPEN = (S.REPORTED, S.CONTENT, S.DRAFTED, S.APPROVED)
CONTENT = Kind(
    "content", "a content change through a pre-approved template: no branch, test or release",
    frozenset({*_CONTENT_OPEN, S.SCHEDULED, S.PUBLISHED, S.EXPIRED, S.REVERTED, S.REJECTED,
               S.CLOSED}),
    (
        _triage(*_CONTENT_OPEN), _to("reject", (*_CONTENT_OPEN, S.SCHEDULED), S.REJECTED),
        Transition("draft", (S.CONTENT, S.DRAFTED, S.APPROVED, S.SCHEDULED), To(S.DRAFTED),
                   S.DRAFTED, clears_approvals=True),  # a new draft needs a new approval
        _approve(S.DRAFTED),
        Transition("schedule", (S.APPROVED,), To(S.SCHEDULED), S.SCHEDULED,
                   checks=(FROM_STATE, APPROVED_TEMPLATE), force_by=None),
        Transition("publish", (S.APPROVED, S.SCHEDULED), To(S.PUBLISHED), S.PUBLISHED,
                   checks=(FROM_STATE, APPROVED_TEMPLATE), force_by=None),
        _to("expire", (S.PUBLISHED,), S.EXPIRED),
        _to("revert", (S.PUBLISHED, S.EXPIRED), S.REVERTED),
        _close(S.PUBLISHED, S.EXPIRED, S.REVERTED, S.REJECTED, S.CONTENT),
    ),
    {
        S.REPORTED: "hotfix triage {key} …",
        S.CONTENT: "hotfix content draft {key} --template TEMPLATE "
                   "(published outside hotfix: hotfix close {key})",
        S.DRAFTED: "hotfix approve {key} --as APPROVER",
        S.APPROVED: "hotfix content publish {key} (or schedule it)",
        S.SCHEDULED: "wait for the scheduled publish, or hotfix content draft {key} to change it",
        S.PUBLISHED: "hotfix close {key} (or hotfix content revert {key})",
        S.EXPIRED: "hotfix close {key} (or hotfix content revert {key})",
        S.REVERTED: "hotfix close {key}",
        S.REJECTED: "hotfix close {key}",
    },
)

FLAG = Kind(
    "flag", "a feature-flag change: set, rolled out by percentage, completed or killed",
    frozenset({*_FRONT, S.REJECTED, S.SET, S.ROLLING_OUT, S.COMPLETED, S.KILLED, S.CLOSED}),
    (
        _triage(*_FRONT, routed=False), _approve(), _to("reject", (*_FRONT, S.SET), S.REJECTED),
        _to("set", (S.APPROVED, S.SET), S.SET),
        _to("deploy", (S.SET,), S.ROLLING_OUT),
        Transition("deploy_step", (S.ROLLING_OUT,), Stay(), S.ROLLING_OUT),
        _to("promote", (S.ROLLING_OUT,), S.COMPLETED),
        _to("rollback", (S.ROLLING_OUT,), S.SET),  # back to 0 %: set again, deploy, or kill
        _to("kill", (S.SET, S.ROLLING_OUT, S.COMPLETED), S.KILLED),  # forced: the emergency bypass
        _close(S.COMPLETED, S.KILLED, S.REJECTED, S.DEFERRED),
    ),
    {
        S.REPORTED: "hotfix triage {key} …",
        S.TRIAGED: "hotfix approve {key} --as APPROVER",
        S.APPROVED: "hotfix flags set FLAG … (for {key})",
        S.SET: "hotfix deploy {key} --via flag:FLAG",
        S.ROLLING_OUT: "hotfix deploy {key} (resume) or hotfix flags kill FLAG",
        S.COMPLETED: "hotfix close {key}",
        S.KILLED: "hotfix close {key}",
        S.DEFERRED: "hotfix close {key} (ships with a planned release)",
        S.REJECTED: "hotfix close {key}",
    },
)

_ROLLBACK_FRONT = (S.REPORTED, S.TRIAGED, S.DEFERRED, S.APPROVED)
ROLLBACK = Kind(
    "rollback", "roll back first: production returns to the last good release, is verified, "
    "then the fix goes forward or is deferred",
    frozenset({*_ROLLBACK_FRONT, S.REJECTED, S.ROLLING_BACK, S.ROLLED_BACK, S.VERIFIED,
               S.CLOSED}),
    (
        _triage(*_ROLLBACK_FRONT), _approve(), _to("reject", _ROLLBACK_FRONT, S.REJECTED),
        Transition("rollback", (S.APPROVED, S.ROLLING_BACK, S.ROLLED_BACK),
                   IfSet("done", S.ROLLED_BACK, S.ROLLING_BACK), S.ROLLING_BACK),
        Transition("verify", (S.ROLLED_BACK, S.VERIFIED), IfSet("passed", S.VERIFIED),
                   S.VERIFIED),
        Transition("start", (S.APPROVED, S.VERIFIED), To(S.IN_PROGRESS), S.IN_PROGRESS,
                   checks=(FROM_STATE, ROLLED_BACK_FIRST), becomes=PROJECT),  # fix forward
        _to("defer", (S.VERIFIED,), S.DEFERRED),
        _close(S.DEFERRED, S.REJECTED),
    ),
    {
        S.REPORTED: "hotfix triage {key} …",
        S.TRIAGED: "hotfix approve {key} --as APPROVER",
        S.APPROVED: "hotfix rollback {key} --to vX.Y.Z",
        S.ROLLING_BACK: "hotfix resume {key}",
        S.ROLLED_BACK: "hotfix verify {key}",
        S.VERIFIED: "fix forward: hotfix start {key}; or hotfix defer {key} --reason \"…\"",
        S.DEFERRED: "hotfix close {key} (ships with a planned release)",
        S.REJECTED: "hotfix close {key}",
    },
)

KINDS: dict[str, Kind] = {k.name: k for k in (SERVICE, LIBRARY, CONTENT, FLAG, ROLLBACK)}
ALL_ACTIONS = frozenset(a for kind in KINDS.values() for a in kind.actions)
# actions whose command takes ``--override`` for the lifecycle (check's is the scope guard's)
OVERRIDE_OPTION = frozenset({"close", "deploy"})
