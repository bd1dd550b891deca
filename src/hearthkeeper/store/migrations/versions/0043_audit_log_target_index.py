"""The audit log's entries about one thing (`ix_audit_log_community_id_target`: the
community, the target — "member 15", "group 3" —, the time). A member's page (roles given), a
group's last closing, the rooms the bot created, a closed group's unsaid messages read a
target's entries, newest first; without the index each read went through every entry of the
community (SQLite chose the community's time index, to read them in order).

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-06 23:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_log_community_id_target", "audit_log", ["community_id", "target", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_community_id_target", table_name="audit_log")
