"""The web chat's queue for the engine (`webchat_events`): a member's message, join or leave
is queued in the transaction that stores it and deleted once the engine recorded it, so a
crash between the two cannot lose it.

Members' messages already stored that the engine never recorded (lost by a crash before
this version) are queued too: the next start hands them to the engine.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 12:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webchat_events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", BIG_ID, nullable=True),
        sa.Column("removed_by", sa.String(length=200), nullable=True),
        sa.Column("mentions_bot", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_webchat_events_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["webchat_messages.id"],
            name=op.f("fk_webchat_events_message_id_webchat_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_events")),
        sa.UniqueConstraint(
            "group_id", "event_id", name=op.f("uq_webchat_events_group_id_event_id")
        ),
        sqlite_autoincrement=True,
    )
    _queue_unrecorded_messages()


def _queue_unrecorded_messages() -> None:
    """Queue every member's message that has no `events` row (its event id is its id)."""
    messages = sa.table(
        "webchat_messages",
        sa.column("id", BIG_ID),
        sa.column("group_id", sa.Integer()),
        sa.column("user_id", sa.String()),
        sa.column("sent_at", sa.DateTime(timezone=True)),
    )
    events = sa.table(
        "events", sa.column("group_id", sa.Integer()), sa.column("carrier_event_id", sa.String())
    )
    queue = sa.table(
        "webchat_events",
        *(sa.column(name) for name in ("group_id", "event_id", "kind", "user_id", "message_id")),
        sa.column("mentions_bot", sa.Boolean()),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    event_id = sa.cast(messages.c.id, sa.String(255))
    recorded = sa.exists().where(
        events.c.group_id == messages.c.group_id, events.c.carrier_event_id == event_id
    )
    unrecorded = (
        sa.select(
            messages.c.group_id,
            event_id,
            sa.literal("message"),
            messages.c.user_id,
            messages.c.id,
            sa.false(),
            messages.c.sent_at,
        )
        .where(messages.c.user_id.is_not(None), ~recorded)
        .order_by(messages.c.id)
    )
    columns = ["group_id", "event_id", "kind", "user_id", "message_id", "mentions_bot", "at"]
    op.execute(queue.insert().from_select(columns, unrecorded))


def downgrade() -> None:
    op.drop_table("webchat_events")
