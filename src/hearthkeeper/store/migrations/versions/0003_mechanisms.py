"""Interaction mechanisms: scheduled work, check-ins, polls, sign-ups, the staff question
queue, titles, redemptions and member levels.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 07:54:03.777896
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Spelled out here rather than imported from the models: a migration is history.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "level_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("from_level", sa.String(length=64), nullable=True),
        sa.Column("to_level", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_level_changes_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_level_changes_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level_changes")),
    )
    with op.batch_alter_table("level_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_level_changes_community_id_member_id", ["community_id", "member_id"], unique=False
        )

    op.create_table(
        "member_levels",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_member_levels_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_levels_member_id_members")
        ),
        sa.PrimaryKeyConstraint("community_id", "member_id", name=op.f("pk_member_levels")),
    )
    op.create_table(
        "redemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reward", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_redemptions_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_redemptions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemptions")),
    )
    op.create_table(
        "titles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_titles_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_titles_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_titles")),
    )
    with op.batch_alter_table("titles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_titles_community_id_title", ["community_id", "title"], unique=False
        )

    op.create_table(
        "checkins",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_checkins_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_checkins_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_checkins_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint(
            "community_id", "member_id", "day", name=op.f("uq_checkins_community_id_member_id_day")
        ),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index("ix_checkins_community_id_day", ["community_id", "day"], unique=False)

    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_polls_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_polls_created_by_members")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_polls_group_id_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index("ix_polls_group_id_status", ["group_id", "status"], unique=False)

    op.create_table(
        "questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("carrier_event_id", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["members.id"], name=op.f("fk_questions_answered_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_questions_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_questions_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_questions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_questions_community_id_status", ["community_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_questions_group_id_member_id", ["group_id", "member_id"], unique=False
        )

    op.create_table(
        "scheduled",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("effect", sa.String(length=64), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_scheduled_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_scheduled_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled")),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_key")),
    )
    with op.batch_alter_table("scheduled", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_status_due_at", ["status", "due_at"], unique=False)

    op.create_table(
        "signup_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_signup_lists_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_signup_lists_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_signup_lists_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_lists")),
    )
    with op.batch_alter_table("signup_lists", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signup_lists_group_id_status", ["group_id", "status"], unique=False
        )

    op.create_table(
        "poll_votes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_poll_votes_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_votes_poll_id_polls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_votes")),
        sa.UniqueConstraint(
            "poll_id", "member_id", "option", name=op.f("uq_poll_votes_poll_id_member_id_option")
        ),
    )
    op.create_table(
        "signup_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("price", sa.String(length=32), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["signup_lists.id"], name=op.f("fk_signup_items_list_id_signup_lists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_items")),
    )
    with op.batch_alter_table("signup_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signup_items_list_id"), ["list_id"], unique=False)

    op.create_table(
        "signup_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["signup_items.id"], name=op.f("fk_signup_entries_item_id_signup_items")
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["signup_lists.id"], name=op.f("fk_signup_entries_list_id_signup_lists")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_signup_entries_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_entries")),
    )
    with op.batch_alter_table("signup_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signup_entries_list_id_status", ["list_id", "status"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("signup_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_signup_entries_list_id_status")

    op.drop_table("signup_entries")
    with op.batch_alter_table("signup_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signup_items_list_id"))

    op.drop_table("signup_items")
    op.drop_table("poll_votes")
    with op.batch_alter_table("signup_lists", schema=None) as batch_op:
        batch_op.drop_index("ix_signup_lists_group_id_status")

    op.drop_table("signup_lists")
    with op.batch_alter_table("scheduled", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_status_due_at")

    op.drop_table("scheduled")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("ix_questions_group_id_member_id")
        batch_op.drop_index("ix_questions_community_id_status")

    op.drop_table("questions")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_index("ix_polls_group_id_status")

    op.drop_table("polls")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_community_id_day")

    op.drop_table("checkins")
    with op.batch_alter_table("titles", schema=None) as batch_op:
        batch_op.drop_index("ix_titles_community_id_title")

    op.drop_table("titles")
    op.drop_table("redemptions")
    op.drop_table("member_levels")
    with op.batch_alter_table("level_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_level_changes_community_id_member_id")

    op.drop_table("level_changes")
