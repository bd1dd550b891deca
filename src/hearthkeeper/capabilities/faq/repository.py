"""The FAQ's storage: the staff question queue (questions the bot could not answer and who
answered them) and the members who can answer: experts by tag, authors of answers marked
helpful. `Questions` names what the capability needs; `SqlQuestions.on(tx)` is it on the
caller's transaction. The `questions` table stays with the schema in store/models.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearthkeeper.capabilities.faq.requests import HANDLER
from hearthkeeper.store.among import among, among_pairs, pairs_parameter
from hearthkeeper.store.columns import utc
from hearthkeeper.store.errors import StoreError
from hearthkeeper.store.inserts import table_of
from hearthkeeper.store.models import (
    QUESTION_WAITING,
    EventRow,
    GroupRow,
    IdentityRow,
    MemberRow,
    MembershipRow,
    MessageRow,
    OutboxRow,
    PointsRow,
    QuestionRow,
    TagRow,
)
from hearthkeeper.store.scope import StoreBase

_TABLE = table_of(QuestionRow)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)  # built once: the engine queues many
# Many rows in a few statements: RETURNING's rows come in any order, so they name their row.
_INSERT_MANY = insert(_TABLE).returning(_TABLE.c.id, _TABLE.c.group_id, _TABLE.c.carrier_event_id)


def _last_waiting(bounded: bool) -> Select[Any]:
    """`SqlQuestions.last_waiting_asked_of`'s read (`bounded`: of questions asked after
    `:since`): the pairs as one value (`among_pairs`), each sought in the (group, member)
    index — the questions of the members asked, not every waiting question of the
    community's window (thousands in a busy hour, read for the one question of a member
    whose group the FAQ reads back mid-batch). `community_id + 0` keeps SQLite from taking
    the waiting index for that range instead."""
    recent = [_TABLE.c.asked_at > bindparam("since")] if bounded else []
    return (
        select(_TABLE.c.group_id, _TABLE.c.member_id, func.max(_TABLE.c.asked_at))
        .where(_TABLE.c.community_id + literal_column("0") == bindparam("community_id"),
               _TABLE.c.status.in_(QUESTION_WAITING), *recent,
               among_pairs(_TABLE.c.group_id, _TABLE.c.member_id, pairs_parameter("pairs")))
        .group_by(_TABLE.c.group_id, _TABLE.c.member_id)
    )  # fmt: skip


_LAST_WAITING = {bounded: _last_waiting(bounded) for bounded in (False, True)}
_OUTBOX, _EVENTS = table_of(OutboxRow), table_of(EventRow)
# `SqlQuestions.replies_since`: by the outbox's group and time index, each reply's event by
# its id (built once: read on the first FAQ match of each group after a start)
_REPLIES = (
    select(_EVENTS.c.at, _OUTBOX.c.action)
    .join(_EVENTS, _OUTBOX.c.event_id == _EVENTS.c.id)
    .where(_OUTBOX.c.group_id == bindparam("group_id"),
           _OUTBOX.c.created_at >= bindparam("since"), _EVENTS.c.at >= bindparam("since"))
    .order_by(_EVENTS.c.at, _OUTBOX.c.id)
)  # fmt: skip


@dataclass(frozen=True)
class Reply:
    """One of the FAQ's replies kept in the outbox (`SqlQuestions.replies_in`)."""

    at: datetime  # the time of the event it replied to
    made: datetime  # when the reply was put in the outbox
    reason: str
    text: str

    def since(self, moment: datetime) -> bool:
        """Whether `replies_since(…, moment)` reads it."""
        return self.at >= moment and self.made >= moment


@dataclass(frozen=True)
class NewQuestion:
    """A question to put in the staff queue (`SqlQuestions.add_questions`)."""

    community_id: int
    group_id: int
    member_id: int
    carrier_event_id: str
    text: str
    asked_at: datetime


@dataclass(frozen=True)
class Question:
    """A question in the staff queue, with who asked it and where."""

    id: int
    community_id: int
    group_id: int
    member_id: int
    carrier_event_id: str
    text: str
    asked_at: datetime
    status: str  # open | alerted (staff were told) | answered
    answered_at: datetime | None
    answered_by: int | None  # None when staff closed it by command
    asker: str  # the asker's display name
    group_name: str


@dataclass(frozen=True)
class Expert:
    """A member of a group tagged as knowing about something, and how to @-mention them."""

    member_id: int
    display_name: str
    user_id: str  # on the group's carrier
    tag: str


class Questions(Protocol):
    """What the FAQ capability reads and writes."""

    def add_question(self, community_id: int, group_id: int, member_id: int,
                     carrier_event_id: str, text: str, asked_at: datetime) -> int: ...  # fmt: skip
    def get_question(self, question_id: int) -> Question | None: ...
    def waiting_question(self, community_id: int, group_id: int,
                         carrier_event_id: str) -> Question | None: ...  # fmt: skip
    def waiting_question_of(self, community_id: int, group_id: int,
                            member_ids: Sequence[int]) -> Question | None: ...  # fmt: skip
    def waiting_questions(self, community_id: int, limit: int = 200) -> list[Question]: ...
    def answer_question(self, question_id: int, by: int | None, at: datetime) -> bool: ...
    def alert_question(self, question_id: int) -> bool: ...
    def last_waiting_asked_at(self, community_id: int, group_id: int,
                              member_id: int) -> datetime | None: ...  # fmt: skip
    def experts(self, group_id: int, carrier: str, tags: Sequence[str], *,
                exclude: Sequence[int] = (), limit: int = 50) -> list[Expert]: ...  # fmt: skip
    def message_author(self, group_id: int, carrier_event_id: str) -> int | None: ...
    def points_given(self, community_id: int, member_id: int, reason: str) -> bool: ...


class SqlQuestions(StoreBase):
    """`Questions` in SQL, on the caller's transaction (`SqlQuestions.on(tx)`)."""

    def add_question(self, community_id: int, group_id: int, member_id: int,
                     carrier_event_id: str, text: str, asked_at: datetime) -> int:  # fmt: skip
        """Put a member's question in the staff queue, open; returns its id (its number)."""
        values = {
            "community_id": community_id, "group_id": group_id, "member_id": member_id,
            "carrier_event_id": carrier_event_id, "text": text,
            "asked_at": utc(asked_at, "asked_at"), "status": "open", "answered_at": None,
            "answered_by": None,
        }  # fmt: skip
        self.flush_deferred()  # a check-in's points may wait to be written
        with self._unit(write=True) as session:
            try:  # no savepoint: a missing row is a bug that fails the caller's transaction
                return int(session.execute(_INSERT, values).scalar_one())
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot queue the question of member {member_id}: its community "
                    f"{community_id}, group {group_id} or member does not exist"
                ) from exc

    def get_question(self, question_id: int) -> Question | None:
        """The question with this id, whatever its status."""
        self.flush_deferred()
        with self._unit(write=False) as session:
            found = self._questions(session, [QuestionRow.id == question_id])
            return found[0] if found else None

    def waiting_question(self, community_id: int, group_id: int,
                         carrier_event_id: str) -> Question | None:  # fmt: skip
        """The unanswered question that the group's message `carrier_event_id` asked."""
        self.flush_deferred()
        with self._unit(write=False) as session:
            found = self._questions(session, [
                *_waiting(community_id), QuestionRow.group_id == group_id,
                QuestionRow.carrier_event_id == carrier_event_id,
            ])  # fmt: skip
            return found[0] if found else None

    def waiting_question_of(self, community_id: int, group_id: int,
                            member_ids: Sequence[int]) -> Question | None:  # fmt: skip
        """The newest unanswered question that one of these members asked in the group."""
        self.flush_deferred()
        if not member_ids:
            return None
        with self._unit(write=False) as session:
            found = self._questions(session, [
                *_waiting(community_id), QuestionRow.group_id == group_id,
                QuestionRow.member_id.in_(list(member_ids)),
            ])  # fmt: skip
            return found[-1] if found else None

    def waiting_questions(self, community_id: int, limit: int = 200) -> list[Question]:
        """The community's unanswered questions, oldest first."""
        self.flush_deferred()
        with self._unit(write=False) as session:
            return self._questions(session, _waiting(community_id), limit=limit)

    def answer_question(self, question_id: int, by: int | None, at: datetime) -> bool:
        """Mark a question answered (by a member, or None when staff closed it); False if it
        was already answered or does not exist."""
        return self._set_status(question_id, QUESTION_WAITING, status="answered",
                                answered_at=utc(at, "answered_at"), answered_by=by)  # fmt: skip

    def alert_question(self, question_id: int) -> bool:
        """Note that staff were alerted about an open question; False if it is not open."""
        return self._set_status(question_id, ("open",), status="alerted")

    def experts(self, group_id: int, carrier: str, tags: Sequence[str], *,
                exclude: Sequence[int] = (), limit: int = 50) -> list[Expert]:  # fmt: skip
        """Members now in the group who carry one of `tags`, most recently active there first,
        with their user id on `carrier`."""
        if not tags:
            return []
        last_said = func.max(MessageRow.sent_at)
        query = (
            select(MemberRow.id, MemberRow.display_name, IdentityRow.carrier_user_id, TagRow.tag,
                   last_said)
            .join(TagRow, TagRow.member_id == MemberRow.id)
            .join(MembershipRow, and_(MembershipRow.member_id == MemberRow.id,
                                      MembershipRow.group_id == group_id,
                                      MembershipRow.left_at.is_(None)))
            .join(IdentityRow, and_(IdentityRow.member_id == MemberRow.id,
                                    IdentityRow.carrier == carrier))
            .outerjoin(MessageRow, and_(MessageRow.member_id == MemberRow.id,
                                        MessageRow.group_id == group_id))
            .where(TagRow.tag.in_(list(tags)), MemberRow.id.not_in(list(exclude)))
            .group_by(MemberRow.id, MemberRow.display_name, IdentityRow.carrier_user_id, TagRow.tag)
            .order_by(last_said.desc().nulls_last(), MemberRow.id)
            .limit(limit)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return [Expert(row[0], row[1], row[2], row[3]) for row in session.execute(query)]

    def message_author(self, group_id: int, carrier_event_id: str) -> int | None:
        """Who wrote the group's message with this carrier event id, if it was recorded."""
        query = select(MessageRow.member_id).where(
            MessageRow.group_id == group_id, MessageRow.carrier_event_id == carrier_event_id
        )
        with self._unit(write=False) as session:
            return session.scalar(query)

    def replies_since(self, group_id: int, since: datetime) -> list[tuple[datetime, str, str]]:
        """The FAQ's own replies in the group to events at or after `since`: (the event's
        time, the reply's reason, its text), oldest first. The outbox is where the bot's
        answers are kept, so a restarted engine learns from it what it answered moments ago."""
        # Nothing deferred (queued questions, check-ins, scheduled work) is read here, so
        # nothing is written first: the group's first match after a start waits for this one
        # statement only. (Written here before, they were split at each group's first match;
        # scheduled rows now take their ids in the order of one flush, questions' alerts
        # still in the order they were asked.)
        values = {"group_id": group_id, "since": utc(since, "since")}
        with self._unit(write=False) as session:  # a plain statement built once
            rows = session.connection().execute(_REPLIES, values).all()
        return [(at, str(action.get("reason") or ""), str(action.get("text") or ""))
                for at, action in rows if action.get("handler") == HANDLER]  # fmt: skip

    def replies_in(self, since: Mapping[int, datetime]) -> dict[int, list[Reply]]:
        """`replies_since` for many groups in one statement (`since`: from when, each group):
        each group's FAQ replies, oldest first, with the moment each reply was made, so that
        a caller can narrow a group's to a later `since` as `replies_since` would read them
        (`Reply.since`). Groups with none are left out."""
        if not since:
            return {}
        earliest = utc(min(since.values()), "since")
        query = (
            select(_OUTBOX.c.group_id, _EVENTS.c.at, _OUTBOX.c.created_at, _OUTBOX.c.action)
            .join(_EVENTS, _OUTBOX.c.event_id == _EVENTS.c.id)
            .where(among(_OUTBOX.c.group_id, sorted(since)),
                   _OUTBOX.c.created_at >= earliest, _EVENTS.c.at >= earliest)
            .order_by(_EVENTS.c.at, _OUTBOX.c.id)
        )  # fmt: skip
        found: dict[int, list[Reply]] = {}
        with self._unit(write=False) as session:
            for group_id, at, made, action in session.connection().execute(query):
                reply = Reply(at, made, str(action.get("reason") or ""),
                              str(action.get("text") or ""))  # fmt: skip
                if action.get("handler") == HANDLER and reply.since(since[group_id]):
                    found.setdefault(group_id, []).append(reply)
        return found

    def points_given(self, community_id: int, member_id: int, reason: str) -> bool:
        """Whether the member's ledger already holds an entry for exactly this reason."""
        query = select(PointsRow.id).where(
            PointsRow.community_id == community_id,
            PointsRow.member_id == member_id,
            PointsRow.reason == reason,
        )
        with self._unit(write=False) as session:
            return session.scalar(query.limit(1)) is not None

    def last_waiting_asked_at(
        self, community_id: int, group_id: int, member_id: int
    ) -> datetime | None:
        """When the member's newest unanswered question in the group was asked."""
        self.flush_deferred()
        query = (
            select(QuestionRow.asked_at)
            .where(*_waiting(community_id), QuestionRow.group_id == group_id,
                   QuestionRow.member_id == member_id)
            .order_by(QuestionRow.asked_at.desc())
            .limit(1)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return session.scalar(query)

    def add_questions(self, questions: Sequence[NewQuestion]) -> list[int]:
        """Put many questions in the staff queue in one statement, open; their ids, in order."""
        if not questions:
            return []
        if len({(q.group_id, q.carrier_event_id) for q in questions}) < len(questions):
            return [self.add_question(q.community_id, q.group_id, q.member_id,
                                      q.carrier_event_id, q.text, q.asked_at)
                    for q in questions]  # fmt: skip
        rows = [{
            "community_id": q.community_id, "group_id": q.group_id, "member_id": q.member_id,
            "carrier_event_id": q.carrier_event_id, "text": q.text,
            "asked_at": utc(q.asked_at, "asked_at"), "status": "open", "answered_at": None,
            "answered_by": None,
        } for q in questions]  # fmt: skip
        with self._unit(write=True) as session:
            try:
                made = {(g, e): int(i) for i, g, e in session.execute(_INSERT_MANY, rows)}
            except IntegrityError as exc:
                raise StoreError(
                    f"cannot queue {len(rows)} questions: a community, group or member of "
                    "theirs does not exist"
                ) from exc
        return [made[(q.group_id, q.carrier_event_id)] for q in questions]

    def last_waiting_asked_of(
        self, community_id: int, pairs: Sequence[tuple[int, int]], since: datetime | None = None
    ) -> dict[tuple[int, int], datetime]:
        """`last_waiting_asked_at` for many (group id, member id) pairs at once (those with
        no unanswered question are left out), among the questions asked after `since` (all
        when None); reads only what is written."""
        found: dict[tuple[int, int], datetime] = {}
        wanted = sorted(set(pairs))
        if not wanted:
            return found
        values = {"community_id": community_id, "pairs": wanted,
                  "since": utc(since, "since") if since is not None else None}  # fmt: skip
        with self._unit(write=False) as session:  # a plain statement built once: per batch
            for group_id, member_id, asked_at in session.connection().execute(
                _LAST_WAITING[since is not None], values
            ):
                found[(group_id, member_id)] = asked_at
        return found

    def _set_status(self, question_id: int, when: Sequence[str], **values: Any) -> bool:
        self.flush_deferred()
        with self._unit(write=True) as session:
            result = session.execute(
                update(QuestionRow)
                .where(QuestionRow.id == question_id, QuestionRow.status.in_(list(when)))
                .values(**values)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def _questions(
        session: Session, where: list[ColumnElement[bool]], limit: int | None = None
    ) -> list[Question]:
        query = (
            select(QuestionRow, MemberRow.display_name, GroupRow.name)
            .join(MemberRow, MemberRow.id == QuestionRow.member_id)
            .join(GroupRow, GroupRow.id == QuestionRow.group_id)
            .where(*where)
            .order_by(QuestionRow.asked_at, QuestionRow.id)
            .limit(limit)
        )
        return [
            Question(
                id=row.id, community_id=row.community_id, group_id=row.group_id,
                member_id=row.member_id, carrier_event_id=row.carrier_event_id, text=row.text,
                asked_at=row.asked_at, status=row.status, answered_at=row.answered_at,
                answered_by=row.answered_by, asker=asker, group_name=group_name,
            )
            for row, asker, group_name in session.execute(query)
        ]  # fmt: skip


def _waiting(community_id: int) -> list[ColumnElement[bool]]:
    # community and status first: the index on (community_id, status) finds the few waiting
    return [QuestionRow.community_id == community_id, QuestionRow.status.in_(QUESTION_WAITING)]
