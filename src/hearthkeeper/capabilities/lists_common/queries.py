"""Queries sign-up lists and polls share: each group has at most one open list (or poll) that
a bare reply means, the newest one stays visible after it closes, and closing happens once."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, ScalarSelect, Select, Table, func, select, update
from sqlalchemy.orm import Session

from hearthkeeper.store.columns import utc
from hearthkeeper.store.models import GroupRow, IdentityRow
from hearthkeeper.store.scope import StoreBase

# The groups with an open one are read again at least this often (seconds), whatever the
# highest id: on PostgreSQL a row can commit after one with a higher id (two workers, or the
# console, opening at once), which the highest id alone would never show.
RECHECK_S = 5.0
_clock = time.monotonic

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class OneOpenPerGroup(Protocol[R_co]):
    """Lists or polls: at most one open per group, the newest still shown once closed."""

    def get(self, row_id: int) -> R_co | None: ...
    def current(self, group_id: int) -> R_co | None: ...
    def current_id(self, group_id: int) -> int | None: ...
    def latest(self, group_id: int) -> R_co | None: ...
    def close(self, row_id: int, at: datetime) -> bool: ...


class _Open:
    """The groups that have an open row of a table, as of the table's highest id: a row can
    only become open by being inserted, so every other group has none until the highest id
    moves."""

    def __init__(self) -> None:
        self.watermark: int | None = None
        self.serial: int | None = None  # the transaction that last checked the watermark
        self.read_at = 0.0  # `_clock()` when the groups were last read
        self.groups: set[int] = set()


class OnePerGroup(StoreBase, Generic[R]):
    """Rows of `table` (lists, polls) read as records `R`: by id, the group's open one, the
    group's newest one; closed once.

    Most messages that could answer a list arrive in groups with none open (`+1` is also
    just chat), so the groups that have one are remembered (`_Open`, in the store's memo):
    read in one query when the table's highest id moved (checked once per transaction) or
    `RECHECK_S` passed,
    added to when this process opens one, a group dropped when its open one is found
    closed. A group outside the set has none open and costs no query; the store stays the
    truth: an open one is always read from it."""

    table: ClassVar[Table]

    def _open(self) -> _Open | None:
        serial = self.transaction_serial()
        if serial is None:
            return None
        key = ("open", self.table.name)
        memo: _Open | None = self._memo.get(key)
        if memo is None:
            memo = self._memo[key] = _Open()
        if memo.serial != serial:
            table = self.table
            with self._unit(write=False) as session:
                top = session.scalar(select(func.max(table.c.id)))
                now = _clock()
                if top != memo.watermark or memo.serial is None or now - memo.read_at > RECHECK_S:
                    memo.groups = set(session.scalars(
                        select(table.c.group_id).where(table.c.status == "open").distinct()
                    ))  # fmt: skip
                    memo.watermark, memo.read_at = top, now
            memo.serial = serial
        return memo

    def _opened(self, group_id: int) -> None:
        """This process opened one in the group."""
        memo: _Open | None = self._memo.get(("open", self.table.name))
        if memo is not None:
            memo.groups.add(group_id)

    def _read(self, session: Session, query: Select[Any]) -> R | None:
        """The record of the first row `query` finds."""
        raise NotImplementedError

    def get(self, row_id: int) -> R | None:
        """The one with this id."""
        with self._unit(write=False) as session:
            return self._read(session, select(self.table).where(self.table.c.id == row_id))

    def current(self, group_id: int) -> R | None:
        """The group's open one (the newest, should there be two)."""
        known = self._open()
        if known is not None and group_id not in known.groups:
            return None
        with self._unit(write=False) as session:
            found = self._read(session, newest(self.table, group_id, open_only=True))
        if found is None and known is not None:
            known.groups.discard(group_id)  # closed since
        return found

    def current_id(self, group_id: int) -> int | None:
        """The id of the group's open one."""
        known = self._open()
        if known is not None and group_id not in known.groups:
            return None
        query = newest(self.table, group_id, open_only=True).with_only_columns(self.table.c.id)
        with self._unit(write=False) as session:
            found = session.scalar(query)
        if found is None and known is not None:
            known.groups.discard(group_id)  # closed since
        return None if found is None else int(found)

    def latest(self, group_id: int) -> R | None:
        """The group's newest one, open or closed."""
        with self._unit(write=False) as session:
            return self._read(session, newest(self.table, group_id, open_only=False))

    def close(self, row_id: int, at: datetime) -> bool:
        """Close an open one; False if it was closed already (so the final text is posted once)."""
        with self._unit(write=True) as session:
            return close_open(session, self.table, row_id, at)


def newest(table: Table, group_id: int, *, open_only: bool) -> Select[Any]:
    """The group's newest row of `table`; with `open_only`, its open one (the newest, should
    there be two)."""
    query = select(table).where(table.c.group_id == group_id)
    if open_only:
        query = query.where(table.c.status == "open")
    return query.order_by(table.c.id.desc()).limit(1)


def close_open(session: Session, table: Table, row_id: int, at: datetime) -> bool:
    """Close an open row; False if it was closed already (so the final text is posted once)."""
    result = session.execute(
        update(table)
        .where(table.c.id == row_id, table.c.status == "open")
        .values(status="closed", closed_at=utc(at, "close time"))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def carrier_user_id(member_id: ColumnElement[int]) -> ScalarSelect[Any]:
    """The member's id on the carrier of the `GroupRow` the query joins, for @-mentions and
    as the name of members who gave none."""
    return (
        select(func.min(IdentityRow.carrier_user_id))
        .where(IdentityRow.member_id == member_id, IdentityRow.carrier == GroupRow.carrier)
        .scalar_subquery()
    )


def shown_name(row: Any) -> str:
    """A member's name as lists and results show it: their display name, else their carrier
    id, else their number."""
    return str(row.display_name or row.user_id or f"#{row.member_id}")
