"""Members' names kept as they are shown: one visible line of at most 64 characters, without
control, text-direction or invisible characters (`text/controls.shown_name`, which the store
now applies to every name a carrier or an import hands over). Names stored before kept them
as typed (cut at 200): a reversed or multi-line name came back in every list and leaderboard.
A name with nothing visible left is the member's carrier id. Data only; the downgrade keeps
the cleaned names (what was taken out cannot be told apart from what was never there).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05 23:00:00.000000
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

# The rules as of this revision, written out: a migration must not change with the code.
_DROPPED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u00ad\u180e\u200b\u2060-\u2064\ufeff]"
)
_SHOWN = 64
_MEMBERS = sa.table("members", sa.column("id", sa.Integer), sa.column("display_name", sa.String))
_IDENTITIES = sa.table("member_identities", sa.column("member_id", sa.Integer),
                       sa.column("carrier_user_id", sa.String))  # fmt: skip


def _shown(name: str) -> str:
    flat = " ".join(_DROPPED.sub("", name).split())
    return flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…"


def upgrade() -> None:
    bind = op.get_bind()
    changed: dict[int, str] = {}
    for member_id, name in bind.execute(sa.select(_MEMBERS.c.id, _MEMBERS.c.display_name)):
        if not name:
            continue
        if len(name) <= _SHOWN and name.isprintable() and name.strip(" ") == name \
                and "  " not in name:  # fmt: skip
            continue
        shown = _shown(name)
        if shown != name:
            changed[member_id] = shown
    blank = [member_id for member_id, shown in changed.items() if not shown]
    if blank:
        ids = sa.select(_IDENTITIES.c.member_id, sa.func.min(_IDENTITIES.c.carrier_user_id))
        for member_id, user_id in bind.execute(
            ids.where(_IDENTITIES.c.member_id.in_(blank)).group_by(_IDENTITIES.c.member_id)
        ):
            changed[member_id] = _shown(user_id)
    if changed:
        bind.execute(
            _MEMBERS.update()
            .where(_MEMBERS.c.id == sa.bindparam("member"))
            .values(display_name=sa.bindparam("shown")),
            [{"member": m, "shown": s} for m, s in changed.items()],
        )


def downgrade() -> None:
    pass  # the cleaned names stay (see above)
