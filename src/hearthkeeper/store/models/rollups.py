"""Live rollups for analytics, bumped in the transaction that records a batch."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, UTCDateTime
from hearthkeeper.store.models.base import Base


class ActivityDayRow(Base):
    """Messages one member sent in one group on one local day (the community's time zone),
    bumped in the transaction that records them; `questions` counts those with "?" or "？"."""

    __tablename__ = "activity_days"
    __table_args__ = (
        # On SQLite (migration 0044) the table is stored in its primary key, in the order
        # (group, day, member): one group's days are read from the table itself, and each
        # message's bump writes one row and `ix_activity_days_day`'s entry, no third copy.
        # PostgreSQL keeps the key (group, member, day) and this index for one group's days.
        Index("ix_activity_days_group_id_day", "group_id", "day").ddl_if(dialect="postgresql"),
        # A report of many groups reads their rows in order of day from this index alone
        # (no sort, no look-up of each row in the table).
        Index("ix_activity_days_day", "day", "group_id", "member_id", "messages", "questions"),
        {"sqlite_with_rowid": False},
    )

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    messages: Mapped[int] = mapped_column(Integer)
    questions: Mapped[int] = mapped_column(Integer)


class GroupDayRow(Base):
    """One group's local day: messages, stays opened and closed, staff messages, strikes."""

    __tablename__ = "group_days"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    messages: Mapped[int] = mapped_column(Integer)
    joins: Mapped[int] = mapped_column(Integer)
    leaves: Mapped[int] = mapped_column(Integer)
    staff_messages: Mapped[int] = mapped_column(Integer)
    violations: Mapped[int] = mapped_column(Integer)


class GroupDayKindRow(Base):
    """One group's local day: messages of one kind (text, picture, ...)."""

    __tablename__ = "group_day_kinds"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(SafeString(16), primary_key=True)
    messages: Mapped[int] = mapped_column(Integer)


class UncountedImportRow(Base):
    """A group whose imported messages are not all in its rollups: those recorded from
    `since` on were stored by an import that did not get to rebuild them (it stopped: a
    crash, a bad group later in the file). Written by each import chunk, deleted when the
    group's rollups are rebuilt for every day."""

    __tablename__ = "uncounted_imports"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
