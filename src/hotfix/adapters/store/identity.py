"""The team server's identities in the record's database (``ports.Identities``).

Short transactions on the same ``Database`` as the record, so users, grants and tokens
migrate, back up and restore with it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hotfix.adapters.store.database import Database
from hotfix.adapters.store.rows import iso
from hotfix.adapters.store.tables import flag_client_keys, grants, security_events, tokens, users
from hotfix.errors import NotFound
from hotfix.ports.identity import ClientKey, Identity, SecurityEvent, TokenRecord, UserView

_TOKEN = [tokens.c[n] for n in ("id", "email", "hash", "created_at", "expires_at",
                                "revoked_at", "last_used_at", "label")]


class SqlIdentities:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add_user(self, email: str, at: datetime) -> Identity:
        with self.db.writing("add a user") as conn:
            if conn.execute(select(users.c.email).where(users.c.email == email)).first() is None:
                conn.execute(insert(users).values(email=email, created_at=iso(at)))
            return _identity(conn, email)

    def grant(self, email: str, project: str, role: str) -> Identity:
        with self.db.writing("grant a role") as conn:
            _require_user(conn, email)
            have = conn.execute(select(grants.c.role).where(
                grants.c.email == email, grants.c.project == project,
                grants.c.role == role)).first()
            if have is None:
                conn.execute(insert(grants).values(email=email, project=project, role=role))
            return _identity(conn, email)

    def identity(self, email: str) -> Identity | None:
        with self.db.reading("read a user") as conn:
            if conn.execute(select(users.c.email).where(users.c.email == email)).first() is None:
                return None
            return _identity(conn, email)

    def issue(self, email: str, token_hash: str, at: datetime, expires_at: datetime | None,
              label: str = "") -> TokenRecord:
        with self.db.writing("issue a token") as conn:
            _require_user(conn, email)
            token_id = conn.execute(insert(tokens).values(
                email=email, hash=token_hash, label=label, created_at=iso(at),
                expires_at=iso(expires_at) if expires_at else None,
            ).returning(tokens.c.id)).scalar_one()
        return TokenRecord(int(token_id), email, token_hash, at, expires_at, label=label)

    def token(self, token_hash: str) -> TokenRecord | None:
        with self.db.reading("read a token") as conn:
            row = conn.execute(select(*_TOKEN).where(tokens.c.hash == token_hash)).first()
        return _token(row) if row else None

    def touch(self, token_id: int, at: datetime) -> None:
        with self.db.writing("note a token's use") as conn:
            conn.execute(update(tokens).where(tokens.c.id == token_id)
                         .values(last_used_at=iso(at)))

    def revoke(self, email: str, at: datetime, token_id: int | None = None) -> int:
        with self.db.writing("revoke tokens") as conn:
            query = update(tokens).where(tokens.c.email == email, tokens.c.revoked_at.is_(None))
            if token_id is not None:
                query = query.where(tokens.c.id == token_id)
            return int(conn.execute(query.values(revoked_at=iso(at))).rowcount)

    def users(self) -> list[UserView]:
        with self.db.reading("list users") as conn:
            rows = conn.execute(select(users.c.email, users.c.created_at)
                                .order_by(users.c.email)).all()
            all_tokens = [_token(r) for r in conn.execute(select(*_TOKEN).order_by(tokens.c.id))]
            return [UserView(_identity(conn, email), _time(created),
                             tuple(t for t in all_tokens if t.email == email))
                    for email, created in rows]

    def holders(self, project: str, roles: Collection[str]) -> frozenset[str]:
        with self.db.reading("read roles") as conn:
            found = conn.execute(select(grants.c.email).where(
                grants.c.project.in_([project, "*"]), grants.c.role.in_(list(roles))))
            return frozenset(str(e) for e in found.scalars())

    def record(self, event: SecurityEvent) -> None:
        with self.db.writing("record a security event") as conn:
            conn.execute(insert(security_events).values(
                at=iso(event.at), kind=event.kind, claimed=event.claimed[:320],
                address=event.address[:64], detail=event.detail))

    def security_events(self) -> list[SecurityEvent]:
        with self.db.reading("read security events") as conn:
            rows = conn.execute(select(security_events.c.at, security_events.c.kind,
                                       security_events.c.claimed, security_events.c.address,
                                       security_events.c.detail)
                                .order_by(security_events.c.id)).all()
        return [SecurityEvent(_time(at), kind, claimed, address, detail)
                for at, kind, claimed, address, detail in rows]

    def add_client_key(self, project: str, key_hash: str, label: str, by: str,
                       at: datetime) -> ClientKey:
        with self.db.writing("add a flag client key") as conn:
            key_id = conn.execute(insert(flag_client_keys).values(
                project=project, hash=key_hash, label=label, created_by=by,
                created_at=iso(at)).returning(flag_client_keys.c.id)).scalar_one()
        return ClientKey(int(key_id), project, key_hash, label, by, at)

    def client_key(self, key_hash: str) -> ClientKey | None:
        with self.db.reading("read a flag client key") as conn:
            row = conn.execute(select(flag_client_keys)
                               .where(flag_client_keys.c.hash == key_hash)).first()
        return _client_key(row) if row else None

    def revoke_client_key(self, project: str, key_id: int, at: datetime) -> bool:
        with self.db.writing("revoke a flag client key") as conn:
            done = conn.execute(update(flag_client_keys).where(
                flag_client_keys.c.id == key_id, flag_client_keys.c.project == project,
                flag_client_keys.c.revoked_at.is_(None)).values(revoked_at=iso(at)))
            return bool(done.rowcount)

    def client_keys(self, project: str | None = None) -> list[ClientKey]:
        query = select(flag_client_keys).order_by(flag_client_keys.c.id)
        if project is not None:
            query = query.where(flag_client_keys.c.project == project)
        with self.db.reading("list flag client keys") as conn:
            return [_client_key(row) for row in conn.execute(query)]


def _client_key(row: Any) -> ClientKey:
    return ClientKey(int(row.id), str(row.project), str(row.hash), str(row.label),
                     str(row.created_by), _time(row.created_at), _maybe(row.revoked_at))


def _require_user(conn: Connection, email: str) -> None:
    if conn.execute(select(users.c.email).where(users.c.email == email)).first() is None:
        raise NotFound(f"there is no user {email}",
                       hint=f"add them: hotfix users add {email} --role engineer")


def _identity(conn: Connection, email: str) -> Identity:
    held: dict[str, set[str]] = {}
    for project, role in conn.execute(select(grants.c.project, grants.c.role)
                                      .where(grants.c.email == email)):
        held.setdefault(str(project), set()).add(str(role))
    return Identity(email, {p: frozenset(r) for p, r in held.items()})


def _time(text: str | None) -> datetime:
    assert text is not None
    return datetime.fromisoformat(text)


def _maybe(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _token(row: Any) -> TokenRecord:
    return TokenRecord(int(row.id), str(row.email), str(row.hash), _time(row.created_at),
                       _maybe(row.expires_at), _maybe(row.revoked_at),
                       _maybe(row.last_used_at), str(row.label))
