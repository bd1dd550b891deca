"""Appeals (`appeals`): a member asks staff to review a strike or a mute with `/appeal`
(`/申诉`); one per strike or mute; staff uphold or pardon it. No rows for what came before.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-07 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("strike_id", sa.Integer(), nullable=True),
        sa.Column("sanction_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_appeals_community_id_communities")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"],
                                name=op.f("fk_appeals_member_id_members")),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_appeals_group_id_groups")),
        sa.ForeignKeyConstraint(["strike_id"], ["strikes.id"],
                                name=op.f("fk_appeals_strike_id_strikes")),
        sa.ForeignKeyConstraint(["sanction_id"], ["sanctions.id"],
                                name=op.f("fk_appeals_sanction_id_sanctions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("strike_id", name=op.f("uq_appeals_strike_id")),
        sa.UniqueConstraint("sanction_id", name=op.f("uq_appeals_sanction_id")),
    )  # fmt: skip
    op.create_index("ix_appeals_community_id_decided_at", "appeals", ["community_id", "decided_at"])


def downgrade() -> None:
    op.drop_index("ix_appeals_community_id_decided_at", table_name="appeals")
    op.drop_table("appeals")
