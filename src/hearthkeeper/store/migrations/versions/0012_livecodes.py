"""Live codes (活码): each channel's stable link (`livecode_channels`), the seats held for
newcomers it sent to a group (`livecode_routings`) and the members who arrived by it
(`livecode_arrivals`, one row per join event).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "livecode_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_livecode_channels_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_livecode_channels")),
        sa.UniqueConstraint("slug", name=op.f("uq_livecode_channels_slug")),
    )
    op.create_index(
        op.f("ix_livecode_channels_community_id"), "livecode_channels", ["community_id"]
    )
    op.create_table(
        "livecode_routings",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["livecode_channels.id"],
            name=op.f("fk_livecode_routings_channel_id_livecode_channels"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_livecode_routings_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_livecode_routings")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_livecode_routings_token_hash")),
    )
    op.create_index(
        "ix_livecode_routings_group_id_expires_at", "livecode_routings", ["group_id", "expires_at"]
    )
    op.create_index(
        "ix_livecode_routings_client_expires_at", "livecode_routings", ["client", "expires_at"]
    )
    op.create_table(
        "livecode_arrivals",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("event_id", BIG_ID, nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["livecode_channels.id"],
            name=op.f("fk_livecode_arrivals_channel_id_livecode_channels"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_livecode_arrivals_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_livecode_arrivals_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_livecode_arrivals_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_livecode_arrivals")),
        sa.UniqueConstraint("event_id", name=op.f("uq_livecode_arrivals_event_id")),
    )
    op.create_index(op.f("ix_livecode_arrivals_channel_id"), "livecode_arrivals", ["channel_id"])
    op.create_index(
        "ix_livecode_arrivals_group_id_arrived_at", "livecode_arrivals", ["group_id", "arrived_at"]
    )


def downgrade() -> None:
    op.drop_table("livecode_arrivals")
    op.drop_table("livecode_routings")
    op.drop_table("livecode_channels")
