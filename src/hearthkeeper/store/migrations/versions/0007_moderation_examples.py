"""The operator's own moderation decisions, kept per community so the learned scorer can
learn from them: a pardon is an example of an acceptable message (ham); a staff deletion or
ban is an example of spam. Automatic deletions by our own rules are never stored here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "moderation_examples",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_spam", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_moderation_examples_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_moderation_examples_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_examples")),
        sa.UniqueConstraint(
            "community_id",
            "source",
            "reference",
            name=op.f("uq_moderation_examples_community_id_source_reference"),
        ),
    )


def downgrade() -> None:
    op.drop_table("moderation_examples")
