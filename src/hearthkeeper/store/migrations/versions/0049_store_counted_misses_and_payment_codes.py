"""Two lookups that scaled badly with processes or members:

- `network_misses`: the `/ticket/` codes nobody holds asked from each client network (a
  digest), counted in the store, so several `hearth serve` processes (or engine workers
  behind a balancer) count one limit together and a restart forgets nothing; rows older than
  the window are deleted as new ones are written.
- `member_identities.payment_code` (indexed): the payment reference each person would be
  given (billing's `references.reference_code`: its first attempt nobody else holds), so a
  reference quoted before it was given is found by the index instead of by hashing every
  member's candidates. Derived here for every identity there is (the derivation copied
  below as it stands at this revision); billing derives those made later when it looks one
  up (`SqlBilling.derive_codes`).

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-07 15:40:00.000000
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0049"
down_revision = "0048"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # billing/references.py at this revision
_ATTEMPTS = 4
_AT_ONCE = 5000


def _code(carrier: str, user_id: str, attempt: int) -> str:
    digest = hashlib.sha256(f"{carrier}\n{user_id}\n{attempt}".encode()).digest()
    number = int.from_bytes(digest[:5], "big")
    chars = "".join(_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def _derive_codes() -> None:
    """Each identity's payment code: its first derived code nobody else was given."""
    bind = op.get_bind()
    held = {code: (carrier, user) for code, carrier, user in bind.execute(
        sa.text("SELECT code, carrier, carrier_user_id FROM payment_references"))}  # fmt: skip
    people = bind.execute(sa.text("SELECT carrier, carrier_user_id FROM member_identities")).all()
    keep = sa.text("UPDATE member_identities SET payment_code = :code "
                   "WHERE carrier = :carrier AND carrier_user_id = :user")  # fmt: skip
    for start in range(0, len(people), _AT_ONCE):
        rows = []
        for carrier, user in people[start : start + _AT_ONCE]:
            for attempt in range(_ATTEMPTS):
                code = _code(carrier, user, attempt)
                if held.get(code, (carrier, user)) == (carrier, user):
                    break
            rows.append({"code": code, "carrier": carrier, "user": user})
        bind.execute(keep, rows)


def upgrade() -> None:
    op.create_table(
        "network_misses",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_misses")),
    )
    op.create_index("ix_network_misses_what_network_at", "network_misses",
                    ["what", "network", "at"])  # fmt: skip
    op.create_index("ix_network_misses_at", "network_misses", ["at"])
    with op.batch_alter_table("member_identities") as batch:
        batch.add_column(sa.Column("payment_code", sa.String(length=16), nullable=True,
                                   server_default=sa.text("NULL")))  # fmt: skip
    op.create_index("ix_member_identities_payment_code", "member_identities", ["payment_code"])
    _derive_codes()


def downgrade() -> None:
    op.drop_index("ix_member_identities_payment_code", table_name="member_identities")
    with op.batch_alter_table("member_identities") as batch:
        batch.drop_column("payment_code")
    op.drop_index("ix_network_misses_at", table_name="network_misses")
    op.drop_index("ix_network_misses_what_network_at", table_name="network_misses")
    op.drop_table("network_misses")
