"""What the store counts per key (`network_misses`, `store/misses.py`) gets an `amount`: a
picture upload counts its bytes against a member's hourly allowance, not one. Besides the
`/ticket/` misses, the table now counts the console's failed sign-ins (per username and per
client network), the web chat's joins, nickname changes and uploads and the Matrix join
page's invitations and lookups, which each process
counted in its own memory: two `hearth serve` on one database gave twice the allowance and
a restart gave it afresh. Rows kept before count 1 each, as they did.

Revision ID: 0052
Revises: 0051
Create Date: 2026-12-07 18:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0052"
down_revision = "0051"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("network_misses") as batch:
        batch.add_column(sa.Column("amount", sa.BigInteger(), nullable=False,
                                   server_default=sa.text("1")))  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("network_misses") as batch:
        batch.drop_column("amount")
