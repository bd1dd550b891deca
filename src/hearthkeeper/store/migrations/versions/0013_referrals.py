"""Step 10, referrals: members' invite links (`referral_links`, one stable token per member
and community, and when the invite task's reward was given) and who invited whom
(`referrals`, one row per invitee and community: pending, credited or revoked).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "referral_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rewarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_referral_links_community_id_communities")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"],
                                name=op.f("fk_referral_links_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_links")),
        sa.UniqueConstraint("community_id", "member_id",
                            name=op.f("uq_referral_links_community_id_member_id")),
        sa.UniqueConstraint("token", name=op.f("uq_referral_links_token")),
    )  # fmt: skip
    op.create_table(
        "referrals",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("inviter_id", sa.Integer(), nullable=False),
        sa.Column("invitee_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_referrals_community_id_communities")),
        sa.ForeignKeyConstraint(["inviter_id"], ["members.id"],
                                name=op.f("fk_referrals_inviter_id_members")),
        sa.ForeignKeyConstraint(["invitee_id"], ["members.id"],
                                name=op.f("fk_referrals_invitee_id_members")),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_referrals_group_id_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("community_id", "invitee_id",
                            name=op.f("uq_referrals_community_id_invitee_id")),
    )  # fmt: skip
    op.create_index("ix_referrals_community_id_inviter_id", "referrals",
                    ["community_id", "inviter_id"])  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_referrals_community_id_inviter_id", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("referral_links")
