"""identity: the team server's projects, users, role grants, token hashes, security events

Revision ID: 0003_identity
Revises: 0002_waivers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_identity"
down_revision = "0002_waivers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("email", sa.String(320), primary_key=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "grants",
        sa.Column("email", sa.String(320), sa.ForeignKey("users.email"), primary_key=True),
        sa.Column("project", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), sa.ForeignKey("users.email"), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40)),
        sa.Column("revoked_at", sa.String(40)),
        sa.Column("last_used_at", sa.String(40)),
    )
    op.create_index("ix_tokens_email", "tokens", ["email"])
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("claimed", sa.String(320), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("security_events", "tokens", "grants", "users", "projects"):
        op.drop_table(table)
