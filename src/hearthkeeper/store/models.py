"""The tables, as SQLAlchemy 2 typed models; `migrations/` must build exactly this schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hearthkeeper.store.columns import JSONDocument, SafeString, SafeText, UTCDateTime

# Named constraints, so a later migration can drop or alter them by name on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NAME = 200  # display names, community and group names, actors
KEY = 255  # identifiers handed to us by carriers
OUTBOX_KEY = 200  # idempotency keys of outbound actions
# Tables that grow with traffic get 64-bit ids; SQLite only autoincrements an INTEGER key.
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CommunityRow(Base):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SafeString(64), unique=True)
    name: Mapped[str] = mapped_column(SafeString(NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupRow(Base):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("carrier", "carrier_group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(SafeString(NAME))
    carrier: Mapped[str] = mapped_column(SafeString(32))
    carrier_group_id: Mapped[str] = mapped_column(SafeString(KEY))
    capacity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MemberRow(Base):
    """A person; global across communities so that a ban can reach all of them."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(SafeString(NAME))
    profile: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    notes: Mapped[str] = mapped_column(SafeText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityRow(Base):
    __tablename__ = "member_identities"

    carrier: Mapped[str] = mapped_column(SafeString(32), primary_key=True)
    carrier_user_id: Mapped[str] = mapped_column(SafeString(KEY), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TagRow(Base):
    __tablename__ = "member_tags"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(SafeString(64), primary_key=True, index=True)
    set_by: Mapped[str] = mapped_column(SafeString(NAME))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MembershipRow(Base):
    """One stay of a member in a group; leaving closes it, rejoining opens a new one."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_group_id_left_at", "group_id", "left_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    role: Mapped[str | None] = mapped_column(SafeString(64))
    level: Mapped[int | None] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# At most one open stay per member and group, even when two joins race.
Index(
    "uq_memberships_open_stay",
    MembershipRow.member_id,
    MembershipRow.group_id,
    unique=True,
    sqlite_where=MembershipRow.left_at.is_(None),
    postgresql_where=MembershipRow.left_at.is_(None),
)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # One row per carrier event and group: a redelivered event is never stored twice.
        UniqueConstraint("group_id", "carrier_event_id"),
        Index("ix_messages_group_id_sent_at", "group_id", "sent_at"),
        Index("ix_messages_member_id_sent_at", "member_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    carrier_event_id: Mapped[str] = mapped_column(SafeString(KEY))
    kind: Mapped[str] = mapped_column(SafeString(16))
    text: Mapped[str] = mapped_column(SafeText)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply_to_id: Mapped[int | None] = mapped_column(
        BIG_ID, ForeignKey("messages.id", ondelete="SET NULL")
    )
    # Kept even when the message replied to was never seen (sent before we joined).
    reply_to_event_id: Mapped[str | None] = mapped_column(SafeString(KEY))


class MentionRow(Base):
    __tablename__ = "message_mentions"

    message_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)


class PlaybookVersionRow(Base):
    __tablename__ = "playbook_versions"
    __table_args__ = (UniqueConstraint("community_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    version: Mapped[int] = mapped_column(Integer)
    source_text: Mapped[str] = mapped_column(SafeText)
    content: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    sha256: Mapped[str] = mapped_column(SafeString(64))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_by: Mapped[str] = mapped_column(SafeString(NAME))


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_community_id_at", "community_id", "at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(SafeString(NAME))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    action: Mapped[str] = mapped_column(SafeString(64))
    target: Mapped[str] = mapped_column(SafeString(KEY))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument)


class EventRow(Base):
    """Every event the engine processed, once: a redelivery finds its row and stops there."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("group_id", "carrier_event_id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    carrier_event_id: Mapped[str] = mapped_column(SafeString(KEY))
    type: Mapped[str] = mapped_column(SafeString(16))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxRow(Base):
    """An action decided and still to perform (or performed): each `key` is performed once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_priority_id", "status", "priority", "id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(BIG_ID, ForeignKey("events.id"))
    key: Mapped[str] = mapped_column(SafeString(OUTBOX_KEY), unique=True)
    carrier: Mapped[str] = mapped_column(SafeString(32))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    priority: Mapped[int] = mapped_column(Integer)
    action: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(SafeString(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt: Mapped[str | None] = mapped_column(SafeString(KEY))
    last_error: Mapped[str | None] = mapped_column(SafeText)


class StrikeRow(Base):
    __tablename__ = "strikes"
    __table_args__ = (Index("ix_strikes_community_id_member_id", "community_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    violation: Mapped[str] = mapped_column(SafeString(NAME))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    event_id: Mapped[int | None] = mapped_column(BIG_ID, ForeignKey("events.id"))
    explanation: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pardoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pardoned_by: Mapped[str | None] = mapped_column(SafeString(NAME))


class SanctionRow(Base):
    """A mute or ban in one group, or a blacklist in one community (or, with no community,
    in all of them). Lifting keeps the row: the history of sanctions is never lost."""

    __tablename__ = "sanctions"
    __table_args__ = (
        Index("ix_sanctions_member_id_kind", "member_id", "kind"),
        Index("ix_sanctions_kind_until", "kind", "until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(SafeString(16))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reason: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(SafeString(NAME))
    lift_event_key: Mapped[str | None] = mapped_column(SafeString(OUTBOX_KEY))


# At most one sanction of a kind in force per member and scope, even when two workers
# sanction at once (NULL scopes compare equal through the COALESCE).
Index(
    "uq_sanctions_in_force",
    SanctionRow.kind,
    SanctionRow.member_id,
    func.coalesce(SanctionRow.community_id, 0),
    func.coalesce(SanctionRow.group_id, 0),
    unique=True,
    sqlite_where=SanctionRow.lifted_at.is_(None),
    postgresql_where=SanctionRow.lifted_at.is_(None),
)


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


# --- interaction mechanisms (step 3) ---------------------------------------------------------


class ScheduledRow(Base):
    """Work the engine must do at a time: close a poll or a sign-up list, post a summary,
    alert staff about an unanswered question. Done once, by whichever process is running."""

    __tablename__ = "scheduled"
    __table_args__ = (Index("ix_scheduled_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    key: Mapped[str] = mapped_column(SafeString(OUTBOX_KEY), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    effect: Mapped[str] = mapped_column(SafeString(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(SafeString(16))  # pending | done | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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
        Index("ix_questions_community_id_status", "community_id", "status"),
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
    status: Mapped[str] = mapped_column(SafeString(16))  # posted | skipped | reminded | confirmed
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- step 5: the console's operators and the built-in web chat ------------------------------


class OperatorRow(Base):
    """Someone who signs in to the console; the password is kept as an argon2 hash only."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(SafeString(64), unique=True)
    password_hash: Mapped[str] = mapped_column(SafeString(KEY))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class ConsoleSessionRow(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(SafeString(64), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(SafeString(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiTokenRow(Base):
    """A token for the REST API (`Authorization: Bearer …`); only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    name: Mapped[str] = mapped_column(SafeString(NAME))
    token_hash: Mapped[str] = mapped_column(SafeString(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffAlertRow(Base):
    """An alert for staff (a quarrel, a violation to review, an unanswered question): the
    staff inbox. Written with the decision that raised it; `key` is the outbox key."""

    __tablename__ = "staff_alerts"
    __table_args__ = (
        Index("ix_staff_alerts_community_id_handled_at", "community_id", "handled_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    key: Mapped[str] = mapped_column(SafeString(OUTBOX_KEY), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    violation: Mapped[str | None] = mapped_column(SafeString(NAME))
    handler: Mapped[str] = mapped_column(SafeString(64))
    text: Mapped[str] = mapped_column(SafeText)
    reason: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(SafeString(NAME))


class ModerationExampleRow(Base):
    """One of the operator's own moderation decisions, kept as an example the learned scorer
    learns from: a pardoned message is ham, a message staff deleted or banned for is spam.
    `reference` names what was decided on (`message:<id>`: the message judged), so the same
    decision is stored once however often it is retried."""

    __tablename__ = "moderation_examples"
    __table_args__ = (UniqueConstraint("community_id", "source", "reference"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(SafeText)
    is_spam: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(SafeString(32))
    reference: Mapped[str] = mapped_column(SafeString(KEY))
    actor: Mapped[str] = mapped_column(SafeString(NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebChatGroupRow(Base):
    """A group on the built-in web chat: its invite code (the link members open)."""

    __tablename__ = "webchat_groups"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    invite_code: Mapped[str] = mapped_column(SafeString(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebChatUserRow(Base):
    """A web chat member's browser identity: a nickname and a cookie token (hashed)."""

    __tablename__ = "webchat_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(SafeString(64), unique=True)  # "w-…", the carrier id
    token_hash: Mapped[str] = mapped_column(SafeString(64), unique=True)
    nickname: Mapped[str] = mapped_column(SafeString(NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebChatSeatRow(Base):
    """A web chat user in a group, as the chat platform itself knows it: in or out, muted
    until when and why, banned. The engine's own memberships live in `memberships`."""

    __tablename__ = "webchat_seats"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(SafeString(64), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mute_reason: Mapped[str | None] = mapped_column(SafeText)
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ban_reason: Mapped[str | None] = mapped_column(SafeText)


class WebChatMessageRow(Base):
    """A message on the web chat, from a member or the bot (`user_id` NULL). `action_key` is
    the outbox key of a bot message, so a retried send is stored and shown once."""

    __tablename__ = "webchat_messages"
    __table_args__ = (Index("ix_webchat_messages_group_id_id", "group_id", "id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    user_id: Mapped[str | None] = mapped_column(SafeString(64))
    nickname: Mapped[str] = mapped_column(SafeString(NAME))
    kind: Mapped[str] = mapped_column(SafeString(16))  # text | picture | notice
    text: Mapped[str] = mapped_column(SafeText)
    picture: Mapped[str | None] = mapped_column(SafeString(KEY))  # stored upload's file name
    reply_to: Mapped[int | None] = mapped_column(BIG_ID)
    mentions: Mapped[list[Any]] = mapped_column(JSONDocument)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_reason: Mapped[str | None] = mapped_column(SafeText)
    action_key: Mapped[str | None] = mapped_column(SafeString(OUTBOX_KEY), unique=True)


class WebChatEventRow(Base):
    """The web chat's queue for the engine: one row per member message, join or leave,
    written in the transaction that stores what the member did and deleted once the engine
    has recorded it. A row a crash leaves behind is delivered at the next start; the engine's
    `events` (unique per group and `event_id`) make a second delivery harmless. AUTOINCREMENT
    on SQLite: ids of deleted rows are never reused, so a reader's cursor stays valid."""

    __tablename__ = "webchat_events"
    __table_args__ = (UniqueConstraint("group_id", "event_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    event_id: Mapped[str] = mapped_column(SafeString(KEY))  # the engine event's id
    kind: Mapped[str] = mapped_column(SafeString(16))  # message | join | leave
    user_id: Mapped[str] = mapped_column(SafeString(64))
    message_id: Mapped[int | None] = mapped_column(BIG_ID, ForeignKey("webchat_messages.id"))
    removed_by: Mapped[str | None] = mapped_column(SafeString(NAME))  # a leave by moderation
    mentions_bot: Mapped[bool] = mapped_column(Boolean)  # addressed to the bot, or a reply to it
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- step 6: live rollups for analytics -------------------------------------------------------

# Replies are looked up by the message they answer (question response, content engagement).
Index("ix_messages_reply_to_id", MessageRow.reply_to_id)


class ActivityDayRow(Base):
    """Messages one member sent in one group on one local day (the community's time zone),
    bumped in the transaction that records them; `questions` counts those with "?" or "？"."""

    __tablename__ = "activity_days"
    __table_args__ = (Index("ix_activity_days_group_id_day", "group_id", "day"),)

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    messages: Mapped[int] = mapped_column(Integer)
    questions: Mapped[int] = mapped_column(Integer)


class GroupDayRow(Base):
    """One group's local day: messages, stays opened and closed, staff messages, strikes."""

    __tablename__ = "group_days"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    messages: Mapped[int] = mapped_column(Integer)
    joins: Mapped[int] = mapped_column(Integer)
    leaves: Mapped[int] = mapped_column(Integer)
    staff_messages: Mapped[int] = mapped_column(Integer)
    violations: Mapped[int] = mapped_column(Integer)


class GroupDayKindRow(Base):
    """One group's local day: messages of one kind (text, picture, ...)."""

    __tablename__ = "group_day_kinds"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(SafeString(16), primary_key=True)
    messages: Mapped[int] = mapped_column(Integer)


class ReactionRow(Base):
    """A member's reaction to a message (or to a bot post: `target_event_id` is the carrier's
    id of what was reacted to, the outbox receipt for the bot's own messages)."""

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("group_id", "carrier_event_id"),
        Index("ix_reactions_group_id_target_event_id", "group_id", "target_event_id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    carrier_event_id: Mapped[str] = mapped_column(SafeString(KEY))
    target_event_id: Mapped[str] = mapped_column(SafeString(KEY))
    emoji: Mapped[str] = mapped_column(SafeString(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
