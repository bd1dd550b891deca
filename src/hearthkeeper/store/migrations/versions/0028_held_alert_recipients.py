"""A staff alert held during quiet hours remembers whom it is for when that is not the
community's alert recipients (`held_alerts.recipients`: role ids; an application's alert is
for the roles reviewing applications), so the digest sent at the end of quiet hours reaches
them. NULL: the roles `alerts.recipients` names when the digest is sent.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("held_alerts") as batch:
        batch.add_column(sa.Column("recipients", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("held_alerts") as batch:
        batch.drop_column("recipients")
