"""Step 14, workers sharing one PostgreSQL database: an outbox item remembers which worker
claimed it (`outbox.claimed_by`, the worker id of `store/cluster.py`; NULL for a process
that is not one of several workers), so the claims of a worker that died are taken over at
once instead of after the stale limit.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_by")
