"""The schema, as SQLAlchemy Core tables. Changes go through a named Alembic migration.

Core, not the ORM: reading a record must not pay for importing ``sqlalchemy.orm``.
``tests/adapters/test_store_contract.py`` checks these tables against what the migrations
build, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# the newest migration, kept apart so that reading it imports no SQLAlchemy: bump it there
from hotfix.adapters.store.head import SCHEMA_HEAD as SCHEMA_HEAD  # noqa: PLC0414 (re-export)

metadata = MetaData()

hotfixes = Table(
    "hotfixes", metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("requester", String(320), nullable=False),
    Column("opened_at", String(40), nullable=False),
    Column("head_seq", Integer, nullable=False, default=0),
    Column("head_hash", String(64), nullable=False, default=""),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hotfix", ForeignKey("hotfixes.number"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("at", String(40), nullable=False),  # ISO 8601 UTC, exactly as hashed
    Column("actor", String(320), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON, exactly as hashed
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("hotfix", "seq", name="uq_events_hotfix_seq"),
)

# Derived data worth keeping between runs (patch-ids, …): safe to delete.
cache = Table(
    "cache", metadata,
    Column("namespace", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
)

# ``hotfix audit waive``: a line does not need a commit (when no hotfix is named).
waivers = Table(
    "waivers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha", String(64), nullable=False),
    Column("line", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("at", String(40), nullable=False),  # ISO 8601 UTC
    UniqueConstraint("sha", "line", name="uq_waivers_sha_line"),
)

# The team server's identities (hotfix.adapters.store.identity): emails normalised.
projects = Table(
    "projects", metadata,
    Column("name", String(64), primary_key=True),
    Column("settings", Text, nullable=False, default="{}"),  # JSON: the server's settings
    Column("created_at", String(40), nullable=False),
)

users = Table(
    "users", metadata,
    Column("email", String(320), primary_key=True),
    Column("created_at", String(40), nullable=False),
)

grants = Table(
    "grants", metadata,
    Column("email", ForeignKey("users.email"), primary_key=True),
    Column("project", String(64), primary_key=True),  # "*": every project
    Column("role", String(32), primary_key=True),
)

tokens = Table(
    "tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", ForeignKey("users.email"), nullable=False, index=True),
    Column("hash", String(64), nullable=False, unique=True),  # SHA-256 of the secret
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40)),
    Column("revoked_at", String(40)),
    Column("last_used_at", String(40)),
)

# Refused attempts worth an audit: forged identity headers, requesters approving, …
security_events = Table(
    "security_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("claimed", String(320), nullable=False),
    Column("address", String(64), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

# Notices waiting for delivery (docs/notifications.md): written in the same transaction as
# the event they tell of, delivered at least once, the id the same on every attempt.
outbox = Table(
    "outbox", metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),  # the order queued
    Column("id", String(200), nullable=False),  # the notice's id (webhook-id)
    Column("channel", String(64), nullable=False),
    Column("hotfix", ForeignKey("hotfixes.number"), nullable=False, index=True),
    Column("notice", Text, nullable=False),  # the notice, as JSON
    Column("state", String(16), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", String(40), nullable=False),  # ISO 8601 UTC: due (pending), or last try
    Column("created_at", String(40), nullable=False),
    Column("delivered_at", String(40), nullable=True),
    Column("last_error", Text, nullable=False, default=""),
    Column("held_by", String(200), nullable=True),  # the job run holding a claim, if one
    Index("ix_outbox_state_next_at", "state", "next_at"),
    UniqueConstraint("id", name="uq_outbox_id"),
)

# Feature flags' client keys (hotfix flags key): what an OpenFeature SDK evaluates with
flag_client_keys = Table(
    "flag_client_keys", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", String(64), nullable=False, index=True),
    Column("hash", String(64), nullable=False, unique=True),  # SHA-256 of the secret
    Column("label", String(200), nullable=False, default=""),
    Column("created_by", String(320), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

# ``hotfix content sync``: every version of the zones and templates, kept (ports.ContentCatalogs)
content_catalogs = Table(
    "content_catalogs", metadata,
    Column("version", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False),  # SHA-256 of the canonical body
    Column("body", Text, nullable=False),  # JSON: {"zones": {...}, "templates": {...}}
    Column("actor", String(320), nullable=False),
    Column("at", String(40), nullable=False),
)

# Images uploaded into content image slots, each once under its name: the SHA-256 of its
# bytes and the extension of its real type (ports.ContentImages); served at
# /content/v1/images/{name}, never changed, so cacheable for ever
content_images = Table(
    "content_images", metadata,
    Column("name", String(80), primary_key=True),
    Column("media_type", String(40), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("at", String(40), nullable=False),
)

# The team server's witness (domain/record/witness.py): each record's signed head, the index
# of records in the order they were created, and the signed running head over that index.
# No foreign keys: a record deleted behind the server's back leaves its signatures behind.
signed_heads = Table(
    "signed_heads", metadata,
    Column("hotfix", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(200), nullable=False),
    Column("key_id", String(64), nullable=False),
)
record_index = Table(
    "record_index", metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("hotfix", Integer, nullable=False, unique=True),
    Column("opened_hash", String(64), nullable=False),
    Column("running_hash", String(64), nullable=False),
)
running_head = Table(
    "running_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("count", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(200), nullable=False),
    Column("key_id", String(64), nullable=False),
)

# What the team's CI published to the team server (hotfix audit --publish): every version kept
published = Table(
    "published", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False, index=True),  # "audit"
    Column("commit", String(64), nullable=False),  # the mainline commit it was computed at
    Column("body", Text, nullable=False),  # JSON, as the CLI's --json prints it
    Column("actor", String(320), nullable=False),
    Column("at", String(40), nullable=False),
)
