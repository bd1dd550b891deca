"""What the weekly report reads beyond the report's own figures: the week's bans and money,
and the appeals and reports staff have still to decide; and, for `hearth alerts show`, when
the last report went. Each a small query on an index its
table has (community and time, or community and `decided_at`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from hearthkeeper.store.columns import utc
from hearthkeeper.store.models import (
    AppealRow,
    OrderRow,
    ReportedMessageRow,
    SanctionRow,
    StaffAlertRow,
)
from hearthkeeper.store.scope import StoreBase

BANS = ("ban", "blacklist")  # a ban from a group, a blacklisting from the community
_PAID = ("purchase", "renewal", "event_fee", "refund")  # what revenue counts (billing's own)


@dataclass(frozen=True)
class WeekMoney:
    """Paid membership in one week: subscriptions bought, renewed, refunds, and revenue
    (payments less refunds, event fees included) by currency."""

    new: int = 0
    renewed: int = 0
    refunded: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)


class SqlWeek(StoreBase):
    """The weekly report's own reads, in the caller's transaction (`SqlWeek.on(tx)`)."""

    def banned(self, community_id: int, since: datetime, until: datetime) -> int:
        """Members banned from a group or blacklisted from the community in [since, until)."""
        s = SanctionRow
        query = select(func.count(func.distinct(s.member_id))).where(
            s.community_id == community_id, s.kind.in_(BANS),
            s.at >= utc(since, "since"), s.at < utc(until, "until"),
        )  # fmt: skip
        with self._unit(write=False) as session:
            return int(session.scalar(query) or 0)

    def money(self, community_id: int, since: datetime, until: datetime) -> WeekMoney:
        """The ledger's orders recorded in [since, until), counted and summed."""
        o = OrderRow
        query = (
            select(o.kind, o.currency, func.count(), func.sum(o.amount))
            .where(o.community_id == community_id, o.kind.in_(_PAID),
                   o.at >= utc(since, "since"), o.at < utc(until, "until"))
            .group_by(o.kind, o.currency)
        )  # fmt: skip
        counts: dict[str, int] = {}
        revenue: dict[str, Decimal] = {}
        with self._unit(write=False) as session:
            for kind, currency, count, amount in session.execute(query):
                counts[kind] = counts.get(kind, 0) + int(count)
                revenue[currency] = revenue.get(currency, Decimal(0)) + Decimal(amount or 0)
        return WeekMoney(counts.get("purchase", 0), counts.get("renewal", 0),
                         counts.get("refund", 0), revenue)  # fmt: skip

    def last_sent(self, community_id: int, prefix: str) -> tuple[datetime, str] | None:
        """When the newest alert whose key starts with `prefix` (the weekly reports') went
        into the inbox, and its key; None when none did."""
        a = StaffAlertRow
        query = (
            select(a.at, a.key)
            .where(a.community_id == community_id, a.key.startswith(prefix, autoescape=True))
            .order_by(a.at.desc(), a.id.desc())
            .limit(1)
        )  # fmt: skip
        with self._unit(write=False) as session:
            row = session.execute(query).first()
            return None if row is None else (row.at, row.key)

    def waiting(self, community_id: int) -> tuple[int, int]:
        """Appeals and reported messages staff have not decided yet."""
        a, r = AppealRow, ReportedMessageRow
        appeals = select(func.count()).where(a.community_id == community_id,
                                             a.decided_at.is_(None))  # fmt: skip
        reports = select(func.count()).where(r.community_id == community_id,
                                             r.decided_at.is_(None))  # fmt: skip
        with self._unit(write=False) as session:
            return int(session.scalar(appeals) or 0), int(session.scalar(reports) or 0)


def sent_and_missed(statuses: Collection[str]) -> tuple[int, int]:
    """Of recorded firings' statuses, how many went out (posted, or confirmed by staff) and
    how many were missed (skipped: past their grace, or nothing left to post)."""
    sent = sum(1 for s in statuses if s in ("posted", "confirmed"))
    return sent, sum(1 for s in statuses if s == "skipped")
