"""Reads analytics needs beyond the rollups, each bounded by something small: stays, questions,
check-ins, sign-up lists (never a scan of every message of a period). What followed each
scheduled post is read by the calendar's repository (`capabilities.calendar.repository`)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any, TypeVar

from sqlalchemy import func, or_, select, text, tuple_
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from hearthkeeper.store.columns import utc
from hearthkeeper.store.driver_rows import driver_rows, utc_of, utc_times
from hearthkeeper.store.models import (
    CheckInRow,
    MembershipRow,
    MessageRow,
    QuestionRow,
    SignUpEntryRow,
    SignUpItemRow,
    SignUpListRow,
)
from hearthkeeper.store.models.events import question_predicate
from hearthkeeper.store.records import QuestionTiming, SignUpReach, Stay
from hearthkeeper.store.scope import StoreBase

_CHUNK = 500
_ASKED_AT = attrgetter("asked_at")
_T = TypeVar("_T")


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class MetricReadQueries(StoreBase):
    def stays(self, group_ids: Collection[int], until: datetime | None = None) -> list[Stay]:
        """Every stay in `group_ids` (that began before `until`), in order of joining."""
        s = MembershipRow
        query = (
            select(s.group_id, s.member_id, s.role, s.joined_at, s.left_at)
            .where(s.group_id.in_(list(group_ids)))
            .order_by(s.joined_at, s.id)
        )
        if until is not None:
            query = query.where(s.joined_at < utc(until, "until"))
        with self._unit(write=False) as session:
            return [Stay(*row) for row in session.execute(query)]

    def question_timings(self, group_ids: Collection[int], since: datetime,
                         until: datetime) -> list[QuestionTiming]:  # fmt: skip
        """Questions asked in `group_ids` from `since` to before `until` — messages holding
        "?"/"？", or recorded by the FAQ queue — each with its first answer: a reply from
        another member, or the queue's `answered_at`, whichever came first."""
        m = MessageRow
        ids = list(group_ids)
        window = (m.sent_at >= utc(since, "since"), m.sent_at < utc(until, "until"))
        with self._unit(write=False) as session:
            # The very predicate of `ix_messages_questions`: read from that index alone.
            marked = text(question_predicate(session.get_bind().dialect.name))
            query = select(m.id, m.group_id, m.member_id, m.sent_at).where(
                m.group_id.in_(ids), *window, marked
            )
            asked: dict[int, tuple[Any, ...]] = {
                row[0]: (row[1], row[2], row[3], None) for row in driver_rows(session, query)
            }
            for message_id, *question in _queued(session, ids, window):
                asked[message_id] = tuple(question)
            # Questions the bot deleted (spam), from the small index of deleted messages.
            gone = select(m.id).where(m.group_id.in_(ids), *window, m.deleted_at.is_not(None))
            for (message_id,) in driver_rows(session, gone):
                asked.pop(message_id, None)
            if len(asked) > _CHUNK:  # many questions: one pass over the window's replies
                replied = _first_replies_to(session, asked, since)
            else:
                replied = _first_replies(session, sorted(asked))
        rows = list(asked.values())
        asked_at = utc_times([row[2] for row in rows])
        timings = [
            QuestionTiming(group_id, member_id, at, _first_answer(replied.get(message_id), queued))
            for (message_id, (group_id, member_id, _, queued)), at in zip(
                asked.items(), asked_at, strict=True
            )
        ]
        timings.sort(key=_ASKED_AT)
        return timings

    def checkin_marks(self, community_id: int, start: date,
                      end: date) -> list[tuple[int | None, int, date]]:  # fmt: skip
        """(group, member, day) of every check-in in the community from `start` to `end`."""
        c = CheckInRow
        query = select(c.group_id, c.member_id, c.day).where(
            c.community_id == community_id, c.day >= start.isoformat(), c.day <= end.isoformat()
        )
        with self._unit(write=False) as session:
            return [(g, m, date.fromisoformat(d)) for g, m, d in session.execute(query)]

    def signup_reach(self, group_ids: Collection[int], since: datetime,
                     until: datetime) -> list[SignUpReach]:  # fmt: skip
        """The sign-up lists and group-buys started in `group_ids` in [since, until)."""
        lists = select(SignUpListRow.id, SignUpListRow.group_id, SignUpListRow.created_at).where(
            SignUpListRow.group_id.in_(list(group_ids)),
            SignUpListRow.created_at >= utc(since, "since"),
            SignUpListRow.created_at < utc(until, "until"),
        )
        found: list[SignUpReach] = []
        with self._unit(write=False) as session:
            started = list(session.execute(lists.order_by(SignUpListRow.created_at)))
            ids = [int(row[0]) for row in started]
            with_items = _lists_with_items(session, ids)
            joined = _list_members(session, ids)
            for list_id, group_id, created_at in started:
                s = MembershipRow
                present = select(s.member_id).where(
                    s.group_id == group_id, s.joined_at <= created_at,
                    or_(s.left_at.is_(None), s.left_at > created_at),
                )  # fmt: skip
                members = joined.get(list_id, frozenset())
                saw = frozenset(int(m) for m in session.scalars(present)) | members
                found.append(SignUpReach(list_id, group_id, created_at, list_id in with_items,
                                         saw, members))  # fmt: skip
        return found


def _queued(session: Session, group_ids: list[int],
            window: tuple[ColumnElement[bool], ...]) -> Iterator[tuple[Any, ...]]:  # fmt: skip
    """The FAQ queue's questions asked in the window: message id, group, member, time sent and
    the queue's answer, as the driver gives them. The queue is read first and its messages
    looked up by their key: a join would have SQLite walk every message of the window."""
    q, m = QuestionRow, MessageRow
    answers: dict[tuple[int, str], Any] = {}
    queued = select(q.group_id, q.carrier_event_id, q.answered_at).where(q.group_id.in_(group_ids))
    for group_id, event_id, answered in driver_rows(session, queued):
        key = (group_id, event_id)
        if key not in answers or (answered is not None and (
                answers[key] is None or utc_of(answered) < utc_of(answers[key]))):  # fmt: skip
            answers[key] = answered
    keys = list(answers)
    for chunk in _chunks(keys):
        query = select(m.id, m.group_id, m.member_id, m.sent_at, m.carrier_event_id).where(
            tuple_(m.group_id, m.carrier_event_id).in_(chunk), *window
        )
        for message_id, group_id, member_id, sent_at, event_id in driver_rows(session, query):
            yield message_id, group_id, member_id, sent_at, answers[(group_id, event_id)]


def _first_answer(reply: Any, queued: Any) -> datetime | None:
    """The earlier of a question's first reply and its queue answer, as the driver gave them."""
    if reply is None:
        return None if queued is None else utc_of(queued)
    if queued is None:
        return utc_of(reply)
    return min(utc_of(reply), utc_of(queued))


def _first_replies(session: Session, ids: list[int]) -> dict[int, datetime | str]:
    """For each message id, when another member first replied to it."""
    reply, asked = MessageRow, aliased(MessageRow)
    found: dict[int, datetime | str] = {}
    for chunk in _chunks(ids):
        query = (
            select(reply.reply_to_id, func.min(reply.sent_at))
            .join(asked, asked.id == reply.reply_to_id)
            .where(reply.reply_to_id.in_(chunk), reply.sent_at >= asked.sent_at,
                   reply.member_id.is_not(None), asked.member_id.is_not(None),
                   reply.member_id != asked.member_id)
            .group_by(reply.reply_to_id)
        )  # fmt: skip
        for message_id, at in session.execute(query):
            if message_id is not None:
                found[int(message_id)] = at
    return found


def _first_replies_to(session: Session, asked: dict[int, tuple[Any, ...]],
                      since: datetime) -> dict[int, Any]:  # fmt: skip
    """As `_first_replies`, for the messages `asked` (id → group, member, sent at, …, as the
    driver gave them), from one read of every reply sent since `since` (a reply is sent
    after what it answers), where thousands of questions would take one query per 500.
    Times are compared as the driver gives them, as the database compares them."""
    reply = MessageRow
    query = select(reply.reply_to_id, reply.member_id, reply.sent_at).where(
        reply.reply_to_id.is_not(None), reply.member_id.is_not(None),
        reply.sent_at >= utc(since, "since"),
    )  # fmt: skip
    found: dict[int, Any] = {}
    for target, member, at in driver_rows(session, query):
        question = asked.get(target)
        if question is None:
            continue
        asker, sent_at = question[1], question[2]
        if asker is None or member == asker or at < sent_at:
            continue
        first = found.get(target)
        if first is None or at < first:
            found[target] = at
    return found


def _lists_with_items(session: Session, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        query = select(SignUpItemRow.list_id).where(SignUpItemRow.list_id.in_(chunk)).distinct()
        found.update(int(i) for i in session.scalars(query))
    return found


def _list_members(session: Session, ids: list[int]) -> dict[int, frozenset[int]]:
    e = SignUpEntryRow
    members: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        query = select(e.list_id, e.member_id).where(e.list_id.in_(chunk), e.status != "cancelled")
        for list_id, member_id in session.execute(query):
            members.setdefault(int(list_id), set()).add(int(member_id))
    return {list_id: frozenset(found) for list_id, found in members.items()}
