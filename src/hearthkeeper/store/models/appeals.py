"""Appeals: a member asking staff to review a strike or a mute (`capabilities/appeals/`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import NAME, Base


class AppealRow(Base):
    """One appeal per strike or per mute (the unique keys); `outcome` (`upheld`, `pardoned`)
    and who decided it once staff did."""

    __tablename__ = "appeals"
    __table_args__ = (
        UniqueConstraint("strike_id"),
        UniqueConstraint("sanction_id"),
        Index("ix_appeals_community_id_decided_at", "community_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))  # where they appealed
    strike_id: Mapped[int | None] = mapped_column(ForeignKey("strikes.id"))
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    text: Mapped[str] = mapped_column(SafeText)  # the member's own words
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(SafeString(NAME))
    outcome: Mapped[str | None] = mapped_column(SafeString(16))
    note: Mapped[str | None] = mapped_column(SafeText)  # staff's words with their decision
