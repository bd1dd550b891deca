"""Members' reports of a message to staff (`capabilities/reports/`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, NAME, Base


class ReportedMessageRow(Base):
    """A message members reported: one row per message (the unique key), however many
    reported it; `hidden_at` once enough members in good standing did; `outcome`
    (`upheld`, `dismissed`) and who decided it once staff did."""

    __tablename__ = "reported_messages"
    __table_args__ = (
        UniqueConstraint("message_id"),
        Index("ix_reported_messages_community_id_decided_at", "community_id", "decided_at"),
        # a member's page: the messages of theirs others reported, the latest first (0054)
        Index("ix_reported_messages_author_id_at", "author_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    message_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("messages.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # the first report
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(SafeString(NAME))
    outcome: Mapped[str | None] = mapped_column(SafeString(16))


class ReportRow(Base):
    """One member's report of a reported message (one per member and message);
    `not_counted`: why it does not count toward hiding the message (`struck`, `muted`,
    `new`), None when the reporter was in good standing."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reported_id", "reporter_id"),
        Index("ix_reports_reporter_id_at", "reporter_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reported_id: Mapped[int] = mapped_column(ForeignKey("reported_messages.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reason: Mapped[str] = mapped_column(SafeText)  # the reporter's own words, bounded
    not_counted: Mapped[str | None] = mapped_column(SafeString(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
