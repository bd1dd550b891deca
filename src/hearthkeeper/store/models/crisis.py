"""Crisis watch: members' alarming messages (`crisis_marks`) and the episodes staff were
alerted to (`crisis_episodes`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, KEY, NAME, OUTBOX_KEY, Base


class CrisisEpisodeRow(Base):
    """A spike of alarming messages in a group: staff were alerted once, when it started;
    `last_at` is when the spike last held (a new episode needs a quiet cooldown after it)."""

    __tablename__ = "crisis_episodes"
    __table_args__ = (Index("ix_crisis_episodes_group_id_last_at", "group_id", "last_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    messages: Mapped[int]  # members' messages in the window when it started
    alarming: Mapped[int]  # alarming ones among them
    authors: Mapped[int]  # members who said them
    baseline: Mapped[float | None] = mapped_column(Float)  # the group's usual share, if known
    bar: Mapped[float] = mapped_column(Float)  # the share the window had to reach
    alert_key: Mapped[str] = mapped_column(SafeString(OUTBOX_KEY))


class CrisisMarkRow(Base):
    """A member's message that read alarming (a panic marker, or clearly negative), kept as a
    short quote; the episode it belongs to once one opened."""

    __tablename__ = "crisis_marks"
    __table_args__ = (
        UniqueConstraint("group_id", "carrier_event_id"),
        Index("ix_crisis_marks_group_id_at", "group_id", "at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    carrier_event_id: Mapped[str] = mapped_column(SafeString(KEY))
    author: Mapped[str] = mapped_column(SafeString(NAME))
    text: Mapped[str] = mapped_column(SafeText)
    score: Mapped[float] = mapped_column(Float)
    markers: Mapped[str] = mapped_column(SafeString(NAME))  # space-separated
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("crisis_episodes.id"), index=True)
