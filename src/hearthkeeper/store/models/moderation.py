"""Moderation: strikes, sanctions, the staff inbox and the operator's own decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, KEY, NAME, OUTBOX_KEY, Base


class StrikeRow(Base):
    __tablename__ = "strikes"
    __table_args__ = (Index("ix_strikes_community_id_member_id", "community_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    violation: Mapped[str] = mapped_column(SafeString(NAME))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    event_id: Mapped[int | None] = mapped_column(BIG_ID, ForeignKey("events.id"))
    explanation: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pardoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pardoned_by: Mapped[str | None] = mapped_column(SafeString(NAME))


# Strikes taken back, by when: a running engine asks every batch which members staff pardoned
# in the last minute (`SanctionQueries.taken_back_since`), so a console pardon counts at once.
Index(
    "ix_strikes_pardoned",
    StrikeRow.community_id,
    StrikeRow.pardoned_at,
    sqlite_where=StrikeRow.pardoned_at.is_not(None),
    postgresql_where=StrikeRow.pardoned_at.is_not(None),
)


class SanctionRow(Base):
    """A mute or ban in one group, or a blacklist in one community (or, with no community,
    in all of them). Lifting keeps the row: the history of sanctions is never lost."""

    __tablename__ = "sanctions"
    __table_args__ = (
        Index("ix_sanctions_member_id_kind", "member_id", "kind"),
        Index("ix_sanctions_kind_until", "kind", "until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(SafeString(16))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reason: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(SafeString(NAME))
    lift_event_key: Mapped[str | None] = mapped_column(SafeString(OUTBOX_KEY))


# At most one sanction of a kind in force per member and scope, even when two workers
# sanction at once (NULL scopes compare equal through the COALESCE).
Index(
    "uq_sanctions_in_force",
    SanctionRow.kind,
    SanctionRow.member_id,
    func.coalesce(SanctionRow.community_id, 0),
    func.coalesce(SanctionRow.group_id, 0),
    unique=True,
    sqlite_where=SanctionRow.lifted_at.is_(None),
    postgresql_where=SanctionRow.lifted_at.is_(None),
)


# Blacklists lifted, by when (the same question as `ix_strikes_pardoned`). Not partial: the
# kind is a bound parameter, which SQLite will not match against a partial index's literal.
Index("ix_sanctions_kind_lifted_at", SanctionRow.kind, SanctionRow.lifted_at)


class StaffAlertRow(Base):
    """An alert for staff (a quarrel, a violation to review, an unanswered question): the
    staff inbox. Written with the decision that raised it; `key` is the outbox key."""

    __tablename__ = "staff_alerts"
    __table_args__ = (
        Index("ix_staff_alerts_community_id_handled_at", "community_id", "handled_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    key: Mapped[str] = mapped_column(SafeString(OUTBOX_KEY), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    violation: Mapped[str | None] = mapped_column(SafeString(NAME))
    handler: Mapped[str] = mapped_column(SafeString(64))
    text: Mapped[str] = mapped_column(SafeText)
    reason: Mapped[str] = mapped_column(SafeText)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(SafeString(NAME))


class ModerationExampleRow(Base):
    """One of the operator's own moderation decisions, kept as an example the learned scorer
    learns from: a pardoned message is ham, a message staff deleted or banned for is spam.
    `reference` names what was decided on (`message:<id>`: the message judged), so the same
    decision is stored once however often it is retried."""

    __tablename__ = "moderation_examples"
    __table_args__ = (UniqueConstraint("community_id", "source", "reference"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(SafeText)
    is_spam: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(SafeString(32))
    reference: Mapped[str] = mapped_column(SafeString(KEY))
    actor: Mapped[str] = mapped_column(SafeString(NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
