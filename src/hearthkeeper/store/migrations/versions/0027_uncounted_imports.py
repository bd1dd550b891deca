"""Groups whose imported messages are not in the rollups yet (`uncounted_imports`: an import
that stopped before rebuilding them says since when): a message imported from then on that
staff delete is only marked, not taken out of rollups that never counted it (a day below
zero). Written by every import chunk, deleted when the group's rollups are rebuilt.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 11:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uncounted_imports",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id"),
    )


def downgrade() -> None:
    op.drop_table("uncounted_imports")
