"""An outbox item remembers what a carrier performed of it so far (`outbox.progress`): a long
Telegram post goes in several messages, and the ids of the parts sent are kept here, so a
retry after a restart sends only the parts not sent (before, the process alone remembered
them, and a restart between a failed part and its retry sent the post again from its first
part). NULL for every item made before, and for every item performed in one go.

Revision ID: 0041
Revises: 0039
Create Date: 2026-12-06 09:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0041"
down_revision = "0039"
branch_labels = None
depends_on = None

# Spelled out here rather than imported from the models: a migration is history.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("progress", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("progress")
