"""Two partial indexes for a running engine's question, every batch, "whom did staff pardon or
take off the blacklist in the last minute?" (`SanctionQueries.taken_back_since`): strikes by
community and pardon time, sanctions by kind and lift time. Without them the question reads every
strike of the community.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

_PARDONED = sa.text("pardoned_at IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_strikes_pardoned", "strikes", ["community_id", "pardoned_at"],
                    sqlite_where=_PARDONED, postgresql_where=_PARDONED)  # fmt: skip
    op.create_index("ix_sanctions_kind_lifted_at", "sanctions", ["kind", "lifted_at"])


def downgrade() -> None:
    op.drop_index("ix_sanctions_kind_lifted_at", table_name="sanctions")
    op.drop_index("ix_strikes_pardoned", table_name="strikes")
