"""The schema, as typed SQLAlchemy models. Changes go through a named Alembic migration."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The newest migration in migrations/versions; tests/adapters/test_store_contract.py checks it
# against Alembic's own head. A database stamped with it needs no migration run.
SCHEMA_HEAD = "0002_waivers"


class Base(DeclarativeBase):
    pass


class HotfixRow(Base):
    __tablename__ = "hotfixes"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(Text)
    requester: Mapped[str] = mapped_column(String(320))
    opened_at: Mapped[str] = mapped_column(String(40))
    head_seq: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default="")


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("hotfix", "seq", name="uq_events_hotfix_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hotfix: Mapped[int] = mapped_column(ForeignKey("hotfixes.number"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, exactly as hashed
    actor: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class CacheRow(Base):
    """Derived data worth keeping between runs (patch-ids, …): safe to delete."""

    __tablename__ = "cache"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WaiverRow(Base):
    """``hotfix audit waive``: a line does not need a commit (when no hotfix is named)."""

    __tablename__ = "waivers"
    __table_args__ = (UniqueConstraint("sha", "line", name="uq_waivers_sha_line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha: Mapped[str] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(320))
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC
