"""Step 11, activities: offline events (`activity_events`: an occurrence of a playbook
activity, unique per community, activity and start, or one staff made) and members' sign-ups
(`activity_signups`: one per event and member, with its door code and attendance).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sign_up", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_activity_events_community_id_communities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_events")),
        sa.UniqueConstraint("community_id", "activity_id", "starts_at",
                            name=op.f("uq_activity_events_community_id_activity_id_starts_at")),
    )  # fmt: skip
    op.create_index("ix_activity_events_community_id_starts_at", "activity_events",
                    ["community_id", "starts_at"])  # fmt: skip
    op.create_table(
        "activity_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["activity_events.id"],
                                name=op.f("fk_activity_signups_event_id_activity_events")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"],
                                name=op.f("fk_activity_signups_member_id_members")),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_activity_signups_group_id_groups")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_activity_signups_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_signups")),
        sa.UniqueConstraint("code", name=op.f("uq_activity_signups_code")),
        sa.UniqueConstraint("event_id", "member_id",
                            name=op.f("uq_activity_signups_event_id_member_id")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("activity_signups")
    op.drop_index("ix_activity_events_community_id_starts_at", table_name="activity_events")
    op.drop_table("activity_events")
