"""Users and tokens: ``hotfix users add/list/revoke`` and the server's token check.

A token's secret is shown once, when it is issued; only its SHA-256 is kept."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotfix.domain.identity.access import ALL_PROJECTS, ROLES, normalise_email
from hotfix.domain.identity.tokens import (
    PREFIX,
    SECRET_BYTES,
    parse_lifetime,
    same_hash,
    token_hash,
    usable,
    well_formed,
)
from hotfix.domain.record.actors import actor_problem
from hotfix.errors import NotAuthenticated, NotFound, UsageError
from hotfix.ports.identity import Identities, Identity, TokenRecord, UserView

_PROJECT = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}|\*")
ADMIN_HINT = "hotfix users add YOU@EXAMPLE.COM --role admin"
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Issued:
    identity: Identity
    token: TokenRecord
    secret: str  # shown once, never stored


def checked_email(email: str) -> str:
    problem = actor_problem(email)
    if problem:
        raise UsageError(f"{problem}: users are named by their email",
                         hint="e.g. hotfix users add lee@shop.example --role approver")
    return normalise_email(email)


def checked_project(project: str) -> str:
    name = project.strip().lower()
    if not _PROJECT.fullmatch(name):
        raise UsageError(f"{project!r} is not a project name",
                         hint="lower-case letters, digits, '.', '_' and '-' (or * for all)")
    return name


def add_user(ids: Identities, email: str, role: str, project: str, now: datetime,
             expires: str | None = None, label: str = "") -> Issued:
    """Create the user if new, grant ``role`` in ``project``, issue a token (printed once)."""
    email, project = checked_email(email), checked_project(project)
    if role not in ROLES:
        raise UsageError(f"{role!r} is not a role", hint="roles: " + ", ".join(ROLES))
    try:
        expires_at = now + parse_lifetime(expires) if expires else None
    except ValueError as exc:
        raise UsageError(str(exc), hint="e.g. --expires 30d") from None
    ids.add_user(email, now)
    identity = ids.grant(email, project, role)
    secret = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    return Issued(identity, ids.issue(email, token_hash(secret), now, expires_at, label), secret)


def authenticate(ids: Identities, secret: str, now: datetime) -> Identity:
    """Who ``secret`` belongs to; ``NotAuthenticated`` for an unknown, expired or revoked one."""
    refused = NotAuthenticated("the token is not valid (unknown, expired or revoked)",
                               hint="ask an admin for a new one: hotfix users add YOU --role R")
    if not well_formed(secret):
        raise refused
    digest = token_hash(secret)
    token = ids.token(digest)
    if token is None or not same_hash(token.hash, digest):
        raise refused
    if not usable(token.expires_at, token.revoked_at, now):
        raise refused
    identity = ids.identity(token.email)
    if identity is None:
        raise refused
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ids.touch(token.id, now)  # "last used", to the minute: not a write per request
    return identity


def revoke(ids: Identities, email: str, now: datetime, token_id: int | None = None) -> int:
    email = checked_email(email)
    if ids.identity(email) is None:
        raise NotFound(f"there is no user {email}", hint="see them: hotfix users list")
    return ids.revoke(email, now, token_id)


def list_users(ids: Identities) -> list[UserView]:
    return ids.users()


def has_admin(ids: Identities, now: datetime) -> bool:
    """An admin with a live token exists (in any project)."""
    for view in ids.users():
        if any("admin" in roles for roles in view.identity.grants.values()) and any(
                usable(t.expires_at, t.revoked_at, now) for t in view.tokens):
            return True
    return False


__all__ = ["ADMIN_HINT", "ALL_PROJECTS", "Issued", "add_user", "authenticate", "has_admin",
           "list_users", "revoke"]
