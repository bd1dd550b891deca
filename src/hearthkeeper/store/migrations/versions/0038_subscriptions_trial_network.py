"""A free trial remembers the client network it was started from:
`subscriptions.trial_network`, a digest of the web join page's client network (an IPv4
address, an IPv6 /64), indexed with the community. A network that started a trial in a
community gets no other there for 30 days (a refunded or ended one counts too). Before,
every fresh browser or private window on the web chat's join link got a new free trial.
Trials started before stay without it.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06 08:25:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("trial_network", sa.String(64), nullable=True))
        batch.create_index("ix_subscriptions_community_id_trial_network",
                           ["community_id", "trial_network"], unique=False)  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_index("ix_subscriptions_community_id_trial_network")
        batch.drop_column("trial_network")
