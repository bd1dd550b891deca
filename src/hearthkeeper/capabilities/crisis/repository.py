"""Crisis watch in the database: alarming messages (marks), the counts a spike is measured
on, and episodes. Every count is read from the store, so a restart or a rolled-back batch
leaves nothing to rebuild: the window is the last half hour of stored rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hearthkeeper.capabilities.crisis.decide import Counts, Episode
from hearthkeeper.store.columns import utc
from hearthkeeper.store.models import (
    CrisisEpisodeRow,
    CrisisMarkRow,
    GroupRow,
    MembershipRow,
    MessageRow,
)
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True)
class Mark:
    """An alarming message as quoted to staff."""

    carrier_event_id: str
    member_id: int | None
    author: str
    text: str
    score: float
    markers: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class EpisodeRecord:
    """A stored episode, with its group's name and the messages that made it."""

    id: int
    group_id: int
    group: str
    started_at: datetime
    last_at: datetime
    messages: int
    alarming: int
    authors: int
    baseline: float | None
    bar: float
    marks: tuple[Mark, ...]


class Crisis(Protocol):
    """What crisis watch reads and writes."""

    def add_mark(self, group_id: int, mark: Mark) -> bool: ...
    def window(self, group_id: int, since: datetime, until: datetime) -> Counts: ...
    def latest(self, group_id: int) -> Episode | None: ...
    def open(self, community_id: int, group_id: int, since: datetime, now: datetime,
             counts: Counts, baseline: float | None, bar: float, alert_key: str) -> int: ...  # fmt: skip
    def extend(self, episode_id: int, group_id: int, since: datetime, now: datetime) -> None: ...
    def name_alert(self, episode_id: int, key: str) -> None: ...
    def marks(self, episode_id: int) -> list[Mark]: ...
    def episodes(self, community_id: int, since: datetime | None = None) -> list[EpisodeRecord]: ...


class SqlCrisis(StoreBase):
    """The crisis repository on SQLAlchemy; `SqlCrisis.on(tx)` works in the caller's
    transaction."""

    def add_mark(self, group_id: int, mark: Mark) -> bool:
        """Record an alarming message once (a redelivered event adds nothing); False if known."""
        row = CrisisMarkRow(group_id=group_id, member_id=mark.member_id,
                            carrier_event_id=mark.carrier_event_id, author=mark.author[:200],
                            text=mark.text, score=mark.score, markers=" ".join(mark.markers)[:200],
                            at=utc(mark.at, "message time"), episode_id=None)  # fmt: skip
        with self._unit(write=True) as session:
            return self._try_insert(session, row)

    def window(self, group_id: int, since: datetime, until: datetime) -> Counts:
        """Members' messages in the group in (since, until] — staff's are left out — and the
        alarming ones among them with their distinct authors."""
        low, high = utc(since, "window start"), utc(until, "window end")
        staff = select(MembershipRow.member_id).where(
            MembershipRow.group_id == group_id, MembershipRow.role.is_not(None)
        )
        said = select(func.count()).where(
            MessageRow.group_id == group_id, MessageRow.sent_at > low, MessageRow.sent_at <= high,
            MessageRow.member_id.not_in(staff),
        )  # fmt: skip
        marked = select(func.count(), func.count(func.distinct(CrisisMarkRow.member_id))).where(
            CrisisMarkRow.group_id == group_id, CrisisMarkRow.at > low, CrisisMarkRow.at <= high
        )
        with self._unit(write=False) as session:
            messages = int(session.scalar(said) or 0)
            alarming, authors = session.execute(marked).one()
        # a message marked but not stored (none today) still counts once
        return Counts(max(messages, int(alarming)), int(alarming), int(authors))

    def latest(self, group_id: int) -> Episode | None:
        """The group's most recent episode."""
        query = (select(CrisisEpisodeRow.id, CrisisEpisodeRow.last_at)
                 .where(CrisisEpisodeRow.group_id == group_id)
                 .order_by(CrisisEpisodeRow.last_at.desc(), CrisisEpisodeRow.id.desc()).limit(1))  # fmt: skip
        with self._unit(write=False) as session:
            row = session.execute(query).first()
        return None if row is None else Episode(row.id, row.last_at)

    def open(self, community_id: int, group_id: int, since: datetime, now: datetime,
             counts: Counts, baseline: float | None, bar: float, alert_key: str) -> int:  # fmt: skip
        """A new episode holding the window's unclaimed marks; its id."""
        row = CrisisEpisodeRow(community_id=community_id, group_id=group_id,
                               started_at=utc(now, "episode start"), last_at=utc(now, "episode"),
                               messages=counts.messages, alarming=counts.alarming,
                               authors=counts.authors, baseline=baseline, bar=bar,
                               alert_key=alert_key)  # fmt: skip
        with self._unit(write=True) as session:
            session.add(row)
            session.flush()
            self._claim(session, row.id, group_id, since, now)
            return row.id

    def extend(self, episode_id: int, group_id: int, since: datetime, now: datetime) -> None:
        """The spike still holds at `now`: the episode goes on and takes the window's marks."""
        with self._unit(write=True) as session:
            session.execute(update(CrisisEpisodeRow).where(CrisisEpisodeRow.id == episode_id)
                            .values(last_at=utc(now, "episode")))  # fmt: skip
            self._claim(session, episode_id, group_id, since, now)

    def name_alert(self, episode_id: int, key: str) -> None:
        """Record the key staff were alerted under."""
        with self._unit(write=True) as session:
            session.execute(update(CrisisEpisodeRow).where(CrisisEpisodeRow.id == episode_id)
                            .values(alert_key=key))  # fmt: skip

    @staticmethod
    def _claim(session: Session, episode_id: int, group_id: int, since: datetime,
               now: datetime) -> None:  # fmt: skip
        session.execute(update(CrisisMarkRow).where(
            CrisisMarkRow.group_id == group_id, CrisisMarkRow.episode_id.is_(None),
            CrisisMarkRow.at > utc(since, "window start"), CrisisMarkRow.at <= utc(now, "now"),
        ).values(episode_id=episode_id))  # fmt: skip

    def marks(self, episode_id: int) -> list[Mark]:
        """The messages of an episode, oldest first."""
        query = (select(CrisisMarkRow).where(CrisisMarkRow.episode_id == episode_id)
                 .order_by(CrisisMarkRow.at, CrisisMarkRow.id))  # fmt: skip
        with self._unit(write=False) as session:
            return [_mark(row) for row in session.scalars(query)]

    def episodes(self, community_id: int, since: datetime | None = None) -> list[EpisodeRecord]:
        """The community's episodes, newest first (those whose spike held after `since`)."""
        query = (select(CrisisEpisodeRow, GroupRow.name)
                 .join(GroupRow, GroupRow.id == CrisisEpisodeRow.group_id)
                 .where(CrisisEpisodeRow.community_id == community_id))  # fmt: skip
        if since is not None:
            query = query.where(CrisisEpisodeRow.last_at >= utc(since, "since"))
        found: list[EpisodeRecord] = []
        with self._unit(write=False) as session:
            rows = session.execute(query.order_by(CrisisEpisodeRow.started_at.desc())).all()
            for row, group in rows:
                marks = session.scalars(select(CrisisMarkRow)
                                        .where(CrisisMarkRow.episode_id == row.id)
                                        .order_by(CrisisMarkRow.at, CrisisMarkRow.id)).all()  # fmt: skip
                found.append(EpisodeRecord(row.id, row.group_id, group, row.started_at,
                                           row.last_at, row.messages, row.alarming, row.authors,
                                           row.baseline, row.bar,
                                           tuple(_mark(m) for m in marks)))  # fmt: skip
        return found


def _mark(row: CrisisMarkRow) -> Mark:
    return Mark(row.carrier_event_id, row.member_id, row.author, row.text, row.score,
                tuple(row.markers.split()), row.at)  # fmt: skip
