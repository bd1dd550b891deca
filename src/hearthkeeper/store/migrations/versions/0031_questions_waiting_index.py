"""The questions' (community, status) index also orders by when each was asked
(`ix_questions_waiting`): the FAQ reads, every batch with a question in it, the members'
unanswered questions asked within the alert window, and with the time in the index it seeks
that range instead of reading every unanswered question the community ever had.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 22:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_questions_waiting", "questions", ["community_id", "status", "asked_at"])
    op.drop_index("ix_questions_community_id_status", table_name="questions")


def downgrade() -> None:
    op.create_index("ix_questions_community_id_status", "questions", ["community_id", "status"])
    op.drop_index("ix_questions_waiting", table_name="questions")
