"""The console's operators, sessions and API tokens, and the built-in web chat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import JSONDocument, SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, KEY, NAME, OUTBOX_KEY, Base


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
    # How `text` is written: "markdown" (a scheduled post, shown formatted), NULL as typed
    format: Mapped[str | None] = mapped_column(SafeString(16))
    # The one member who may read it (a bot's private reply: a door code, a payment
    # reference); NULL: the whole group
    visible_to: Mapped[str | None] = mapped_column(SafeString(64))


class WebChatEventRow(Base):
    """The web chat's queue for the engine: one row per member message, join, leave or rename,
    written in the transaction that stores what the member did and deleted once the engine
    has recorded it. A row a crash leaves behind is delivered at the next start; the engine's
    `events` (unique per group and `event_id`) make a second delivery harmless. AUTOINCREMENT
    on SQLite: ids of deleted rows are never reused, so a reader's cursor stays valid."""

    __tablename__ = "webchat_events"
    __table_args__ = (UniqueConstraint("group_id", "event_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    event_id: Mapped[str] = mapped_column(SafeString(KEY))  # the engine event's id
    kind: Mapped[str] = mapped_column(SafeString(16))  # message | join | leave | rename
    user_id: Mapped[str] = mapped_column(SafeString(64))
    message_id: Mapped[int | None] = mapped_column(BIG_ID, ForeignKey("webchat_messages.id"))
    removed_by: Mapped[str | None] = mapped_column(SafeString(NAME))  # a leave by moderation
    mentions_bot: Mapped[bool] = mapped_column(Boolean)  # addressed to the bot, or a reply to it
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(SafeString(KEY))  # a join: its link's token
