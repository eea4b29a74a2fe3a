"""content: every synced version of the content zones and templates

Revision ID: 0006_content
Revises: 0005_flag_client_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_content"
down_revision = "0005_flag_client_keys"
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
