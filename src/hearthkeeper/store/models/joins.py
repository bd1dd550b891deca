"""Which link brought someone who is on their way into a group: remembered when a carrier lets
them in by a way whose join will not say it (the bot invites a Matrix ID typed on the join
page; a Telegram join request approved by staff in the app), read when their join arrives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, UTCDateTime
from hearthkeeper.store.models.base import KEY, Base

SOURCE = 200  # the longest link token kept (`code:<slug>`, `ref:<token>`)


class JoinSourceRow(Base):
    """The link token a person came by to a group (the carrier's ids: a room, a user), until
    their join takes it (`join_event`: the join that did, so a join read again finds it again
    and a later one does not) or it expires."""

    __tablename__ = "join_sources"
    __table_args__ = (Index("ix_join_sources_expires_at", "expires_at"),)

    carrier: Mapped[str] = mapped_column(SafeString(32), primary_key=True)
    room: Mapped[str] = mapped_column(SafeString(KEY), primary_key=True)
    user_id: Mapped[str] = mapped_column(SafeString(KEY), primary_key=True)
    source: Mapped[str] = mapped_column(SafeString(SOURCE))
    remembered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    join_event: Mapped[str | None] = mapped_column(SafeString(KEY))
