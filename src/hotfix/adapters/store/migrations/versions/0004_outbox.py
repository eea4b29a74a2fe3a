"""outbox: notices written with the events they tell of, delivered at least once

Revision ID: 0004_outbox
Revises: 0003_identity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_outbox"
down_revision = "0003_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("hotfix", sa.Integer(), sa.ForeignKey("hotfixes.number"), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.String(40), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("delivered_at", sa.String(40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.UniqueConstraint("id", name="uq_outbox_id"),
    )
    op.create_index("ix_outbox_hotfix", "outbox", ["hotfix"])
    op.create_index("ix_outbox_state_next_at", "outbox", ["state", "next_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_state_next_at", table_name="outbox")
    op.drop_index("ix_outbox_hotfix", table_name="outbox")
    op.drop_table("outbox")
