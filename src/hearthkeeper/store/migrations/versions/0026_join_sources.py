"""Which link brought someone on their way into a group (`join_sources`): the token of the
live code or referral link a person came by, kept from the moment a carrier lets them in by a
way whose join will not say it (the bot's Matrix invitation, a Telegram join request) until
their join takes it or it expires. A Matrix join can now carry a live code's token, so a seat
a join released says whether that join carried none (`livecode_routings.taken_untagged`: a
Matrix room opened by its matrix.to link): until now every Matrix seat released was.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "join_sources",
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("room", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("remembered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("join_event", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("carrier", "room", "user_id", name=op.f("pk_join_sources")),
    )
    op.create_index(op.f("ix_join_sources_expires_at"), "join_sources", ["expires_at"])
    with op.batch_alter_table("livecode_routings") as batch:
        batch.add_column(sa.Column("taken_untagged", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE livecode_routings SET taken_untagged = TRUE WHERE arrived_at IS NOT NULL "
        "AND group_id IN (SELECT id FROM groups WHERE carrier = 'matrix')"
    )


def downgrade() -> None:
    with op.batch_alter_table("livecode_routings") as batch:
        batch.drop_column("taken_untagged")
    op.drop_index(op.f("ix_join_sources_expires_at"), table_name="join_sources")
    op.drop_table("join_sources")
