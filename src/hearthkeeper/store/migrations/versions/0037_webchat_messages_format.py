"""A web chat message says how its text is written: `webchat_messages.format`, "markdown" for
a scheduled post (the page shows it formatted: bold, italic, links, lists), NULL for text
shown as typed (members' messages, the bot's replies). Before, a post's Markdown was shown
with its asterisks and brackets. Messages kept before stay as typed.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webchat_messages") as batch:
        batch.add_column(sa.Column("format", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webchat_messages") as batch:
        batch.drop_column("format")
