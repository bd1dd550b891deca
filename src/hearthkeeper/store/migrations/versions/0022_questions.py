"""The report's questions from an index: `ix_messages_questions`, a partial index of the
messages holding "?" or "？" (group, time sent, member), so a report reads a window's questions
without searching the text of every message in it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# As `models.events.question_predicate` wrote them when this revision was made.
_SQLITE = "(instr(text, '?') > 0 OR instr(text, '？') > 0)"
_POSTGRESQL = "(strpos(text, '?') > 0 OR strpos(text, '？') > 0)"


def upgrade() -> None:
    op.create_index(
        "ix_messages_questions",
        "messages",
        ["group_id", "sent_at", "member_id"],
        sqlite_where=sa.text(_SQLITE),
        postgresql_where=sa.text(_POSTGRESQL),
        postgresql_include=["id"],
    )


def downgrade() -> None:
    op.drop_index("ix_messages_questions", table_name="messages")
