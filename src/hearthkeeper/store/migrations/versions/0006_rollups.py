"""Live rollups for analytics (messages per member and day, per group and day, per kind and
day), reactions, and an index on the message a reply answers.

The rollup tables start empty: a database upgraded with messages in it fills them with
`hearth db rollups` (which runs `Store.rebuild_rollups` for every group).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "activity_days",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_activity_days_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_activity_days_member_id_members")
        ),
        sa.PrimaryKeyConstraint("group_id", "member_id", "day", name=op.f("pk_activity_days")),
    )
    op.create_index("ix_activity_days_group_id_day", "activity_days", ["group_id", "day"])
    op.create_table(
        "group_days",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("joins", sa.Integer(), nullable=False),
        sa.Column("leaves", sa.Integer(), nullable=False),
        sa.Column("staff_messages", sa.Integer(), nullable=False),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_days_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("group_id", "day", name=op.f("pk_group_days")),
    )
    op.create_table(
        "group_day_kinds",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_day_kinds_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("group_id", "day", "kind", name=op.f("pk_group_day_kinds")),
    )
    op.create_table(
        "reactions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("carrier_event_id", sa.String(length=255), nullable=False),
        sa.Column("target_event_id", sa.String(length=255), nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_reactions_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_reactions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reactions")),
        sa.UniqueConstraint(
            "group_id", "carrier_event_id", name=op.f("uq_reactions_group_id_carrier_event_id")
        ),
    )
    op.create_index(
        "ix_reactions_group_id_target_event_id", "reactions", ["group_id", "target_event_id"]
    )
    op.create_index("ix_messages_reply_to_id", "messages", ["reply_to_id"])


def downgrade() -> None:
    op.drop_index("ix_messages_reply_to_id", table_name="messages")
    op.drop_index("ix_reactions_group_id_target_event_id", table_name="reactions")
    op.drop_table("reactions")
    op.drop_table("group_day_kinds")
    op.drop_table("group_days")
    op.drop_index("ix_activity_days_group_id_day", table_name="activity_days")
    op.drop_table("activity_days")
