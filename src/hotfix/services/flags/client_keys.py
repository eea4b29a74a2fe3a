"""Per-project flag client keys: what an OpenFeature SDK's OFREP provider sends.

A key is ``hfk_`` + 32 random bytes, shown once; the server keeps its SHA-256. It may only
evaluate the flags of its project: it is no person's token, and a token is never a key."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from hotfix.domain.identity.tokens import SECRET_BYTES, same_hash, token_hash
from hotfix.errors import NotAuthenticated, NotFound, UsageError
from hotfix.ports.identity import ClientKey, ClientKeys
from hotfix.services.identity.users import checked_project

PREFIX = "hfk_"
_SHAPE = re.compile(r"hfk_[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class IssuedKey:
    key: ClientKey
    secret: str  # shown once, never stored


def create_key(keys: ClientKeys, project: str, label: str, by: str,
               now: datetime) -> IssuedKey:
    project = checked_project(project)
    if project == "*":
        raise UsageError("a client key belongs to one project, not to *", hint="--project NAME")
    secret = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    return IssuedKey(keys.add_client_key(project, token_hash(secret), label, by, now), secret)


def revoke_key(keys: ClientKeys, project: str, key_id: int, now: datetime) -> None:
    if not keys.revoke_client_key(checked_project(project), key_id, now):
        raise NotFound(f"project {project!r} has no live client key {key_id}",
                       hint="see them: hotfix flags key list")


def project_of_key(keys: ClientKeys, secret: str) -> str:
    """The project a live client key belongs to; ``NotAuthenticated`` otherwise."""
    refused = NotAuthenticated("the flag client key is not valid (unknown or revoked)",
                               hint="create one on the server: hotfix flags key create "
                                    "--project NAME")
    if not _SHAPE.fullmatch(secret):
        raise refused
    digest = token_hash(secret)
    key = keys.client_key(digest)
    if key is None or key.revoked_at is not None or not same_hash(key.hash, digest):
        raise refused
    return key.project
