"""The replies' index (`ix_messages_reply_to_id`: the message replied to, the replier, the
time) holds only replies (`reply_to_id IS NOT NULL`). Every message was in it, most with no
message to point at, and each stored message paid for its entry; every query of the index
names a message replied to (a report's questions' first answers) or asks for replies only,
so it reads the same rows from the smaller index.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-06 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None

_COLUMNS = ["reply_to_id", "member_id", "sent_at"]


def upgrade() -> None:
    op.drop_index("ix_messages_reply_to_id", table_name="messages")
    op.create_index(
        "ix_messages_reply_to_id",
        "messages",
        _COLUMNS,
        sqlite_where=sa.text("reply_to_id IS NOT NULL"),
        postgresql_where=sa.text("reply_to_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_reply_to_id", table_name="messages")
    op.create_index("ix_messages_reply_to_id", "messages", _COLUMNS)
