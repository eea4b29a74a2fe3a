"""``ports.Identities`` in memory: the fake the server's service tests use."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import datetime

from hotfix.errors import NotFound
from hotfix.ports.identity import ClientKey, Identity, SecurityEvent, TokenRecord, UserView


class MemoryIdentities:
    def __init__(self) -> None:
        self._users: dict[str, datetime] = {}
        self._grants: set[tuple[str, str, str]] = set()
        self._tokens: list[TokenRecord] = []
        self._events: list[SecurityEvent] = []
        self._client_keys: list[ClientKey] = []

    def add_user(self, email: str, at: datetime) -> Identity:
        self._users.setdefault(email, at)
        return self._identity(email)

    def grant(self, email: str, project: str, role: str) -> Identity:
        self._require(email)
        self._grants.add((email, project, role))
        return self._identity(email)

    def identity(self, email: str) -> Identity | None:
        return self._identity(email) if email in self._users else None

    def issue(self, email: str, token_hash: str, at: datetime, expires_at: datetime | None,
              label: str = "") -> TokenRecord:
        self._require(email)
        if any(t.hash == token_hash for t in self._tokens):
            raise ValueError("token hash already kept")
        token = TokenRecord(len(self._tokens) + 1, email, token_hash, at, expires_at,
                            label=label)
        self._tokens.append(token)
        return token

    def token(self, token_hash: str) -> TokenRecord | None:
        return next((t for t in self._tokens if t.hash == token_hash), None)

    def touch(self, token_id: int, at: datetime) -> None:
        self._tokens = [dataclasses.replace(t, last_used_at=at) if t.id == token_id else t
                        for t in self._tokens]

    def revoke(self, email: str, at: datetime, token_id: int | None = None) -> int:
        live = [t for t in self._tokens if t.email == email and t.revoked_at is None
                and token_id in (None, t.id)]
        ids = {t.id for t in live}
        self._tokens = [dataclasses.replace(t, revoked_at=at) if t.id in ids else t
                        for t in self._tokens]
        return len(live)

    def users(self) -> list[UserView]:
        return [UserView(self._identity(e), at, tuple(t for t in self._tokens if t.email == e))
                for e, at in sorted(self._users.items())]

    def holders(self, project: str, roles: Collection[str]) -> frozenset[str]:
        return frozenset(e for e, p, r in self._grants if p in (project, "*") and r in roles)

    def record(self, event: SecurityEvent) -> None:
        self._events.append(event)

    def security_events(self) -> list[SecurityEvent]:
        return list(self._events)

    def add_client_key(self, project: str, key_hash: str, label: str, by: str,
                       at: datetime) -> ClientKey:
        if self.client_key(key_hash) is not None:
            raise ValueError("client key hash already kept")
        key = ClientKey(len(self._client_keys) + 1, project, key_hash, label, by, at)
        self._client_keys.append(key)
        return key

    def client_key(self, key_hash: str) -> ClientKey | None:
        return next((k for k in self._client_keys if k.hash == key_hash), None)

    def revoke_client_key(self, project: str, key_id: int, at: datetime) -> bool:
        for i, key in enumerate(self._client_keys):
            if (key.id, key.project, key.revoked_at) == (key_id, project, None):
                self._client_keys[i] = dataclasses.replace(key, revoked_at=at)
                return True
        return False

    def client_keys(self, project: str | None = None) -> list[ClientKey]:
        return [k for k in self._client_keys if project in (None, k.project)]

    def _identity(self, email: str) -> Identity:
        held: dict[str, set[str]] = {}
        for e, project, role in self._grants:
            if e == email:
                held.setdefault(project, set()).add(role)
        return Identity(email, {p: frozenset(r) for p, r in held.items()})

    def _require(self, email: str) -> None:
        if email not in self._users:
            raise NotFound(f"there is no user {email}",
                           hint=f"add them: hotfix users add {email} --role engineer")
