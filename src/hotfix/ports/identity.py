"""Who uses the team server: users, their roles per project, their API tokens, and the
refused attempts worth keeping (a forged identity header, a requester approving).

Implemented by ``hotfix.adapters.store.identity.SqlIdentities`` (the same database as the
record, SQLite or PostgreSQL) and ``hotfix.adapters.store.identity_memory.MemoryIdentities``
(the fake). Emails arrive normalised (``hotfix.domain.identity.access.normalise_email``);
tokens only as their SHA-256."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from hotfix.domain.identity.access import project_roles


@dataclass(frozen=True)
class Identity:
    """A user as the server knows them: normalised email and roles per project."""

    email: str
    grants: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def roles(self, project: str) -> frozenset[str]:
        return project_roles(self.grants, project)


@dataclass(frozen=True)
class TokenRecord:
    id: int
    email: str
    hash: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    label: str = ""


@dataclass(frozen=True)
class UserView:
    """A user with their grants and tokens, for ``hotfix users list``."""

    identity: Identity
    created_at: datetime
    tokens: tuple[TokenRecord, ...] = ()


@dataclass(frozen=True)
class SecurityEvent:
    """A refused attempt, kept: what was tried, by whom it claimed to be, from where."""

    at: datetime
    kind: str  # forged_identity_header | requester_approval | bad_token | …
    claimed: str
    address: str
    detail: str = ""


@dataclass(frozen=True)
class ClientKey:
    """A project's flag client key (its hash): it evaluates flags and does nothing else."""

    id: int
    project: str
    hash: str
    label: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None = None


class ClientKeys(Protocol):
    """Feature flags' client keys (``hotfix flags key``), kept beside the people's tokens
    but never one of them: a client key signs nobody in."""

    def add_client_key(self, project: str, key_hash: str, label: str, by: str,
                       at: datetime) -> ClientKey: ...

    def client_key(self, key_hash: str) -> ClientKey | None:
        """The key with this hash, revoked or not."""
        ...

    def revoke_client_key(self, project: str, key_id: int, at: datetime) -> bool:
        """Revoke the project's key ``key_id``; False when it has no such live key."""
        ...

    def client_keys(self, project: str | None = None) -> list[ClientKey]: ...


class Identities(ClientKeys, Protocol):
    def add_user(self, email: str, at: datetime) -> Identity:
        """The user ``email``, created when new (an existing one is returned as it is)."""
        ...

    def grant(self, email: str, project: str, role: str) -> Identity:
        """Give ``email`` the ``role`` in ``project`` (``*``: every project); idempotent."""
        ...

    def identity(self, email: str) -> Identity | None: ...

    def issue(self, email: str, token_hash: str, at: datetime, expires_at: datetime | None,
              label: str = "") -> TokenRecord:
        """Keep a new token (its hash) for an existing user."""
        ...

    def token(self, token_hash: str) -> TokenRecord | None:
        """The token with this hash, whatever its state (expired, revoked)."""
        ...

    def touch(self, token_id: int, at: datetime) -> None:
        """Note that the token was used at ``at``."""
        ...

    def revoke(self, email: str, at: datetime, token_id: int | None = None) -> int:
        """Revoke ``email``'s live tokens (only ``token_id`` when given); how many were."""
        ...

    def users(self) -> list[UserView]: ...

    def holders(self, project: str, roles: Collection[str]) -> frozenset[str]:
        """The emails holding any of ``roles`` in ``project`` (every-project grants too)."""
        ...

    def record(self, event: SecurityEvent) -> None: ...

    def security_events(self) -> list[SecurityEvent]: ...
