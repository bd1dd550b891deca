"""Engine: processed events, the outbox, strikes, sanctions and the points ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-27
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Spelled out here rather than imported from the models: a migration is history and must
# not change when the models do.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("carrier_event_id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        _time("at"),
        _time("recorded_at"),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        _fk("events", "group_id", "groups"),
        _fk("events", "member_id", "members"),
        sa.UniqueConstraint(
            "group_id", "carrier_event_id", name="uq_events_group_id_carrier_event_id"
        ),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("event_id", BIG_ID, nullable=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("carrier", sa.String(32), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("action", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at"),
        _time("created_at"),
        _time("claimed_at", nullable=True),
        _time("done_at", nullable=True),
        sa.Column("receipt", sa.String(255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        _fk("outbox", "event_id", "events"),
        _fk("outbox", "group_id", "groups"),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    op.create_index("ix_outbox_status_priority_id", "outbox", ["status", "priority", "id"])

    op.create_table(
        "strikes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("violation", sa.String(200), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("event_id", BIG_ID, nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        _time("at"),
        _time("expires_at", nullable=True),
        _time("pardoned_at", nullable=True),
        sa.Column("pardoned_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_strikes"),
        _fk("strikes", "community_id", "communities"),
        _fk("strikes", "member_id", "members"),
        _fk("strikes", "group_id", "groups"),
        _fk("strikes", "event_id", "events"),
    )
    op.create_index("ix_strikes_community_id_member_id", "strikes", ["community_id", "member_id"])

    op.create_table(
        "sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _time("at"),
        _time("until", nullable=True),
        _time("lifted_at", nullable=True),
        sa.Column("lifted_by", sa.String(200), nullable=True),
        sa.Column("lift_event_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sanctions"),
        _fk("sanctions", "community_id", "communities"),
        _fk("sanctions", "group_id", "groups"),
        _fk("sanctions", "member_id", "members"),
    )
    op.create_index("ix_sanctions_member_id_kind", "sanctions", ["member_id", "kind"])
    op.create_index("ix_sanctions_kind_until", "sanctions", ["kind", "until"])
    op.create_index(
        "uq_sanctions_in_force",
        "sanctions",
        [
            "kind",
            "member_id",
            sa.text("coalesce(community_id, 0)"),
            sa.text("coalesce(group_id, 0)"),
        ],
        unique=True,
        sqlite_where=sa.text("lifted_at IS NULL"),
        postgresql_where=sa.text("lifted_at IS NULL"),
    )

    op.create_table(
        "points",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _time("at"),
        sa.Column("event_id", BIG_ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_points"),
        _fk("points", "community_id", "communities"),
        _fk("points", "member_id", "members"),
        _fk("points", "event_id", "events"),
    )
    op.create_index("ix_points_community_id_member_id", "points", ["community_id", "member_id"])


def downgrade() -> None:
    for table in ("points", "sanctions", "strikes", "outbox", "events"):
        op.drop_table(table)
