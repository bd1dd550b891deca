"""A priced event's payment window (`activity_events.pay_within`, seconds): an unpaid place
is held that long, at most until the start, then lapses and the first waiting moves up.
Events made before keep none (held until paid, as they were told).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 08:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activity_events") as batch:
        batch.add_column(sa.Column("pay_within", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activity_events") as batch:
        batch.drop_column("pay_within")
