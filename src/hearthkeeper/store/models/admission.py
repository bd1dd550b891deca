"""Who may join: staff's invite codes and who used them, and applications staff review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import JSONDocument, SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import KEY, NAME, Base


class InviteCodeRow(Base):
    """A code staff hand out; `uses` counts the people it let in (each once)."""

    __tablename__ = "invite_codes"
    __table_args__ = (UniqueConstraint("community_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    code: Mapped[str] = mapped_column(SafeString(64))
    label: Mapped[str] = mapped_column(SafeString(NAME))
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(SafeString(NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InviteCodeUseRow(Base):
    """One person let in by a code: once per code and person, however often they ask."""

    __tablename__ = "invite_code_uses"
    __table_args__ = (UniqueConstraint("code_id", "carrier", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("invite_codes.id"))
    carrier: Mapped[str] = mapped_column(SafeString(32))
    user_id: Mapped[str] = mapped_column(SafeString(KEY))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApplicationRow(Base):
    """An application to join a community: one per person (carrier and user id) and
    community, its answers kept; pending until staff approve or refuse it."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("community_id", "carrier", "user_id"),
        Index("ix_applications_community_id_status", "community_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))  # the group applied to
    carrier: Mapped[str] = mapped_column(SafeString(32))
    user_id: Mapped[str] = mapped_column(SafeString(KEY))
    display_name: Mapped[str] = mapped_column(SafeString(NAME))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    questions: Mapped[list[str]] = mapped_column(JSONDocument)
    answers: Mapped[list[str]] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(SafeString(16))  # pending | approved | refused
    message: Mapped[str | None] = mapped_column(SafeText)  # staff's word to the applicant
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(SafeString(NAME))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Refused: the link tokens that were kept to credit their join, by room
    # (`join_sources`), set aside so that letting them in after all credits them again.
    refused_sources: Mapped[dict[str, str] | None] = mapped_column(JSONDocument)
    # Made on a web join page: a digest of the client's network (an IPv4 address, an IPv6
    # /64) per community, so one network's pending applications hold few seats
    # (`store/rooms.py`: `PENDING_SEATS_PER_NETWORK`); None elsewhere (a Matrix knock).
    network: Mapped[str | None] = mapped_column(SafeString(64))
