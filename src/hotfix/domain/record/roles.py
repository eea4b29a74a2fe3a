"""Roles, by name: who may approve and who may force a refused check.

The lifecycle's data names roles (``Transition.force_by``, ``Guard.override_by``); who holds
a role is given by the caller as ``{role: members}``. Today the only role is ``approver``,
held by the people listed under ``[approvals] approvers``; the team server gives roles to
authenticated users instead, without changing the data.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from hotfix.domain.record.actors import person

Members = Mapping[str, Collection[str]]


@dataclass(frozen=True)
class Role:
    name: str
    plural: str
    someone: str  # "an approver"
    where: str  # where members are listed, for the hint of a refusal


ROLES: dict[str, Role] = {
    "approver": Role("approver", "approvers", "an approver",
                     "approvers are listed under [approvals] approvers in hotfix.toml"),
}


def role(name: str) -> Role:
    return ROLES[name]  # the kinds name only these (tests/domain/record/test_kinds_data.py)


def holds(members: Members, name: str, actor: str) -> bool:
    return person(actor) in {person(m) for m in members.get(name, ())}


def override_hint(roles: Collection[str]) -> str:
    """How to force a refusal, for the hint of an action whose command takes ``--override``.

    When several roles are needed, one actor holding all of them forces it; the hint names
    the first, the refusal (``Refusal.override_by``) names them all.
    """
    first = role(sorted(roles)[0])
    return f"{first.someone} forces it: add --override \"why\" --as {first.name.upper()}"
