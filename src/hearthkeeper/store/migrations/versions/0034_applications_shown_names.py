"""Applicants' names kept as they are shown, like members' since 0033: one visible line of at
most 64 characters without control, text-direction or invisible characters, and (new with
this revision, for members' names too) at most 3 combining marks on a character and no tag
characters but those of a region's flag (`text/controls.shown_name`). Applications stored
before 0033 kept the name as typed (cut at 200): `hearth applications list`, the console's
Applications page and the staff alert showed a reversed, multi-line or Zalgo name. A name with
nothing visible left is the applicant's carrier id (a member's: their first carrier id).
Data only; the downgrade keeps the cleaned names (what was taken out cannot be told apart
from what was never there).

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06 01:00:00.000000
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

# The rules as of this revision, written out: a migration must not change with the code.
_DROPPED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u00ad\u180e\u200b\u2060-\u2064\ufeff\ud800-\udfff]"
)
_SHOWN = 64
_MARKS = 3
_TAGS = re.compile("[\U000e0000-\U000e007f]")
_TAG_FLAG = re.compile("\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,6}\U000e007f")

_APPLICATIONS = sa.table("applications", sa.column("id", sa.Integer),
                         sa.column("display_name", sa.String), sa.column("user_id", sa.String))  # fmt: skip
_MEMBERS = sa.table("members", sa.column("id", sa.Integer), sa.column("display_name", sa.String))
_IDENTITIES = sa.table("member_identities", sa.column("member_id", sa.Integer),
                       sa.column("carrier_user_id", sa.String))  # fmt: skip


def _tamed(text: str) -> str:
    kept: list[str] = []
    run = at = 0
    while at < len(text):
        flag = _TAG_FLAG.match(text, at) if text[at] == "\U0001f3f4" else None
        if flag is not None:
            kept.append(flag.group())
            run, at = 0, flag.end()
            continue
        char = text[at]
        at += 1
        if _TAGS.match(char):
            continue
        if unicodedata.category(char) in ("Mn", "Me"):
            run += 1
            if run > _MARKS:
                continue
        else:
            run = 0
        kept.append(char)
    return "".join(kept)


def _shown(name: str) -> str:
    flat = " ".join(_tamed(_DROPPED.sub("", name)).split())
    return _tamed(flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…")


def _clean(name: str | None) -> bool:
    return not name or (len(name) <= _SHOWN and name.isascii() and name.isprintable()
                        and name.strip(" ") == name and "  " not in name)  # fmt: skip


def _renamed(rows: Iterable[tuple[int, str | None]]) -> dict[int, str]:
    changed: dict[int, str] = {}
    for row_id, name in rows:
        if not _clean(name):
            shown = _shown(name or "")
            if shown != name:
                changed[row_id] = shown
    return changed


def upgrade() -> None:
    bind = op.get_bind()
    applicants = _renamed(bind.execute(sa.select(_APPLICATIONS.c.id, _APPLICATIONS.c.display_name)))
    blank = [i for i, shown in applicants.items() if not shown]
    if blank:
        ids = sa.select(_APPLICATIONS.c.id, _APPLICATIONS.c.user_id)
        for application_id, user_id in bind.execute(ids.where(_APPLICATIONS.c.id.in_(blank))):
            applicants[application_id] = _shown(user_id) or user_id
    if applicants:
        bind.execute(
            _APPLICATIONS.update()
            .where(_APPLICATIONS.c.id == sa.bindparam("application"))
            .values(display_name=sa.bindparam("shown")),
            [{"application": a, "shown": s} for a, s in applicants.items()],
        )
    members = _renamed(bind.execute(sa.select(_MEMBERS.c.id, _MEMBERS.c.display_name)))
    blank = [i for i, shown in members.items() if not shown]
    if blank:
        ids = sa.select(_IDENTITIES.c.member_id, sa.func.min(_IDENTITIES.c.carrier_user_id))
        for member_id, user_id in bind.execute(
            ids.where(_IDENTITIES.c.member_id.in_(blank)).group_by(_IDENTITIES.c.member_id)
        ):
            members[member_id] = _shown(user_id) or user_id
    if members:
        bind.execute(
            _MEMBERS.update()
            .where(_MEMBERS.c.id == sa.bindparam("member"))
            .values(display_name=sa.bindparam("shown")),
            [{"member": m, "shown": s} for m, s in members.items()],
        )


def downgrade() -> None:
    pass  # the cleaned names stay (see above)
