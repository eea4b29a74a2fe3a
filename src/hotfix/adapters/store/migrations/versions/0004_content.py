"""content: every synced version of the content zones and templates

Revision ID: 0004_content
Revises: 0003_identity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_content"
down_revision = "0003_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_catalogs",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("content_catalogs")
