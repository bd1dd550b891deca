"""Members' reports (`reported_messages`, `reports`): `/report` (`/举报`) as a reply flags a
message to staff; one row per message reported, one per member and message. No rows for
what came before.

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-07 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reported_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("message_id", BIG_ID, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_reported_messages_community_id_communities")),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_reported_messages_group_id_groups")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_reported_messages_message_id_messages")),
        sa.ForeignKeyConstraint(["author_id"], ["members.id"],
                                name=op.f("fk_reported_messages_author_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reported_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_reported_messages_message_id")),
    )  # fmt: skip
    op.create_index("ix_reported_messages_community_id_decided_at", "reported_messages",
                    ["community_id", "decided_at"])  # fmt: skip
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reported_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("not_counted", sa.String(length=16), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reported_id"], ["reported_messages.id"],
                                name=op.f("fk_reports_reported_id_reported_messages")),
        sa.ForeignKeyConstraint(["reporter_id"], ["members.id"],
                                name=op.f("fk_reports_reporter_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("reported_id", "reporter_id",
                            name=op.f("uq_reports_reported_id_reporter_id")),
    )  # fmt: skip
    op.create_index("ix_reports_reporter_id_at", "reports", ["reporter_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_reports_reporter_id_at", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_reported_messages_community_id_decided_at", table_name="reported_messages")
    op.drop_table("reported_messages")
