"""A strike's expiry follows the playbook in force: a strike expires `rules.strike_expiry`
after it was given. A version that changes `strike_expiry` re-dates the community's open
strikes (not pardoned, not expired yet) from when each was given — so strikes given while
`strike_expiry: null` start to expire once an expiry is restored (before, they kept counting
for ever), and a shorter expiry lets the older ones go at once. A strike that expired
already stays expired. Said by `hearth apply`, the console's review and the REST API before
and after the version is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select, update

from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.base import format_duration, parse_duration
from hearthkeeper.store.columns import require_aware, utc
from hearthkeeper.store.models import StrikeRow
from hearthkeeper.store.scope import StoreBase

_UNSET = object()


@dataclass(frozen=True)
class Redated:
    """What a new `strike_expiry` does to the open strikes: how many, of how many members,
    and how many of them no longer count at once (given longer ago than the new expiry)."""

    strikes: int
    members: int
    ended: int


class SqlStrikeExpiry(StoreBase):
    """The community's open strikes, re-dated to an expiry."""

    def _open(self, community_id: int, now: datetime) -> list[tuple[int, int, datetime]]:
        rows = StrikeRow
        query = select(rows.id, rows.member_id, rows.at).where(
            rows.community_id == community_id, rows.pardoned_at.is_(None),
            or_(rows.expires_at.is_(None), rows.expires_at > require_aware(now, "now")),
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [(int(i), int(m), utc(at, "at")) for i, m, at in session.execute(query)]

    def redate(self, community_id: int, expiry: timedelta | None, now: datetime | None, *,
               write: bool) -> Redated:  # fmt: skip
        """Each open strike's expiry made `expiry` after it was given (None: never); with
        `write` False, only what it would do. `now`: the store's clock when None."""
        now = self._clock.now() if now is None else now
        found = self._open(community_id, now)
        ended = sum(1 for _, _, at in found if expiry is not None and at + expiry <= now)
        if write and found:
            statement = (
                update(StrikeRow)
                .where(StrikeRow.id == bindparam("strike_id"))
                .values(expires_at=bindparam("expires"))
            )
            rows = [{"strike_id": i, "expires": None if expiry is None else at + expiry}
                    for i, _, at in found]  # fmt: skip
            with self._unit(write=True) as session:
                session.connection().execute(statement, rows)
        return Redated(len(found), len({m for _, m, _ in found}), ended)


def expiry_changed(scope: StoreBase, community_id: int, before: Mapping[str, Any],
                   after: Playbook, now: datetime | None = None, *, write: bool,
                   done: bool | None = None) -> list[str]:  # fmt: skip
    """What `after`'s `rules.strike_expiry`, changed from the version `before` (its stored
    content), does to the community's open strikes, said once; re-dated when `write`. Said
    as done (else as what applying will do) when `done`, by default when `write`. Empty
    when the expiry is unchanged or no strike is open."""
    done_said = write if done is None else done
    rules = before.get("rules")
    was = rules.get("strike_expiry", _UNSET) if isinstance(rules, Mapping) else _UNSET
    if was is _UNSET:
        return []
    previous: timedelta | None
    try:
        previous = None if was is None else parse_duration(was)
        readable = True
    except ValueError:  # unreadable as stored: re-dated to the new one all the same
        previous, readable = None, False
    expiry = after.rules.strike_expiry
    if readable and previous == expiry:
        return []
    found = SqlStrikeExpiry.on(scope).redate(community_id, expiry, now, write=write)
    if not found.strikes:
        return []
    was_said = str(was) if not readable else _said(previous)
    whose = (f"{found.strikes} open strike{'s' * (found.strikes != 1)} of {found.members} "
             f"member{'s' * (found.members != 1)}")  # fmt: skip
    change = (f"rules.strike_expiry is now {_said(expiry)} (was {was_said})" if done_said
              else f"rules.strike_expiry changes from {was_said} to {_said(expiry)}")  # fmt: skip
    one = found.strikes == 1
    if expiry is None:
        verb = ("now never expires" if one else "now never expire") if done_said else \
            "will never expire"  # fmt: skip
        them = "it" if one else "them"
        return [f"{change}: {whose} {verb} (counting until staff pardon {them})."]
    verb = ("now expires" if one else "now expire") if done_said else "will expire"
    said = f"{change}: {whose} {verb} {_said(expiry)} after {'it' if one else 'each'} was given"
    if found.ended:
        said += (
            f"; {found.ended} of them, given longer ago than that, "
            f"{'no longer count' if done_said else 'will no longer count'}"
        )
    return [said + "."]


def _said(expiry: timedelta | None) -> str:
    return "null" if expiry is None else format_duration(expiry)
