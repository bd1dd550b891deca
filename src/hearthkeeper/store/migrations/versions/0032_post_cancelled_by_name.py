"""Who called a scheduled post's firing off, by their name alone (`posts.cancelled_by_name`:
`小美`), as `/calendar` and `/skip` show them to the group; `cancelled_by` keeps the audit's
`小美 (webchat:42)` for the console. The name was parsed back out of `cancelled_by`, which a
long name cut to its column had lost the `(carrier:id)` of. NULL for every other firing and
for those called off before (shown from `cancelled_by`, as they were).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 22:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("cancelled_by_name", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("cancelled_by_name")
