"""Appeals keep staff's note with their decision (`appeals.note`): `hearth appeals pardon|uphold
--note`, the REST API's note; a banned member reads it on the web chat's banned page. Appeals
decided before have none.

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-07 15:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeals") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appeals") as batch:
        batch.drop_column("note")
