"""Initial schema: communities, groups, members, memberships, messages, playbooks, audit.

Revision ID: 0001
Revises:
Create Date: 2026-05-20
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Spelled out here rather than imported from the models: a migration is history and must
# not change when the models do.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_communities"),
        sa.UniqueConstraint("slug", name="uq_communities_slug"),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("carrier", sa.String(32), nullable=False),
        sa.Column("carrier_group_id", sa.String(255), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_groups"),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_groups_community_id_communities"
        ),
        sa.UniqueConstraint(
            "carrier", "carrier_group_id", name="uq_groups_carrier_carrier_group_id"
        ),
    )
    op.create_index("ix_groups_community_id", "groups", ["community_id"])

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("profile", JSON, nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
    )
    op.create_table(
        "member_identities",
        sa.Column("carrier", sa.String(32), nullable=False),
        sa.Column("carrier_user_id", sa.String(255), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("carrier", "carrier_user_id", name="pk_member_identities"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_member_identities_member_id_members"
        ),
    )
    op.create_index("ix_member_identities_member_id", "member_identities", ["member_id"])
    op.create_table(
        "member_tags",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        _time("set_at"),
        sa.PrimaryKeyConstraint("member_id", "tag", name="pk_member_tags"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_member_tags_member_id_members"
        ),
    )
    op.create_index("ix_member_tags_tag", "member_tags", ["tag"])

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(64), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        _time("joined_at"),
        _time("left_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_memberships"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_memberships_member_id_members"
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name="fk_memberships_group_id_groups"),
    )
    op.create_index("ix_memberships_member_id", "memberships", ["member_id"])
    op.create_index("ix_memberships_group_id_left_at", "memberships", ["group_id", "left_at"])
    op.create_index(
        "uq_memberships_open_stay",
        "memberships",
        ["member_id", "group_id"],
        unique=True,
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )

    op.create_table(
        "messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("carrier_event_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _time("sent_at"),
        _time("recorded_at"),
        sa.Column("reply_to_id", BIG_ID, nullable=True),
        sa.Column("reply_to_event_id", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name="fk_messages_group_id_groups"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_messages_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["reply_to_id"],
            ["messages.id"],
            name="fk_messages_reply_to_id_messages",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint(
            "group_id", "carrier_event_id", name="uq_messages_group_id_carrier_event_id"
        ),
    )
    op.create_index("ix_messages_group_id_sent_at", "messages", ["group_id", "sent_at"])
    op.create_index("ix_messages_member_id_sent_at", "messages", ["member_id", "sent_at"])
    op.create_table(
        "message_mentions",
        sa.Column("message_id", BIG_ID, nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "member_id", name="pk_message_mentions"),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="fk_message_mentions_message_id_messages",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_message_mentions_member_id_members"
        ),
    )
    op.create_index("ix_message_mentions_member_id", "message_mentions", ["member_id"])

    op.create_table(
        "playbook_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        _time("applied_at"),
        sa.Column("applied_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_playbook_versions"),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name="fk_playbook_versions_community_id_communities",
        ),
        sa.UniqueConstraint(
            "community_id", "version", name="uq_playbook_versions_community_id_version"
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, nullable=False),
        _time("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_audit_log_community_id_communities"
        ),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_community_id_at", "audit_log", ["community_id", "at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "playbook_versions",
        "message_mentions",
        "messages",
        "memberships",
        "member_tags",
        "member_identities",
        "members",
        "groups",
        "communities",
    ):
        op.drop_table(table)
