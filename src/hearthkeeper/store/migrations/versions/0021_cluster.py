"""Step 14, workers sharing one PostgreSQL database (reserved; filled by the outbox claims work).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 20:00:00.000000
"""

from __future__ import annotations

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
