"""The outbox is indexed by group and time (`ix_outbox_group_id_created_at`): the FAQ reads a
group's recent replies back after a restart, so its cooldown holds across one, without a pass
over the whole outbox for each group.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 08:55:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_group_id_created_at", "outbox", ["group_id", "created_at"],
                    unique=False)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_outbox_group_id_created_at", table_name="outbox")
