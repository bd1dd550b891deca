"""Step 11, alerts: staff alerts held during a community's quiet hours (`held_alerts`, one
row per alert key, released together when the quiet hours end).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "held_alerts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("release_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_held_alerts_community_id_communities")),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_held_alerts_group_id_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_held_alerts_key")),
    )  # fmt: skip
    op.create_index("ix_held_alerts_community_id_released_at", "held_alerts",
                    ["community_id", "released_at"])  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_held_alerts_community_id_released_at", table_name="held_alerts")
    op.drop_table("held_alerts")
