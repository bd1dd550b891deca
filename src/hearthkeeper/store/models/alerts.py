"""Staff alerts held during the community's quiet hours, until they go out together."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import JSONDocument, SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, OUTBOX_KEY, Base


class HeldAlertRow(Base):
    """A staff alert that came in quiet hours: kept (once per alert `key`, the outbox key of
    the alert) until `release_at`, then sent to its recipients in one digest and marked
    released."""

    __tablename__ = "held_alerts"
    __table_args__ = (
        Index("ix_held_alerts_community_id_released_at", "community_id", "released_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    key: Mapped[str] = mapped_column(SafeString(OUTBOX_KEY), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    text: Mapped[str] = mapped_column(SafeText)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    release_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The roles it is for, when not the community's alert recipients (an application's: the
    # reviewers); None: those `alerts.recipients` names when the digest goes out.
    recipients: Mapped[list[str] | None] = mapped_column(JSONDocument, nullable=True)
