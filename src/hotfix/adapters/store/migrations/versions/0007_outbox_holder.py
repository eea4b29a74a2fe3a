"""outbox holder: which job run holds a claimed notice, so its retry takes it back at once

Revision ID: 0007_outbox_holder
Revises: 0006_content
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_holder"
down_revision = "0006_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("held_by", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("held_by")
