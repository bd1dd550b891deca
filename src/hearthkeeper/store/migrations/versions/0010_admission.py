"""Step 10, admission: invite codes staff hand out (`invite_codes`), who each let in, once per
person (`invite_code_uses`), and applications staff review (`applications`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "invite_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", WHEN, nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_invite_codes_community_id_communities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_codes")),
        sa.UniqueConstraint("community_id", "code", name=op.f("uq_invite_codes_community_id_code")),
    )  # fmt: skip
    op.create_table(
        "invite_code_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["invite_codes.id"],
                                name=op.f("fk_invite_code_uses_code_id_invite_codes")),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_invite_code_uses_group_id_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_code_uses")),
        sa.UniqueConstraint("code_id", "carrier", "user_id",
                            name=op.f("uq_invite_code_uses_code_id_carrier_user_id")),
    )  # fmt: skip
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("questions", JSON, nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_applications_community_id_communities")),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_applications_group_id_groups")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"],
                                name=op.f("fk_applications_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("community_id", "carrier", "user_id",
                            name=op.f("uq_applications_community_id_carrier_user_id")),
    )  # fmt: skip
    op.create_index("ix_applications_community_id_status", "applications",
                    ["community_id", "status"], unique=False)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_applications_community_id_status", table_name="applications")
    op.drop_table("applications")
    op.drop_table("invite_code_uses")
    op.drop_table("invite_codes")
