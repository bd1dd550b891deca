"""Reads analytics needs beyond the rollups, each bounded by something small: stays, questions,
check-ins, sign-up lists (never a scan of every message of a period). What followed each
scheduled post is read by the calendar's repository (`capabilities.calendar.repository`)."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from itertools import compress
from operator import attrgetter, itemgetter
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, select, text, tuple_
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from hearthkeeper.store.columns import sqlite_time, utc
from hearthkeeper.store.driver_rows import driver_rows, utc_of, utc_times
from hearthkeeper.store.models import (
    CheckInRow,
    MembershipRow,
    MessageRow,
    OutboxRow,
    QuestionRow,
    SignUpEntryRow,
    SignUpItemRow,
    SignUpListRow,
)
from hearthkeeper.store.models.events import question_predicate
from hearthkeeper.store.records import QuestionDays, QuestionTiming, SignUpReach, Stay
from hearthkeeper.store.rollups import local_midnight
from hearthkeeper.store.scope import StoreBase

_CHUNK = 500
_ASKED_AT = attrgetter("asked_at")
_FIRST, _GROUP, _SENT = itemgetter(0), itemgetter(1), itemgetter(3)
_TZINFO = attrgetter("tzinfo")
_QUESTION = partial(tuple.__new__, QuestionTiming)  # a record made in C, as rollups._records
_ONE_DAY, _QUARTER, _INSTANT = timedelta(days=1), timedelta(minutes=15), timedelta(microseconds=1)
_T = TypeVar("_T")
# The FAQ's automatic answers, as its handler keeps them in the outbox (capabilities/faq): a
# reply of the handler "faq" to the question, naming the entry ("FAQ: <its question>"), the
# answer alone ("FAQ answer"), or the answer before the experts' line ("experts on …": the
# answer, a new line, the line; the line alone answers nothing). Sent or on its way; one the
# carrier refused, one cancelled or a dry run's is not an answer.
_FAQ_HANDLER, _FAQ_ENTRY, _FAQ_ALONE, _FAQ_EXPERTS = "faq", "FAQ: ", "FAQ answer", "experts on "
_REPLIED = ("pending", "sending", "done")
# The FAQ replies when the question reaches it, after it was sent: its replies are read from a
# day before the window (a carrier's clock a little ahead of ours), by the outbox's group and
# time index.
_FAQ_SLACK = timedelta(days=1)


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
        "?"/"？", or recorded by the FAQ queue — each with its first answer by a person: a
        reply from another member, or the queue's `answered_at`, whichever came first; and
        whether the FAQ answered it automatically while no person did."""
        with self._unit(write=False) as session:
            asked, answers, by_faq = _questions(session, list(group_ids), since, until)
        return _timings(asked, answers, by_faq)

    def question_days(self, group_ids: Collection[int], since: datetime, until: datetime,
                      zone: tzinfo) -> QuestionDays:  # fmt: skip
        """The questions of `question_timings` counted per group and local day in `zone`,
        with the answered ones listed: the 9 in 10 not answered are counted as the driver
        gives their times, never made into records. `since` and `until` are local midnights
        (else, or around a clock change at midnight, the timings are counted one by one)."""
        starts = _day_starts(since, until, zone)
        if starts is None:
            return QuestionDays.of(self.question_timings(group_ids, since, until), zone)
        with self._unit(write=False) as session:
            asked, answers, by_faq = _questions(session, list(group_ids), since, until)
        rows = list(asked.values())
        # Two columns taken out in C (a transposition of every row, zip(*rows), took 0.1 to
        # 0.2 s of a report at 1M messages).
        groups, sent = list(map(_GROUP, rows)), list(map(_SENT, rows))
        bounds: list[Any] = [start for _, start in starts]
        if sent and isinstance(sent[0], str):  # SQLite's texts, compared as SQLite does:
            bounds = [sqlite_time(start, "day start") for start in bounds]
            same_format = set(map(len, sent)) == {len(bounds[0])}
        elif sent:  # PostgreSQL's times, in the session's zone
            bounds = _in_zone_of(sent, [*bounds, until])[:-1]
            same_format = bool(bounds)
        if sent and not same_format:
            return QuestionDays.of(_timings(asked, answers, by_faq), zone)
        days = [day for day, _ in starts]
        placed: Iterable[tuple[Any, int]] = zip(
            groups, map(partial(bisect_right, bounds), sent), strict=True
        )
        faq: Counter[tuple[Any, int]] = Counter()
        if by_faq:  # the few the FAQ alone answered, counted from the same places
            placed = list(placed)
            faq.update(compress(placed, map(by_faq.__contains__, asked)))
        counted = Counter(placed)
        answered = [
            QuestionTiming(group_id, member_id, utc_of(sent_at), answers[message_id])
            for message_id, group_id, member_id, sent_at in compress(
                rows, map(answers.__contains__, asked)
            )
        ]
        answered.sort(key=_ASKED_AT)
        return QuestionDays(
            {(g, days[i - 1]): n for (g, i), n in counted.items()},
            answered,
            {(g, days[i - 1]): n for (g, i), n in faq.items()},
        )

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


def _timings(
    asked: dict[int, tuple[Any, ...]], answers: dict[int, datetime], by_faq: set[int]
) -> list[QuestionTiming]:
    """`_questions`' questions as records, in order of time asked. Made in C, column by
    column (about 200,000 questions at 1M messages); the few answered ones (a tenth) are
    filled in by their place."""
    rows = list(asked.values())
    first_answers: list[datetime | None] = [None] * len(rows)
    place = dict(zip(asked, range(len(rows)), strict=True))
    for message_id, answered_at in answers.items():
        first_answers[place[message_id]] = answered_at
    columns = list(zip(*rows, strict=True)) or [(), (), (), ()]
    faq = map(by_faq.__contains__, asked)
    timings = list(map(_QUESTION, zip(columns[1], columns[2], utc_times(columns[3]),
                                      first_answers, faq, strict=True)))  # fmt: skip
    timings.sort(key=_ASKED_AT)
    return timings


def _questions(
    session: Session, ids: list[int], since: datetime, until: datetime
) -> tuple[dict[int, tuple[Any, ...]], dict[int, datetime], set[int]]:
    """The questions of a window, message id → (id, group, member, time sent) as the driver
    gives them, in the order read; the first answer by a person of each answered one; and
    those the FAQ answered automatically that no person answered."""
    m = MessageRow
    window = (m.sent_at >= utc(since, "since"), m.sent_at < utc(until, "until"))
    # The very predicate of `ix_messages_questions`: read from that index alone.
    marked = text(question_predicate(session.get_bind().dialect.name))
    query = select(m.id, m.group_id, m.member_id, m.sent_at).where(
        m.group_id.in_(ids), *window, marked
    )
    found = driver_rows(session, query)
    asked: dict[int, tuple[Any, ...]] = dict(zip(map(_FIRST, found), found, strict=True))
    queue_answers: dict[int, Any] = {}
    for message_id, group_id, member_id, sent_at, answered in _queued(session, ids, window):
        asked[message_id] = (message_id, group_id, member_id, sent_at)
        queue_answers[message_id] = answered
    # Questions the bot deleted (spam), from the small index of deleted messages.
    gone = select(m.id).where(m.group_id.in_(ids), *window, m.deleted_at.is_not(None))
    for (message_id,) in driver_rows(session, gone):
        asked.pop(message_id, None)
        queue_answers.pop(message_id, None)
    if len(asked) > _CHUNK:  # many questions: one pass over the window's replies
        replied = _first_replies_to(session, asked, since)
    else:
        replied = _first_replies(session, sorted(asked))
    answers: dict[int, datetime] = {}
    for message_id in replied.keys() | queue_answers.keys():
        if message_id in asked:
            answer = _first_answer(replied.get(message_id), queue_answers.get(message_id))
            if answer is not None:
                answers[message_id] = answer
    by_faq = _faq_answered(session, ids, since, asked) - answers.keys() if asked else set()
    return asked, answers, by_faq


def _faq_answered(session: Session, ids: list[int], since: datetime,
                  asked: dict[int, tuple[Any, ...]]) -> set[int]:  # fmt: skip
    """The questions of `asked` (by message id) the FAQ answered automatically: its replies
    (see `_FAQ_HANDLER`) in the groups since a day before `since`, by the outbox's group and
    time index, each joined to the message it replies to by that message's key."""
    o, m = OutboxRow, MessageRow
    action = o.action
    replied = and_(m.group_id == o.group_id, m.carrier_event_id == action["target"].as_string())
    query = (
        select(m.id, action["reason"].as_string(), action["text"].as_string())
        .join_from(o, m, replied)
        .where(o.group_id.in_(ids), o.created_at >= utc(since - _FAQ_SLACK, "since"),
               o.status.in_(_REPLIED), action["handler"].as_string() == _FAQ_HANDLER,
               action["kind"].as_string() == "reply")
    )  # fmt: skip
    return {message_id for message_id, reason, said in driver_rows(session, query)
            if message_id in asked and _answers(reason or "", said or "")}  # fmt: skip


def _answers(reason: str, text: str) -> bool:
    """Whether an FAQ reply with `reason` and `text` answers the question it replies to."""
    if reason.startswith(_FAQ_ENTRY) or reason == _FAQ_ALONE:
        return True
    return reason.startswith(_FAQ_EXPERTS) and "\n" in text


def _in_zone_of(times: Sequence[datetime], bounds: list[datetime]) -> list[datetime]:
    """`bounds` in the zone all of `times` are in, so comparing them compares wall times (in
    C, with no offset looked up: 2 million comparisons at 1M messages); [] if the times are
    in several zones or naive, or the zone's offset changes between the bounds."""
    zone = times[0].tzinfo
    if zone is None or set(map(_TZINFO, times)) != {zone}:
        return []
    local = [b.astimezone(zone) for b in bounds]
    steady = all(later - earlier == b_later - b_earlier  # (same zone: wall time subtracted)
                 for earlier, later, b_earlier, b_later
                 in zip(local, local[1:], bounds, bounds[1:], strict=False))  # fmt: skip
    return local if steady else []


def _day_starts(since: datetime, until: datetime,
                zone: tzinfo) -> list[tuple[date, datetime]] | None:  # fmt: skip
    """The local days from `since` to before `until` with the instant each begins (UTC), or
    None if `since` and `until` are not local midnights or an instant of a day is not on it
    (a clock set back across midnight)."""
    day = since.astimezone(zone).date()
    starts: list[tuple[date, datetime]] = []
    start = local_midnight(day, zone)
    if start != since:
        return None
    while start < until:
        end = local_midnight(day + _ONE_DAY, zone)
        first, last = start.astimezone(zone), (end - _INSTANT).astimezone(zone)
        if first.date() != day or last.date() != day:
            return None
        if first.utcoffset() != last.utcoffset() and any(  # a clock change that day:
            (start + n * _QUARTER).astimezone(zone).date() != day  # not across midnight?
            for n in range(1, (end - start) // _QUARTER)
        ):
            return None
        starts.append((day, start))
        day, start = day + _ONE_DAY, end
    return starts if start == until else None


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
    replies = driver_rows(session, query)
    # Most replies answer no question (4 in 5 at 1M messages): passed over in C.
    for target, member, at in compress(replies, map(asked.__contains__, map(_FIRST, replies))):
        question = asked[target]
        asker, sent_at = question[2], question[3]
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
