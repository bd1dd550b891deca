"""Step 10, referrals: its tables (filled in by the referrals capability).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 17:30:00.000000
"""

from __future__ import annotations

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
