"""The named guards: each a rule, the role that may override it (None: nobody), a check.

Which transitions carry which guard is declared in ``hotfix.domain.record.kinds``; ``plan`` runs
them. A check returns ``Blocked`` (what is wrong, and the command that fixes it) or None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hotfix.domain.record import kinds as k
from hotfix.domain.record.actors import person, same_person
from hotfix.domain.record.documentation import document_command
from hotfix.domain.record.hotfix import Hotfix
from hotfix.domain.record.kind_model import APPROVER
from hotfix.domain.record.states import State


@dataclass(frozen=True)
class Attempt:
    """An actor trying an action on a record, with its payload."""

    record: Hotfix
    action: str
    actor: str
    payload: Mapping[str, Any]
    approvers: Sequence[str]


@dataclass(frozen=True)
class Blocked:
    message: str
    hint: str | None


@dataclass(frozen=True)
class Guard:
    name: str
    rule: str
    override_by: str | None
    check: Callable[[Attempt], Blocked | None]


def _requester_not_approver(a: Attempt) -> Blocked | None:
    key = a.record.key
    if not same_person(a.actor, a.record.requester):
        return None
    return Blocked(f"{a.actor} requested {key} and cannot approve it",
                   f"another person approves: hotfix approve {key} --as OTHER@EXAMPLE.COM")


def _listed_approver(a: Attempt) -> Blocked | None:
    if not a.approvers or person(a.actor) in {person(p) for p in a.approvers}:
        return None
    return Blocked(f"{a.actor} is not an approver",
                   "approvers are listed in hotfix.toml under [approvals] approvers")


def _one_approval_each(a: Attempt) -> Blocked | None:
    if person(a.actor) not in {person(p) for p in a.record.approvals}:
        return None
    return Blocked(f"{a.actor} already approved {a.record.key}",
                   "a second approval must come from someone else")


def _check_passed(a: Attempt) -> Blocked | None:
    key, check, commit = a.record.key, a.record.last("check"), a.payload.get("commit")
    if not check or not check.get("passed"):
        return Blocked(f"{key} has no passing check", f"run: hotfix check {key}")
    if commit and check.get("commit") != commit:
        return Blocked(f"the passing check of {key} was on {str(check.get('commit'))[:12]}, "
                       f"not on {str(commit)[:12]}, the commit to tag", f"run: hotfix check {key}")
    return None


def _mainline_has_fix(a: Attempt) -> Blocked | None:
    rec = a.record
    if rec.state is State.FOLDED_BACK and not rec.folded_into_main:
        return Blocked(f"{rec.key} is not folded back into main",
                       f"run: hotfix backport {rec.key}")
    return _main_port_missing(rec)


def _main_port_missing(rec: Hotfix) -> Blocked | None:
    """Verified and backported, but main itself does not have the fix (its port unmerged)."""
    done = rec.last("backport")
    if rec.state is not State.VERIFIED or done is None or rec.folded_into_main:
        return None
    main = next((t for t in done.get("targets", [])
                 if t.get("target") == done.get("mainline")), None)
    if main is None:
        return Blocked(f"{rec.key} is not folded back into main: the last backport did not "
                       "include main", f"run: hotfix backport {rec.key}")
    return Blocked(f"{rec.key} is not folded back into main: {main['target']} is "
                   f"{main['status']} ({main.get('message') or 'see hotfix backport'})",
                   f"next: {main.get('next') or f'hotfix backport {rec.key} --merge'}")


def _backout_plan(a: Attempt) -> Blocked | None:
    if a.record.last("backout") is not None:
        return None
    key = a.record.key
    return Blocked(f"{key} has no back-out plan: the release to return to if the deploy "
                   "goes wrong", f"record it first: hotfix backout {key} --to vX.Y.Z")


def _approved_template(a: Attempt) -> Blocked | None:
    rec = a.record
    template = str((rec.last("draft") or {}).get("template") or "")
    hint = ("approved templates are listed under [content] templates; anything else is a "
            f"code hotfix: hotfix triage {rec.key} -a change_kind=code")
    if not template:
        return Blocked(f"the draft of {rec.key} names no template: content is published "
                       "only through an approved template", hint)
    if template not in rec.settings.approved_templates:
        return Blocked(f"template {template!r} is not approved: content is published only "
                       "through an approved template", hint)
    return None


def _rolled_back_first(a: Attempt) -> Blocked | None:
    if a.record.state is State.VERIFIED:
        return None
    key = a.record.key
    return Blocked(f"{key} rolls back first: production is not verified on the last good "
                   "release yet", f"next step: hotfix rollback {key} --to vX.Y.Z")


def _documented(a: Attempt) -> Blocked | None:
    rec = a.record
    missing = rec.missing_documentation()
    if not missing or rec.state in k.KINDS[rec.kind].close_exempt:
        return None
    return Blocked(f"{rec.key} cannot close: missing documentation: {', '.join(missing)}",
                   document_command(rec.key, missing))


GUARDS: dict[str, Guard] = {g.name: g for g in (
    Guard(k.CHECK_PASSED, "no release before a passing check on the commit to tag", APPROVER,
          _check_passed),
    Guard(k.MAINLINE_HAS_FIX, "no close before the mainline has the fix", APPROVER,
          _mainline_has_fix),
    Guard(k.BACKOUT_PLAN, "no deploy without a back-out plan", APPROVER, _backout_plan),
    Guard(k.APPROVED_TEMPLATE, "no publish of content without an approved template", None,
          _approved_template),
    Guard(k.REQUESTER_NOT_APPROVER, "the requester never approves", None,
          _requester_not_approver),
    Guard(k.LISTED_APPROVER, "only listed approvers approve (when approvers are listed)", None,
          _listed_approver),
    Guard(k.ONE_APPROVAL_EACH, "one approval per person", None, _one_approval_each),
    Guard(k.ROLLED_BACK_FIRST, "a roll-back-first record fixes forward after the rollback "
          "is verified", APPROVER, _rolled_back_first),
    Guard(k.DOCUMENTED, "no close before the documentation the kind requires "
          "(close.require)", None, _documented),
)}
