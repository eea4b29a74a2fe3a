"""published: what the team's CI published to the team server (hotfix audit --publish)

Revision ID: 0009_published
Revises: 0008_witness
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_published"
down_revision = "0008_witness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("commit", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("ix_published_kind", "published", ["kind"])


def downgrade() -> None:
    op.drop_table("published")
