"""An application remembers the client network it was made from (`applications.network`: a
digest per community of an IPv4 address or an IPv6 /64, from a web join page), so that one
network's pending applications hold only a few seats of the community's groups
(`store/rooms.py`: `PENDING_SEATS_PER_NETWORK`) and a flood of them cannot make a live code
open groups for nobody. None for every application made before, and for those made where no
network is known (a Matrix knock, a Telegram join request): they hold their seats as before.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-07 13:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("network", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("network")
