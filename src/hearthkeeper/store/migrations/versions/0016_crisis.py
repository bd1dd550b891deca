"""Crisis watch: members' alarming messages (`crisis_marks`, one per message, a short quote)
and the episodes staff were alerted to (`crisis_episodes`).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "crisis_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("alarming", sa.Integer(), nullable=False),
        sa.Column("authors", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("bar", sa.Float(), nullable=False),
        sa.Column("alert_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_crisis_episodes_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_crisis_episodes_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_episodes")),
    )
    op.create_index(op.f("ix_crisis_episodes_community_id"), "crisis_episodes", ["community_id"])
    op.create_index(
        "ix_crisis_episodes_group_id_last_at", "crisis_episodes", ["group_id", "last_at"]
    )
    op.create_table(
        "crisis_marks",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("carrier_event_id", sa.String(length=255), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("markers", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["crisis_episodes.id"],
            name=op.f("fk_crisis_marks_episode_id_crisis_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_crisis_marks_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_crisis_marks_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_marks")),
        sa.UniqueConstraint(
            "group_id", "carrier_event_id", name=op.f("uq_crisis_marks_group_id_carrier_event_id")
        ),
    )
    op.create_index("ix_crisis_marks_group_id_at", "crisis_marks", ["group_id", "at"])
    op.create_index(op.f("ix_crisis_marks_episode_id"), "crisis_marks", ["episode_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_crisis_marks_episode_id"), table_name="crisis_marks")
    op.drop_index("ix_crisis_marks_group_id_at", table_name="crisis_marks")
    op.drop_table("crisis_marks")
    op.drop_index("ix_crisis_episodes_group_id_last_at", table_name="crisis_episodes")
    op.drop_index(op.f("ix_crisis_episodes_community_id"), table_name="crisis_episodes")
    op.drop_table("crisis_episodes")
