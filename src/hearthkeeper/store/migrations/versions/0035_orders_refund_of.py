"""A refund names the payment it gives back: `orders.refund_of` (the refunded order's id),
unique, so no payment is refunded twice — by staff and then by the provider's webhook, or
twice from the CLI. Before, a refund said which payment it gave back only in its audit entry,
and every refund took the subscription's latest payment: Stripe refunding a member's first
purchase gave back (and ended) their latest renewal instead.

Filled from the audit log's `billing refund` entries (`detail.order` refunds
`detail.refunds`); where two refunds gave back the same payment (the defect this closes),
the first keeps the link and the later one stays without it, as recorded.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 03:40:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

_AUDIT = sa.table("audit_log", sa.column("id", sa.BigInteger), sa.column("action", sa.String),
                  sa.column("detail", sa.JSON().with_variant(JSONB(), "postgresql")))  # fmt: skip
_ORDERS = sa.table("orders", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                   sa.column("refund_of", sa.Integer))  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("refund_of", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_orders_refund_of_orders", "orders", ["refund_of"], ["id"])
    connection = op.get_bind()
    refunds = {row.id for row in connection.execute(
        sa.select(_ORDERS.c.id).where(_ORDERS.c.kind == "refund"))}  # fmt: skip
    payments = {row.id for row in connection.execute(
        sa.select(_ORDERS.c.id).where(_ORDERS.c.kind != "refund"))}  # fmt: skip
    linked: dict[int, int] = {}  # refund -> the payment it gave back
    taken: set[int] = set()
    entries = connection.execute(sa.select(_AUDIT.c.detail).where(
        _AUDIT.c.action == "billing refund").order_by(_AUDIT.c.id))  # fmt: skip
    for (detail,) in entries:
        refund, paid = _id(detail, "order"), _id(detail, "refunds")
        if refund is None or paid is None or refund in linked or paid in taken:
            continue
        if refund in refunds and paid in payments:
            linked[refund] = paid
            taken.add(paid)
    for refund, paid in linked.items():
        connection.execute(sa.update(_ORDERS).where(_ORDERS.c.id == refund).values(refund_of=paid))
    op.create_index("ux_orders_refund_of", "orders", ["refund_of"], unique=True)


def _id(detail: Any, key: str) -> int | None:
    value = detail.get(key) if isinstance(detail, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def downgrade() -> None:
    op.drop_index("ux_orders_refund_of", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("fk_orders_refund_of_orders", type_="foreignkey")
        batch.drop_column("refund_of")
