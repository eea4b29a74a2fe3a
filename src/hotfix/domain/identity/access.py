"""What each role may do: the one table, read by the server's ``require`` and the docs.

A user holds roles per project (``*``: every project). A permission is allowed when any held
role grants it; ``roles_for`` names the roles that would, for the 403's hint.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

ROLES: tuple[str, ...] = ("viewer", "engineer", "approver", "marketer", "admin")
ALL_PROJECTS = "*"

# permission → (what it lets a user do, the roles that grant it)
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "read": ("see hotfixes, their timelines, live rollouts and the audit",
             frozenset(ROLES)),
    "act": ("open, triage, log time and take every lifecycle step but approving "
            "(start, pick, check, release, deploy, verify, backport, document, defer, close)",
            frozenset({"engineer", "approver", "admin"})),
    "approve": ("approve or reject a hotfix someone else requested, and force a refused "
                "guard with a reason", frozenset({"approver", "admin"})),
    "content": ("open and publish content changes through approved templates",
                frozenset({"marketer", "admin"})),
    "admin": ("add users, issue and revoke tokens, create projects, import records",
              frozenset({"admin"})),
}

# The record's own roles (hotfix.domain.record.roles) held by server roles: who the
# lifecycle counts as an approver when it checks an approval or a forced guard.
RECORD_ROLES: dict[str, frozenset[str]] = {"approver": frozenset({"approver", "admin"})}


def content_approver_roles(configured: Collection[str]) -> frozenset[str]:
    """The server roles that may approve a content change: ``content.approver_roles``
    (default approver; e.g. marketer too, for a second marketer), and admin always."""
    return frozenset(configured) | {"admin"}


def normalise_email(email: str) -> str:
    """The form every identity is stored and compared in: trimmed, lower-case."""
    return email.strip().lower()


def allows(roles: Collection[str], permission: str) -> bool:
    return bool(PERMISSIONS[permission][1] & set(roles))


def roles_for(permission: str) -> list[str]:
    """The roles granting ``permission``, in the order of ``ROLES``."""
    granted = PERMISSIONS[permission][1]
    return [r for r in ROLES if r in granted]


def project_roles(grants: Mapping[str, Collection[str]], project: str) -> frozenset[str]:
    """The roles held in ``project``: its own grants and the every-project ones."""
    return frozenset(grants.get(project, ())) | frozenset(grants.get(ALL_PROJECTS, ()))


def permissions_table() -> str:
    """The table of docs/server.md (tests/server/test_roles_doc.py keeps them equal)."""
    head = "| permission | what it allows | " + " | ".join(ROLES) + " |"
    rule = "|---|---|" + "---|" * len(ROLES)
    rows = [f"| `{name}` | {what} | " + " | ".join("yes" if r in granted else "—"
                                                   for r in ROLES) + " |"
            for name, (what, granted) in PERMISSIONS.items()]
    return "\n".join([head, rule, *rows])
