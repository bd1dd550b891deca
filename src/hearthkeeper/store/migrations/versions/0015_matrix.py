"""Step 11, the matrix of groups: who is in charge of which group (`groups_in_charge`), the
warnings staff were alerted of while they hold (`grid_conditions`), and the capacities a
playbook's per-group override wrote onto groups (`group_capacity_overrides`).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "groups_in_charge",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_groups_in_charge_group_id_groups")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"],
                                name=op.f("fk_groups_in_charge_member_id_members")),
        sa.PrimaryKeyConstraint("group_id", "member_id", name=op.f("pk_groups_in_charge")),
    )  # fmt: skip
    op.create_table(
        "grid_conditions",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_grid_conditions_community_id_communities")),
        sa.PrimaryKeyConstraint("community_id", "key", name=op.f("pk_grid_conditions")),
    )  # fmt: skip
    op.create_table(
        "group_capacity_overrides",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("previous", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_group_capacity_overrides_group_id_groups")),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_group_capacity_overrides")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("group_capacity_overrides")
    op.drop_table("grid_conditions")
    op.drop_table("groups_in_charge")
