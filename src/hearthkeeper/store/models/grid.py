"""The matrix of groups: who is in charge of which group (assigned by staff), the warnings
staff were alerted of (one row per condition while it holds), and the capacities a
playbook's per-group override wrote onto a group (so removing the override restores them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, UTCDateTime
from hearthkeeper.store.models.base import NAME, Base

CONDITION_KEY = 120  # `capacity:<group id>`, `overload:<member id>` ...


class GroupInChargeRow(Base):
    """A staff member put in charge of a group (several may share one group)."""

    __tablename__ = "groups_in_charge"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    assigned_by: Mapped[str] = mapped_column(SafeString(NAME))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GridConditionRow(Base):
    """A matrix warning staff were alerted of, open while it holds: `held_at` is the last
    watch that found it; a condition not held for a while is deleted, so it alerts again
    if it comes back."""

    __tablename__ = "grid_conditions"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    key: Mapped[str] = mapped_column(SafeString(CONDITION_KEY), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupCapacityOverrideRow(Base):
    """A group's capacity as a playbook override set it, and what it was before."""

    __tablename__ = "group_capacity_overrides"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    previous: Mapped[int | None] = mapped_column(Integer)
