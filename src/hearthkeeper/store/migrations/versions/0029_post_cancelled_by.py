"""A scheduled post's firing that staff called off in the chat (`/skip`) is recorded in
`posts` with status `cancelled` and who did it (`posts.cancelled_by`: the staff member as
the audit log names them, `chat:小美 (webchat:42)`). NULL for every other firing.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 19:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("cancelled_by", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("cancelled_by")
