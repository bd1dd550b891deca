"""Crisis watch in the database: alarming messages (marks), the counts a spike is measured
on, and episodes. Every count is read from the store, so a restart or a rolled-back batch
leaves nothing to rebuild: the window is the last half hour of stored rows."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import (
    BindParameter,
    Connection,
    Insert,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from hearthkeeper.capabilities.crisis.decide import Counts, Episode
from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import insert_ignoring, table_of
from hearthkeeper.store.models import (
    CrisisEpisodeRow,
    CrisisMarkRow,
    GroupRow,
    MembershipRow,
    MessageRow,
)
from hearthkeeper.store.prepared import run
from hearthkeeper.store.scope import StoreBase

_MARK_KEY = ("group_id", "carrier_event_id")  # a message is marked once (its unique key)

# Crisis watch's reads, built once: each alarming message runs them (on SQLite through the
# driver's placeholders, `store/prepared.py`: they read and return plain numbers).
_MARKS = table_of(CrisisMarkRow)
_MESSAGES = table_of(MessageRow)
_STAYS = table_of(MembershipRow)
_EPISODES = table_of(CrisisEpisodeRow)
_GROUP: BindParameter[int] = bindparam("group_id")
_FIRST: BindParameter[datetime] = bindparam("first")  # the history's start
_SINCE: BindParameter[datetime] = bindparam("since")  # the window's start
_UNTIL: BindParameter[datetime] = bindparam("until")  # its end
_MARK_IN_WINDOW = _MARKS.c.at > _SINCE
_MARKED = select(
    func.count(case((_MARK_IN_WINDOW, 1))),
    func.count(func.distinct(case((_MARK_IN_WINDOW, _MARKS.c.member_id)))),
    func.count(case((~_MARK_IN_WINDOW, 1))),
    func.count(func.distinct(case((~_MARK_IN_WINDOW, _MARKS.c.member_id)))),
).where(_MARKS.c.group_id == _GROUP, _MARKS.c.at > _FIRST, _MARKS.c.at <= _UNTIL)
_STAFF = select(_STAYS.c.member_id).where(_STAYS.c.group_id == _GROUP,
                                          _STAYS.c.role.is_not(None))  # fmt: skip
_SAID_IN_WINDOW = _MESSAGES.c.sent_at > _SINCE
_SAID = select(func.count(case((_SAID_IN_WINDOW, 1))),
               func.count(case((~_SAID_IN_WINDOW, 1)))).where(
    _MESSAGES.c.group_id == _GROUP, _MESSAGES.c.sent_at > _FIRST,
    _MESSAGES.c.sent_at <= _UNTIL, _MESSAGES.c.member_id.not_in(_STAFF),
)  # fmt: skip
_LATEST = (select(_EPISODES.c.id, _EPISODES.c.last_at).where(_EPISODES.c.group_id == _GROUP)
           .order_by(_EPISODES.c.last_at.desc(), _EPISODES.c.id.desc()).limit(1))  # fmt: skip
# ... and its writes, while a spike holds (every alarming message of a group in crisis)
_EPISODE: BindParameter[int] = bindparam("episode")
_OPEN = insert(_EPISODES).returning(_EPISODES.c.id)
_EXTEND = update(_EPISODES).where(_EPISODES.c.id == _EPISODE).values(last_at=_UNTIL)
_NAME_ALERT = update(_EPISODES).where(_EPISODES.c.id == _EPISODE).values(
    alert_key=bindparam("key"))  # fmt: skip
# (an UPDATE of a table with a `group_id` keeps that name for its SET clause)
_CLAIM = update(_MARKS).where(
    _MARKS.c.group_id == bindparam("group"), _MARKS.c.episode_id.is_(None), _MARKS.c.at > _SINCE,
    _MARKS.c.at <= _UNTIL,
).values(episode_id=_EPISODE)  # fmt: skip


@functools.cache
def _insert_mark(insert: Insert) -> Insert:
    return insert.returning(_MARKS.c.id)


def _spans(group_id: int, history_since: datetime, since: datetime,
           until: datetime) -> dict[str, object]:  # fmt: skip
    return {"group_id": group_id, "first": utc(history_since, "history start"),
            "since": utc(since, "window start"), "until": utc(until, "window end")}  # fmt: skip


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
class Alarming:
    """Alarming messages in a span, and the distinct members who said them."""

    alarming: int
    authors: int


@dataclass(frozen=True)
class Marked:
    """The alarming messages of a window and of the history before it."""

    window: Alarming
    history: Alarming


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
    def marked(self, group_id: int, history_since: datetime, since: datetime,
               until: datetime) -> Marked: ...  # fmt: skip
    def said(self, group_id: int, history_since: datetime, since: datetime,
             until: datetime) -> tuple[int, int]: ...  # fmt: skip
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
        row = dict(group_id=group_id, member_id=mark.member_id,
                   carrier_event_id=mark.carrier_event_id, author=mark.author[:200],
                   text=mark.text, score=mark.score, markers=" ".join(mark.markers)[:200],
                   at=utc(mark.at, "message time"), episode_id=None)  # fmt: skip
        with self._unit(write=True) as session:
            # one statement, where a savepoint around an ORM insert took three
            insert = _insert_mark(insert_ignoring(session, CrisisMarkRow, _MARK_KEY))
            return run(self._plain(session), insert, row).first() is not None

    def marked(self, group_id: int, history_since: datetime, since: datetime,
               until: datetime) -> Marked:  # fmt: skip
        """The group's alarming messages and their distinct authors in the window
        (since, until] and in the history (history_since, since] before it: one read."""
        spans = _spans(group_id, history_since, since, until)
        with self._unit(write=False) as session:
            alarming, authors, before, authors_before = run(
                self._plain(session), _MARKED, spans
            ).one()
        return Marked(Alarming(int(alarming), int(authors)),
                      Alarming(int(before), int(authors_before)))  # fmt: skip

    def said(self, group_id: int, history_since: datetime, since: datetime,
             until: datetime) -> tuple[int, int]:  # fmt: skip
        """Members' messages in the group — staff's are left out — in the window
        (since, until] and in the history (history_since, since] before it: one read."""
        spans = _spans(group_id, history_since, since, until)
        with self._unit(write=False) as session:
            window, history = run(self._plain(session), _SAID, spans).one()
        return int(window), int(history)

    def latest(self, group_id: int) -> Episode | None:
        """The group's most recent episode."""
        with self._unit(write=False) as session:
            row = self._plain(session).execute(_LATEST, {"group_id": group_id}).first()
        return None if row is None else Episode(row.id, row.last_at)

    @staticmethod
    def _plain(session: Session) -> Connection:
        """The session's connection for a statement built once (on the engine's path for
        every alarming message), after what the session holds is written, as the ORM's own
        statements would see it (a role given in the batch, an episode opened)."""
        session.flush()
        return session.connection()

    def open(self, community_id: int, group_id: int, since: datetime, now: datetime,
             counts: Counts, baseline: float | None, bar: float, alert_key: str) -> int:  # fmt: skip
        """A new episode holding the window's unclaimed marks; its id."""
        row = dict(community_id=community_id, group_id=group_id,
                   started_at=utc(now, "episode start"), last_at=utc(now, "episode"),
                   messages=counts.messages, alarming=counts.alarming, authors=counts.authors,
                   baseline=baseline, bar=bar, alert_key=alert_key)  # fmt: skip
        with self._unit(write=True) as session:
            connection = self._plain(session)
            episode_id = int(run(connection, _OPEN, row).scalar_one())
            self._claim(connection, episode_id, group_id, since, now)
            return episode_id

    def extend(self, episode_id: int, group_id: int, since: datetime, now: datetime) -> None:
        """The spike still holds at `now`: the episode goes on and takes the window's marks."""
        with self._unit(write=True) as session:
            connection = self._plain(session)
            run(connection, _EXTEND, {"episode": episode_id, "until": utc(now, "episode")})
            self._claim(connection, episode_id, group_id, since, now)

    def name_alert(self, episode_id: int, key: str) -> None:
        """Record the key staff were alerted under."""
        with self._unit(write=True) as session:
            run(self._plain(session), _NAME_ALERT, {"episode": episode_id, "key": key})

    @staticmethod
    def _claim(connection: Connection, episode_id: int, group_id: int, since: datetime,
               now: datetime) -> None:  # fmt: skip
        run(connection, _CLAIM, {"episode": episode_id, "group": group_id,
                                 "since": utc(since, "window start"),
                                 "until": utc(now, "now")})  # fmt: skip

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
