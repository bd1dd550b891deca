"""Live numbers for the console: what happened in a community today, group by group, and
how much waits in the staff inbox. (Full analytics arrive in step 6.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.models import (
    QUESTION_WAITING,
    EventRow,
    GroupRow,
    MembershipRow,
    MessageRow,
    QuestionRow,
    StaffAlertRow,
    StrikeRow,
)
from hearthkeeper.store.records import EventType, LiveNumbers
from hearthkeeper.store.scope import StoreBase


class StatsQueries(StoreBase):
    def live_numbers(self, community_id: int, since: datetime) -> LiveNumbers:
        """Messages (not those the bot deleted), distinct members who sent them, joins, leaves and strikes in the
        community's groups from `since` on."""
        since = utc(since, "since")
        groups = select(GroupRow.id).where(GroupRow.community_id == community_id)
        said = select(func.count(MessageRow.id), func.count(distinct(MessageRow.member_id))).where(
            MessageRow.group_id.in_(groups),
            MessageRow.sent_at >= since,
            MessageRow.deleted_at.is_(None),
        )
        moves = (
            select(EventRow.type, func.count(EventRow.id))
            .where(EventRow.group_id.in_(groups), EventRow.at >= since,
                   EventRow.type.in_([EventType.JOIN.value, EventType.LEAVE.value]))
            .group_by(EventRow.type)
        )  # fmt: skip
        strikes = select(func.count(StrikeRow.id)).where(
            StrikeRow.community_id == community_id, StrikeRow.at >= since
        )
        with self._unit(write=False) as session:
            messages, senders = session.execute(said).one()
            by_type = {kind: int(count) for kind, count in session.execute(moves)}
            struck = int(session.scalar(strikes) or 0)
        return LiveNumbers(
            messages=int(messages or 0),
            active_members=int(senders or 0),
            joins=by_type.get(EventType.JOIN.value, 0),
            leaves=by_type.get(EventType.LEAVE.value, 0),
            strikes=struck,
        )

    def members_now(self, community_id: int) -> int:
        """How many members are in at least one of the community's groups now."""
        statement = (
            select(func.count(distinct(MembershipRow.member_id)))
            .join(GroupRow, GroupRow.id == MembershipRow.group_id)
            .where(GroupRow.community_id == community_id, MembershipRow.left_at.is_(None))
        )
        with self._unit(write=False) as session:
            return int(session.scalar(statement) or 0)

    def group_message_counts(self, community_id: int, since: datetime) -> dict[int, int]:
        """Messages per group of the community from `since` on (groups without any left out)."""
        statement = (
            select(MessageRow.group_id, func.count(MessageRow.id))
            .join(GroupRow, GroupRow.id == MessageRow.group_id)
            .where(GroupRow.community_id == community_id,
                   MessageRow.sent_at >= utc(since, "since"), MessageRow.deleted_at.is_(None))
            .group_by(MessageRow.group_id)
        )  # fmt: skip
        with self._unit(write=False) as session:
            return {group_id: int(count) for group_id, count in session.execute(statement)}

    def inbox_count(self, community_id: int) -> int:
        """What waits in the staff inbox: unanswered questions plus alerts not yet handled."""
        questions = select(func.count(QuestionRow.id)).where(
            QuestionRow.community_id == community_id, QuestionRow.status.in_(QUESTION_WAITING)
        )
        alerts = select(func.count(StaffAlertRow.id)).where(
            StaffAlertRow.community_id == community_id, StaffAlertRow.handled_at.is_(None)
        )
        with self._unit(write=False) as session:
            return int(session.scalar(questions) or 0) + int(session.scalar(alerts) or 0)

    def inbox_counts(self) -> dict[int, int]:
        """`inbox_count` of every community with something waiting, in two queries."""
        questions = (
            select(QuestionRow.community_id, func.count(QuestionRow.id))
            .where(QuestionRow.status.in_(QUESTION_WAITING))
            .group_by(QuestionRow.community_id)
        )
        alerts = (
            select(StaffAlertRow.community_id, func.count(StaffAlertRow.id))
            .where(StaffAlertRow.handled_at.is_(None))
            .group_by(StaffAlertRow.community_id)
        )
        found: dict[int, int] = {}
        with self._unit(write=False) as session:
            for statement in (questions, alerts):
                for community_id, count in session.execute(statement):
                    found[community_id] = found.get(community_id, 0) + int(count)
        return found
