"""What the engine records and performs once: messages, events, reactions, the outbox and
scheduled work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import JSONDocument, SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, KEY, OUTBOX_KEY, Base


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
    # Deleted by the bot (moderation, a held member's message, staff in the console): kept
    # for the record, counted by nothing that measures activity (levels, rollups, vitals).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(SafeString(64))


class MentionRow(Base):
    __tablename__ = "message_mentions"

    message_id: Mapped[int] = mapped_column(
        BIG_ID, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)


# Replies are looked up by the message they answer (question response, content engagement);
# a report reads every reply's sender and time from this index alone. Only replies are in it:
# a message that replies to nothing is never looked up here, and storing it costs no entry.
Index(
    "ix_messages_reply_to_id",
    MessageRow.reply_to_id,
    MessageRow.member_id,
    MessageRow.sent_at,
    sqlite_where=MessageRow.reply_to_id.is_not(None),
    postgresql_where=MessageRow.reply_to_id.is_not(None),
)

# A message holding one of these is a question (the report's questions and response times).
QUESTION_MARKS = ("?", "？")


def question_predicate(dialect: str) -> str:
    """SQL that is true for a message holding a question mark, as `ix_messages_questions`
    is defined: a query uses that partial index only if its WHERE holds this very text."""
    position = "instr" if dialect == "sqlite" else "strpos"
    return "(" + " OR ".join(f"{position}(text, '{mark}') > 0" for mark in QUESTION_MARKS) + ")"


# The questions of a window, in a fifth of the messages' space: the report reads them from
# this index alone instead of searching every message's text (a million at a time).
Index(
    "ix_messages_questions",
    MessageRow.group_id,
    MessageRow.sent_at,
    MessageRow.member_id,
    sqlite_where=text(question_predicate("sqlite")),
    postgresql_where=text(question_predicate("postgresql")),
    postgresql_include=["id"],
)


# The deleted messages of a window, few beside the others: a report subtracts them from
# what it reads from the indexes above, and shows how many moderation removed.
Index(
    "ix_messages_deleted",
    MessageRow.group_id,
    MessageRow.sent_at,
    sqlite_where=MessageRow.deleted_at.is_not(None),
    postgresql_where=MessageRow.deleted_at.is_not(None),
)


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


class OutboxRow(Base):
    """An action decided and still to perform (or performed): each `key` is performed once."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_priority_id", "status", "priority", "id"),
        # a group's recent replies (the FAQ's cooldown read back after a restart)
        Index("ix_outbox_group_id_created_at", "group_id", "created_at"),
    )

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
    # The worker (`store/cluster.py`) whose claim this is; NULL: a process on its own.
    claimed_by: Mapped[int | None] = mapped_column(Integer)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt: Mapped[str | None] = mapped_column(SafeString(KEY))
    last_error: Mapped[str | None] = mapped_column(SafeText)
    # What the carrier performed of it so far, kept across a restart (0040): a long text's
    # parts sent, their message ids in order. NULL: nothing recorded (most items).
    progress: Mapped[list[str] | None] = mapped_column(JSONDocument)
    # How many times a platform's rate limit made it wait, not counted in `attempts` (0045).
    rate_waits: Mapped[int] = mapped_column(Integer, server_default=text("0"))


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
