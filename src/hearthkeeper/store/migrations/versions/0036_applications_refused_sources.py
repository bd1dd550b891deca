"""A refused application keeps the links that were kept to credit the applicant's join:
`applications.refused_sources` (room -> link token, as `join_sources` held them). A refusal
drops them from `join_sources`, so a join after it credits no link; staff letting the person
in after all put them back, and the referrer or the live code's channel the person came by
is credited for the join. Before, the refusal lost them for good.

Empty for applications refused before it: what their refusal dropped is gone.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 05:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("refused_sources",
                                   sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True))  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("refused_sources")
