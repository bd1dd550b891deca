"""Messages the bot deleted are marked (`messages.deleted_at`, `deleted_by`: who decided —
a handler such as moderation or sanctioned, or the operator in the console) and counted by
nothing that measures activity; a partial index finds them. `checkin_days` counts each
community day's check-ins, so two at the same instant get different places.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deleted_by", sa.String(64), nullable=True))
    op.create_index(
        "ix_messages_deleted",
        "messages",
        ["group_id", "sent_at"],
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_table(
        "checkin_days",
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id"), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "day"),
    )
    # Days already begun count the check-ins made on them.
    op.execute(
        "INSERT INTO checkin_days (community_id, day, count) "
        "SELECT community_id, day, count(*) FROM checkins GROUP BY community_id, day"
    )


def downgrade() -> None:
    op.drop_table("checkin_days")
    op.drop_index("ix_messages_deleted", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("deleted_by")
        batch.drop_column("deleted_at")
