"""Step 11, matrix: its tables (filled in by the matrix work).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
