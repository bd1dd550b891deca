"""Step 10, billing: its tables (filled in by the billing capability).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:30:00.000000
"""

from __future__ import annotations

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
