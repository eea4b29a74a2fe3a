"""waivers: recorded decisions that a release line does not need a commit

Revision ID: 0002_waivers
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_waivers"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waivers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha", sa.String(64), nullable=False),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.UniqueConstraint("sha", "line", name="uq_waivers_sha_line"),
    )


def downgrade() -> None:
    op.drop_table("waivers")
