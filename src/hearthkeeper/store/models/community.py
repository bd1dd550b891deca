"""Communities, their groups and members, stays, playbook versions and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import JSONDocument, SafeString, SafeText, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, KEY, NAME, Base


class CommunityRow(Base):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SafeString(64), unique=True)
    name: Mapped[str] = mapped_column(SafeString(NAME))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupRow(Base):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("carrier", "carrier_group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(SafeString(NAME))
    carrier: Mapped[str] = mapped_column(SafeString(32))
    carrier_group_id: Mapped[str] = mapped_column(SafeString(KEY))
    capacity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Closed (`hearth groups close`): when, by whom, and the group its members were sent to.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(SafeString(NAME), nullable=True)
    closed_into: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MemberRow(Base):
    """A person; global across communities so that a ban can reach all of them."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(SafeString(NAME))
    profile: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    notes: Mapped[str] = mapped_column(SafeText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityRow(Base):
    __tablename__ = "member_identities"
    # `payment_code`'s default is not read back after an insert (see there)
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012

    carrier: Mapped[str] = mapped_column(SafeString(32), primary_key=True)
    carrier_user_id: Mapped[str] = mapped_column(SafeString(KEY), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The payment reference this person would be given (billing's `references.reference_code`,
    # its first attempt nobody else held): found by its index when staff record a payment
    # quoting it before it was given. NULL until derived: rows are written without it, by
    # every path that makes identities, and billing derives the missing ones when it looks one
    # up (`capabilities/billing/codes.py`). Deferred, with the database's NULL as default
    # (not read back): nothing else reads or writes it, so identities are read and written by
    # the same statements as before 0049.
    payment_code: Mapped[str | None] = mapped_column(
        SafeString(16), index=True, deferred=True, server_default=text("NULL")
    )


class TagRow(Base):
    __tablename__ = "member_tags"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(SafeString(64), primary_key=True, index=True)
    set_by: Mapped[str] = mapped_column(SafeString(NAME))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MembershipRow(Base):
    """One stay of a member in a group; leaving closes it, rejoining opens a new one."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_group_id_left_at", "group_id", "left_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    role: Mapped[str | None] = mapped_column(SafeString(64))
    level: Mapped[int | None] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# At most one open stay per member and group, even when two joins race.
Index(
    "uq_memberships_open_stay",
    MembershipRow.member_id,
    MembershipRow.group_id,
    unique=True,
    sqlite_where=MembershipRow.left_at.is_(None),
    postgresql_where=MembershipRow.left_at.is_(None),
)


class PlaybookVersionRow(Base):
    __tablename__ = "playbook_versions"
    __table_args__ = (UniqueConstraint("community_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    version: Mapped[int] = mapped_column(Integer)
    source_text: Mapped[str] = mapped_column(SafeText)
    content: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    sha256: Mapped[str] = mapped_column(SafeString(64))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_by: Mapped[str] = mapped_column(SafeString(NAME))
    # Each scheduled post the version holds → when it was added (ISO instant): the applied_at
    # of the version from which every version has held it (`playbooks.posts_added_by`), made
    # from the previous version's when this one is stored (0053). The health modules read
    # it from the latest version alone, however many versions there are.
    posts_added: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, deferred=True, server_default=text("'{}'")
    )


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_community_id_at", "community_id", "at"),
        Index("ix_audit_log_community_id_target", "community_id", "target", "at"),  # 0043
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(SafeString(NAME))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    action: Mapped[str] = mapped_column(SafeString(64))
    target: Mapped[str] = mapped_column(SafeString(KEY))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
