"""An outbox item counts the times a platform's rate limit made it wait (`outbox.rate_waits`):
a rate-limit answer (Telegram's 429 with `retry_after`) waits the time asked and is not a failed
attempt, up to a bound (`engine/outbound.py`: `MAX_RATE_WAITS`), so a long text whose parts meet
429s is not given up after the outbox's six attempts, and an endless 429 loop still ends. 0 for
every item made before.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 07:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("rate_waits", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("rate_waits")
