"""An index on `reported_messages (author_id, at)`: a member's page lists the messages of
theirs others reported (`SqlReports.against`, by author, the latest first), which read the
whole table of the community's reported messages without one.

Revision ID: 0054
Revises: 0053
Create Date: 2026-12-07 21:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0054"
down_revision = "0053"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reported_messages_author_id_at", "reported_messages",
                    ["author_id", "at"])  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_reported_messages_author_id_at", table_name="reported_messages")
