"""The records `analytics.metrics` returns: a day, a period, a scope, a community."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hearthkeeper.analytics.conversion import Conversion
from hearthkeeper.analytics.engagement import KindEngagement


# DayPoint and PeriodMetrics are plain (not frozen) dataclasses: a report at a million
# messages makes 56,000 and 10,000 of them, and a frozen one takes five times as long to
# make (every field set through object.__setattr__). Nothing changes them once made.
@dataclass
class DayPoint:
    """One local day of a group (or of the community: a member in two groups counts once).
    `active_members` and `speakers` are the same number at this grain: distinct members who
    posted that day (DAU); `wau`/`mau`: distinct posters in the 7/30 days ending that day."""

    date: date
    messages: int
    active_members: int
    speakers: int
    joins: int
    leaves: int
    staff_messages: int
    violations: int
    kinds: dict[str, int]
    questions: int = 0
    wau: int = 0
    mau: int = 0

    def to_json(self) -> dict[str, Any]:
        """As `report_json.jsonable` makes any record, written out: a report at 1M messages
        has 56,000 days (tests/test_report.py checks they agree)."""
        return {
            "date": self.date.isoformat(), "messages": self.messages,
            "active_members": self.active_members, "speakers": self.speakers,
            "joins": self.joins, "leaves": self.leaves, "staff_messages": self.staff_messages,
            "violations": self.violations, "kinds": dict(self.kinds),
            "questions": self.questions, "wau": self.wau, "mau": self.mau,
        }  # fmt: skip


@dataclass
class PeriodMetrics:
    """Every metric of issue item 1 over one period (see docs/metrics.md)."""

    grain: str  # day | week | month | range
    label: str
    start: date
    end: date
    messages: int
    kinds: dict[str, int]
    speakers: int
    dau: float  # mean of the daily distinct posters
    wau: int  # at the period's last day
    mau: int  # at the period's last day
    stickiness: float | None  # mean of DAU/MAU over the days with MAU > 0
    members: int  # in the scope at the end of the period's last day
    speaker_ratio: float | None
    joins: int
    leaves: int
    net_growth: int
    concentration: float | None  # share of messages from the top 10% of speakers
    questions: int
    answered: int  # by a person
    faq_answered: int  # by the FAQ automatically, and by no person
    response_rate: float | None
    median_answer_minutes: float | None
    newcomers: int
    newcomers_posted: int
    newcomer_first_message_rate: float | None
    staff_messages: int
    staff_share: float | None
    violations: int
    violation_rate: float | None  # strikes per 1,000 messages
    checkin_members: int
    checkin_participation: float | None
    signups: Conversion
    group_buys: Conversion
    signup_conversion: float | None
    group_buy_conversion: float | None
    purchase_rate: float | None
    repurchase_rate: float | None
    content: tuple[KindEngagement, ...]  # by mean engagement, highest first
    notes: dict[str, str] = field(default_factory=dict)  # why a value is None


@dataclass(frozen=True)
class ScopeMetrics:
    """One group (`group_id`) or the whole community (`group_id` None) over the range."""

    group_id: int | None
    name: str
    total: PeriodMetrics
    daily: tuple[DayPoint, ...]
    weekly: tuple[PeriodMetrics, ...]
    monthly: tuple[PeriodMetrics, ...]


@dataclass(frozen=True)
class CommunityMetrics:
    """A community's metrics over the local days `start`..`end` in `timezone`."""

    community_id: int
    timezone: str
    start: date
    end: date
    community: ScopeMetrics
    groups: Mapping[int, ScopeMetrics]
