"""A web chat message may be for one member's eyes: `webchat_messages.visible_to`, the user id
of the only member shown it (the bot's answer with their door code or payment reference),
NULL for the whole group. Before, such answers were posted for everyone in the group to read.
Messages kept before stay visible to all.

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-07 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webchat_messages") as batch:
        batch.add_column(sa.Column("visible_to", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webchat_messages") as batch:
        batch.drop_column("visible_to")
