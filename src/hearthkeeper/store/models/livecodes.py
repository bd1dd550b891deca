"""Live codes (活码): a community's channels, where each newcomer was sent, who arrived."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, NAME, Base


class LiveCodeRow(Base):
    """A channel's live code: one stable link (`/go/<slug>`) that never expires."""

    __tablename__ = "livecode_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    slug: Mapped[str] = mapped_column(SafeString(64), unique=True)
    label: Mapped[str] = mapped_column(SafeString(NAME))
    kind: Mapped[str] = mapped_column(SafeString(32))  # poster | partner | self_media | other
    notes: Mapped[str] = mapped_column(SafeText)
    carrier: Mapped[str] = mapped_column(SafeString(32))  # the groups it routes to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(SafeString(NAME))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LiveCodeRoutingRow(Base):
    """A newcomer sent to a group by a live code: a seat held for them until they arrive (the
    engine sees their join) or it expires. The browser keeps `token` (hashed here) in a cookie,
    so opening the link again reuses the seat."""

    __tablename__ = "livecode_routings"
    __table_args__ = (
        Index("ix_livecode_routings_group_id_expires_at", "group_id", "expires_at"),
        Index("ix_livecode_routings_client_expires_at", "client", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("livecode_channels.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    token_hash: Mapped[str] = mapped_column(SafeString(64), unique=True)
    client: Mapped[str] = mapped_column(SafeString(64))  # the client address
    routed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True: a join that carried no token took the seat (a Matrix room opened by its matrix.to
    # link); None: the arrival of the newcomer it was held for released it, or it is held.
    taken_untagged: Mapped[bool | None] = mapped_column(Boolean)


class LiveCodeArrivalRow(Base):
    """A member who joined a group by a channel's live code: one row per join event."""

    __tablename__ = "livecode_arrivals"
    __table_args__ = (Index("ix_livecode_arrivals_group_id_arrived_at", "group_id", "arrived_at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("livecode_channels.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    event_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("events.id"), unique=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
