"""content_images: images uploaded into content image slots, kept by content hash

Revision ID: 0010_content_images
Revises: 0009_published
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_content_images"
down_revision = "0009_published"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_images",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("content_images")
