"""Referrals (fission): each member's invite link in a community, and who invited whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, Base

TOKEN = 32  # a link token (`ref:<token>`)


class ReferralLinkRow(Base):
    """A member's own invite link in a community: one stable token, and when the invite
    task's reward was given (once, ever)."""

    __tablename__ = "referral_links"
    __table_args__ = (UniqueConstraint("community_id", "member_id"), UniqueConstraint("token"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    token: Mapped[str] = mapped_column(SafeString(TOKEN))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rewarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReferralRow(Base):
    """A person brought into a community by a member's link: one row per invitee and
    community (the first invitation counts), pending until the stay is checked, then credited
    or revoked."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("community_id", "invitee_id"),
        Index("ix_referrals_community_id_inviter_id", "community_id", "inviter_id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    inviter_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    invitee_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the stay is checked
    status: Mapped[str] = mapped_column(SafeString(16))  # pending | credited | revoked
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
