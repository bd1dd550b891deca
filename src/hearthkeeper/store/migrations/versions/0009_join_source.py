"""A web chat join keeps the token of the link the member came by (`webchat_events.source`):
the engine's Join carries it to the live codes and referrals that made the link.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webchat_events") as batch:
        batch.add_column(sa.Column("source", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webchat_events") as batch:
        batch.drop_column("source")
