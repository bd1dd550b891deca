"""Interaction mechanisms: points, check-ins, polls, sign-ups, questions, titles, levels, posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import JSONDocument, SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, KEY, NAME, Base


class PointsRow(Base):
    """The points ledger: a balance is the sum of its entries (redemptions are negative)."""

    __tablename__ = "points"
    __table_args__ = (Index("ix_points_community_id_member_id", "community_id", "member_id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_id: Mapped[int | None] = mapped_column(BIG_ID, ForeignKey("events.id"))


class CheckInRow(Base):
    """One check-in: at most one per member and community per day (the community's day)."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("community_id", "member_id", "day"),
        Index("ix_checkins_community_id_day", "community_id", "day"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    day: Mapped[str] = mapped_column(SafeString(10))  # YYYY-MM-DD in the community's zone
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    streak: Mapped[int] = mapped_column(Integer)


class CheckInDayRow(Base):
    """How many members checked in on one day of a community: bumped with each check-in
    (INSERT … ON CONFLICT DO UPDATE … RETURNING), so two at the same instant in different
    workers get different places; only check-ins of the same community and day wait."""

    __tablename__ = "checkin_days"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    day: Mapped[str] = mapped_column(SafeString(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class PollRow(Base):
    __tablename__ = "polls"
    __table_args__ = (Index("ix_polls_group_id_status", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    question: Mapped[str] = mapped_column(SafeText)
    options: Mapped[list[str]] = mapped_column(JSONDocument)
    multiple: Mapped[bool] = mapped_column()
    anonymous: Mapped[bool] = mapped_column()
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(SafeString(16))  # open | closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PollVoteRow(Base):
    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "member_id", "option"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    option: Mapped[int] = mapped_column(Integer)  # index into polls.options
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignUpListRow(Base):
    """A sign-up list or group-buy (接龙)."""

    __tablename__ = "signup_lists"
    __table_args__ = (Index("ix_signup_lists_group_id_status", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    title: Mapped[str] = mapped_column(SafeText)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(SafeString(16))  # open | closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignUpItemRow(Base):
    """Something on a list with limited stock (a group-buy item); lists without items have none."""

    __tablename__ = "signup_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("signup_lists.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1-based, as shown
    label: Mapped[str] = mapped_column(SafeText)
    price: Mapped[str | None] = mapped_column(SafeString(32))  # decimal as text, exact
    stock: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    taken: Mapped[int] = mapped_column(Integer)


class SignUpEntryRow(Base):
    __tablename__ = "signup_entries"
    __table_args__ = (Index("ix_signup_entries_list_id_status", "list_id", "status"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("signup_lists.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("signup_items.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(SafeString(16))  # confirmed | waitlisted | cancelled
    note: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionRow(Base):
    """A question the bot could not answer: the staff queue (seed 001's manual response)."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_waiting", "community_id", "status", "asked_at"),
        Index("ix_questions_group_id_member_id", "group_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    carrier_event_id: Mapped[str] = mapped_column(SafeString(KEY))
    text: Mapped[str] = mapped_column(SafeText)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(SafeString(16))  # open | answered | alerted
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))


# The statuses of a question still without an answer ("alerted": staff were told): the FAQ
# queue and the console's inbox count read the same ones.
QUESTION_WAITING = ("open", "alerted")


class TitleRow(Base):
    """A fun title a member claimed (喝水委员); released titles keep their row."""

    __tablename__ = "titles"
    __table_args__ = (Index("ix_titles_community_id_title", "community_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(SafeString(NAME))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RedemptionRow(Base):
    """A reward redeemed with points (the points ledger holds the matching negative entry)."""

    __tablename__ = "redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reward: Mapped[str] = mapped_column(SafeString(64))
    points: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class LevelChangeRow(Base):
    """A promotion or demotion on the member pyramid, with why."""

    __tablename__ = "level_changes"
    __table_args__ = (
        Index("ix_level_changes_community_id_member_id", "community_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    from_level: Mapped[str | None] = mapped_column(SafeString(64))
    to_level: Mapped[str] = mapped_column(SafeString(64))
    reason: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class MemberLevelRow(Base):
    """A member's current level in a community (a `structure.levels` id)."""

    __tablename__ = "member_levels"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    level: Mapped[str] = mapped_column(SafeString(64))
    since: Mapped[datetime] = mapped_column(UTCDateTime)


class PostRow(Base):
    """One firing of a scheduled post in one group, claimed before anything is sent: the unique
    key makes each firing happen once, whichever process gets there first. It also records the
    content kind and item posted, for measuring replies by kind."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("group_id", "post_id", "scheduled_for"),
        Index("ix_posts_community_id_status", "community_id", "status"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    post_id: Mapped[str] = mapped_column(SafeString(64))  # the playbook's `calendar.posts[].id`
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    item_id: Mapped[str | None] = mapped_column(SafeString(KEY))
    content_kind: Mapped[str] = mapped_column(SafeString(16))
    mode: Mapped[str] = mapped_column(SafeString(16))  # auto | remind
    # posted | skipped (missed, or no content) | reminded | confirmed | cancelled (by staff)
    status: Mapped[str] = mapped_column(SafeString(16))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(SafeString(NAME))  # staff who said /skip
    cancelled_by_name: Mapped[str | None] = mapped_column(SafeString(NAME))  # and their name
