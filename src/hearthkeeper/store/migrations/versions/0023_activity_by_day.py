"""Indexes a report reads from alone: the activity rollups by day (`ix_activity_days_day`:
day, group, member, messages, questions), from which a report of many groups reads its rows
in order of day without a sort or a look-up of each row in the table; and the replies
(`ix_messages_reply_to_id` now also holds the replier and the time), which a report reads
for its questions' first answers without walking every message.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 01:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_messages_reply_to_id", table_name="messages")
    op.create_index("ix_messages_reply_to_id", "messages", ["reply_to_id", "member_id", "sent_at"])
    op.create_index(
        "ix_activity_days_day",
        "activity_days",
        ["day", "group_id", "member_id", "messages", "questions"],
    )


def downgrade() -> None:
    op.drop_index("ix_activity_days_day", table_name="activity_days")
    op.drop_index("ix_messages_reply_to_id", table_name="messages")
    op.create_index("ix_messages_reply_to_id", "messages", ["reply_to_id"])
