"""witness: the team server's signed record heads, index of records and signed running head

Revision ID: 0008_witness
Revises: 0007_outbox_holder
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_witness"
down_revision = "0007_outbox_holder"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signed_heads",
        sa.Column("hotfix", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
    )
    op.create_table(
        "record_index",
        sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("hotfix", sa.Integer(), nullable=False, unique=True),
        sa.Column("opened_hash", sa.String(64), nullable=False),
        sa.Column("running_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "running_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("running_head")
    op.drop_table("record_index")
    op.drop_table("signed_heads")
