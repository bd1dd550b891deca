"""Appeals in the database: one per strike or mute, and what staff decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import insert_one
from hearthkeeper.store.locks import lock_row
from hearthkeeper.store.models import AppealRow, MemberRow
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True)
class Appeal:
    """A member's appeal against a strike (`strike_id`) or a mute (`sanction_id`)."""

    id: int
    community_id: int
    member_id: int
    group_id: int
    strike_id: int | None
    sanction_id: int | None
    text: str
    at: datetime
    decided_at: datetime | None
    decided_by: str | None
    outcome: str | None
    note: str | None = None  # staff's words with their decision


def alert_key(appeal_id: int) -> str:
    """The staff alert's key of an appeal (one alert per appeal)."""
    return f"appeal:{appeal_id}"


def appeal_of_alert(key: str) -> int | None:
    """The appeal a staff alert's key names, if it is an appeal's."""
    head, _, tail = key.partition(":")
    return int(tail) if head == "appeal" and tail.isdigit() else None


class SqlAppeals(StoreBase):
    """Appeals; `SqlAppeals.on(tx)` works in the caller's transaction."""

    def file(self, community_id: int, member_id: int, group_id: int, *, strike_id: int | None,
             sanction_id: int | None, text: str, at: datetime) -> tuple[Appeal, bool]:  # fmt: skip
        """Keep an appeal against a strike or a mute: (it, True); the one already kept
        against it (the same strike or mute), (that one, False)."""
        if (strike_id is None) == (sanction_id is None):
            raise ValueError("an appeal is against a strike or a mute")
        key = "strike_id" if strike_id is not None else "sanction_id"
        values = {"community_id": community_id, "member_id": member_id, "group_id": group_id,
                  "strike_id": strike_id, "sanction_id": sanction_id, "text": text,
                  "at": utc(at, "appeal time")}  # fmt: skip
        with self._unit(write=True) as session:
            appeal_id, created = insert_one(session, AppealRow, (key,), values)
            row = session.get(AppealRow, appeal_id)
            assert row is not None
            return _appeal(row), created

    def get(self, appeal_id: int) -> Appeal | None:
        """One appeal, decided or not."""
        with self._unit(write=False) as session:
            row = session.get(AppealRow, appeal_id)
            return None if row is None else _appeal(row)

    def waiting(self, community_id: int, limit: int = 200) -> list[Appeal]:
        """The community's appeals staff have not decided yet, oldest first."""
        query = (
            select(AppealRow)
            .where(AppealRow.community_id == community_id, AppealRow.decided_at.is_(None))
            .order_by(AppealRow.at, AppealRow.id)
            .limit(limit)
        )
        with self._unit(write=False) as session:
            return [_appeal(row) for row in session.scalars(query)]

    def open_against(self, *, strike_id: int | None = None,
                     sanction_id: int | None = None) -> Appeal | None:  # fmt: skip
        """The appeal not decided yet against this strike (or this mute), if one waits."""
        if (strike_id is None) == (sanction_id is None):
            raise ValueError("an appeal is against a strike or a mute")
        against = (
            AppealRow.strike_id == strike_id
            if strike_id is not None
            else AppealRow.sanction_id == sanction_id
        )
        query = select(AppealRow).where(against, AppealRow.decided_at.is_(None)).limit(1)
        with self._unit(write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else _appeal(row)

    def listed(self, community_id: int | None, *, open_only: bool = False,
               limit: int = 200) -> list[Appeal]:  # fmt: skip
        """Appeals of one community (None: of every one), oldest first: those staff have not
        decided yet (`open_only`), or all; the newest `limit` of them."""
        query = select(AppealRow)
        if community_id is not None:
            query = query.where(AppealRow.community_id == community_id)
        if open_only:
            query = query.where(AppealRow.decided_at.is_(None))
        query = query.order_by(AppealRow.at.desc(), AppealRow.id.desc()).limit(limit)
        with self._unit(write=False) as session:
            return [_appeal(row) for row in reversed(session.scalars(query).all())]

    def lock_member(self, member_id: int) -> None:
        """Serialise a member's appeals until the transaction ends (two submissions at once)."""
        with self._unit(write=True) as session:
            lock_row(session, MemberRow, member_id)

    def member_appeals(self, community_id: int, member_id: int,
                       limit: int = 50) -> list[Appeal]:  # fmt: skip
        """A member's appeals in the community, decided or not, newest first."""
        query = (
            select(AppealRow)
            .where(AppealRow.community_id == community_id, AppealRow.member_id == member_id)
            .order_by(AppealRow.at.desc(), AppealRow.id.desc())
            .limit(limit)
        )
        with self._unit(write=False) as session:
            return [_appeal(row) for row in session.scalars(query)]

    def decide(self, appeal_id: int, outcome: str, by: str, at: datetime,
               note: str = "") -> Appeal:  # fmt: skip
        """Record staff's decision (with their `note`, if any); an appeal decided already is
        refused (StoreError)."""
        with self._unit(write=True) as session:
            row = session.get(AppealRow, appeal_id, with_for_update=True)
            if row is None:
                raise StoreError(f"there is no appeal with id {appeal_id}")
            if row.decided_at is not None:
                raise StoreError(
                    f"appeal {appeal_id} was already {row.outcome} by {row.decided_by} "
                    f"at {row.decided_at:%Y-%m-%d %H:%M} UTC"
                )
            row.decided_at, row.decided_by, row.outcome = utc(at, "decision time"), by, outcome
            row.note = note or None
            session.flush()
            return _appeal(row)


def _appeal(row: AppealRow) -> Appeal:
    return Appeal(id=row.id, community_id=row.community_id, member_id=row.member_id,
                  group_id=row.group_id, strike_id=row.strike_id, sanction_id=row.sanction_id,
                  text=row.text, at=row.at, decided_at=row.decided_at,
                  decided_by=row.decided_by, outcome=row.outcome, note=row.note)  # fmt: skip
