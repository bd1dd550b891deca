"""A group can be closed (`hearth groups close`): when, by whom, and the group its members
were sent to, if any. A closed group takes no newcomers and gets no scheduled posts; its
history stays. NULL for every group open (all groups made before).

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06 13:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("closed_into", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("closed_into")
        batch.drop_column("closed_by")
        batch.drop_column("closed_at")
