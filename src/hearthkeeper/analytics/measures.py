"""Measuring one scope (a group, or the whole community) over days, weeks, months and the
range, from inputs read once (`Inputs`). Pure: no store access here."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.conversion import ORDERS_NOT_MEASURED, conversion
from hearthkeeper.analytics.engagement import rank_content
from hearthkeeper.analytics.metric_records import DayPoint, PeriodMetrics, ScopeMetrics
from hearthkeeper.analytics.periods import Period, days, months, weeks, whole
from hearthkeeper.analytics.responses import stats_of, wait
from hearthkeeper.capabilities.calendar.records import PostResponse
from hearthkeeper.store import (
    ActivityDay,
    GroupDay,
    GroupDayKind,
    QuestionTiming,
    SignUpReach,
    Stay,
)
from hearthkeeper.store.rollups import local_day, local_midnight

_MEMBER, _DAY, _MESSAGES, _QUESTIONS = itemgetter(1), itemgetter(2), itemgetter(3), itemgetter(4)
NEWCOMER_DAYS = 7  # the join day and the six after it
TOP_TENTHS = 1  # concentration: the top 10% (one tenth) of speakers


@dataclass(frozen=True)
class Inputs:
    """What `group_metrics` read from the store, for every group at once."""

    zone: ZoneInfo
    start: date
    end: date
    activity: Sequence[ActivityDay]  # start - 29 days .. end + 6 days
    days: Sequence[GroupDay]
    kinds: Sequence[GroupDayKind]
    stays: Sequence[Stay]
    questions: Sequence[QuestionTiming]
    checkins: Sequence[tuple[int | None, int, date]]
    signups: Sequence[SignUpReach]
    posts: Sequence[PostResponse]

    @cached_property
    def parts(self) -> dict[int | None, _Part]:
        """The inputs split by group, once (check-ins outside any group under None)."""
        parts: dict[int | None, _Part] = {}

        def part(group_id: int | None) -> _Part:
            return parts.setdefault(group_id, _Part())

        activity: dict[int, list[ActivityDay]] = {}
        for a in self.activity:  # the largest input: one dict look-up a row
            rows = activity.get(a.group_id)
            if rows is None:
                rows = activity[a.group_id] = part(a.group_id).activity
            rows.append(a)
        for d in self.days:
            part(d.group_id).days.append(d)
        for k in self.kinds:
            part(k.group_id).kinds.append(k)
        for s in self.stays:
            part(s.group_id).stays.append(s)
        zone = self.zone
        for q in self.questions:  # aware times from the store: their local day directly
            part(q.group_id).questions.append((q.asked_at.astimezone(zone).date(), wait(q)))
        for g, m, day in self.checkins:
            part(g).checkins.append((day, m))
        for r in self.signups:
            part(r.group_id).signups.append((local_day(r.started_at, self.zone), r))
        for p in self.posts:
            part(p.group_id).posts.append((local_day(p.sent_at, self.zone), p))
        return parts


@dataclass
class _Part:
    """One group's share of the inputs (days already local)."""

    activity: list[ActivityDay] = field(default_factory=list)
    days: list[GroupDay] = field(default_factory=list)
    kinds: list[GroupDayKind] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    questions: list[tuple[date, float | None]] = field(default_factory=list)  # minutes waited
    checkins: list[tuple[date, int]] = field(default_factory=list)
    signups: list[tuple[date, SignUpReach]] = field(default_factory=list)
    posts: list[tuple[date, PostResponse]] = field(default_factory=list)


class _Scope:
    """One scope's inputs, indexed by local day."""

    def __init__(self, inputs: Inputs, groups: Collection[int], community: bool) -> None:
        zone = inputs.zone
        self.inputs = inputs
        empty = _Part()
        parts = [inputs.parts.get(g, empty) for g in sorted(groups)]
        # Plain dicts, not Counters: this loop sees every rollup row of the scope.
        posters: dict[date, dict[int, int]] = {}
        asked: dict[date, int] = {}
        if len(parts) == 1:  # one group: a member has one row a day, rows in order of day
            for day, rows in groupby(parts[0].activity, key=_DAY):
                on = list(rows)
                posters[day] = dict(zip(map(_MEMBER, on), map(_MESSAGES, on), strict=True))
                asked[day] = sum(map(_QUESTIONS, on))
        else:
            for p in parts:
                for _, member, day, messages, questions in p.activity:
                    on_day = posters.get(day)
                    if on_day is None:
                        on_day = posters[day] = {}
                        asked[day] = 0
                    on_day[member] = on_day.get(member, 0) + messages
                    asked[day] += questions
        self.posters = posters
        self.asked_rollup = asked
        self.totals: dict[date, list[int]] = {}
        for d in (d for p in parts for d in p.days):
            row = self.totals.setdefault(d.day, [0, 0, 0, 0, 0])
            for i, n in enumerate((d.messages, d.joins, d.leaves, d.staff_messages,
                                   d.violations)):  # fmt: skip
                row[i] += n
        self.kinds: dict[date, Counter[str]] = {}
        for k in (k for p in parts for k in p.kinds):
            on_day_kinds = self.kinds.get(k.day)
            if on_day_kinds is None:
                on_day_kinds = self.kinds[k.day] = Counter()
            on_day_kinds[k.kind] += k.messages
        self.stays = sorted((s for p in parts for s in p.stays), key=lambda s: s.joined_at)
        self.first_join: dict[int, date] = {}
        for s in self.stays:  # in order of joining: the first one seen is the first
            self.first_join.setdefault(s.member_id, local_day(s.joined_at, zone))
        self.asked: dict[date, int] = {}  # questions asked per day
        self.waits: dict[date, list[float]] = {}  # minutes to the first answer, per day
        for p in parts:
            for day, minutes in p.questions:
                self.asked[day] = self.asked.get(day, 0) + 1
                if minutes is not None:
                    self.waits.setdefault(day, []).append(minutes)
        outside = inputs.parts.get(None, empty).checkins if community else []
        self.checkins = [c for p in parts for c in p.checkins] + outside
        self.signups = [r for p in parts for r in p.signups]
        self.posts = [r for p in parts for r in p.posts]
        self.wau, self.mau = _windows(self.posters, inputs.start, inputs.end)

    def members_at_end_of(self, day: date) -> set[int]:
        """Members with a stay open at the end of local day `day`."""
        instant = local_midnight(day + timedelta(days=1), self.inputs.zone)
        return {s.member_id for s in self.stays if s.joined_at < instant
                and (s.left_at is None or s.left_at >= instant)}  # fmt: skip


def _windows(posters: dict[date, dict[int, int]], start: date,
             end: date) -> tuple[dict[date, int], dict[date, int]]:  # fmt: skip
    """Distinct posters in the 7 and the 30 days ending on each day of start..end.

    Only days counted in are counted out: before step 13, a member who posted on a day
    before the first window (a week before it, for WAU) was counted out on the window's
    first days even if they posted in it too."""
    found: list[dict[date, int]] = []
    for width in (7, 30):
        seen: dict[int, int] = {}  # member → days present in the window
        counts: dict[date, int] = {}
        first = start - timedelta(days=width - 1)
        for day in days(first, end):
            for member in posters.get(day, ()):
                seen[member] = seen.get(member, 0) + 1
            left_day = day - timedelta(days=width)
            for member in posters.get(left_day, ()) if left_day >= first else ():
                left = seen.get(member, 0) - 1
                if left > 0:
                    seen[member] = left
                else:
                    seen.pop(member, None)
            if day >= start:
                counts[day] = len(seen)
        found.append(counts)
    return found[0], found[1]


def measure_scope(inputs: Inputs, groups: Collection[int], group_id: int | None, name: str, *,
                  community: bool = False) -> ScopeMetrics:  # fmt: skip
    """Daily points, weekly, monthly and whole-range metrics of one scope."""
    scope = _Scope(inputs, groups, community)
    daily = tuple(_day_point(scope, day) for day in days(inputs.start, inputs.end))
    return ScopeMetrics(
        group_id, name, _measure(scope, whole(inputs.start, inputs.end)), daily,
        tuple(_measure(scope, p) for p in weeks(inputs.start, inputs.end)),
        tuple(_measure(scope, p) for p in months(inputs.start, inputs.end)),
    )  # fmt: skip


def _day_point(scope: _Scope, day: date) -> DayPoint:
    totals = scope.totals.get(day, [0, 0, 0, 0, 0])
    posters = len(scope.posters.get(day, ()))
    return DayPoint(day, totals[0], posters, posters, totals[1], totals[2], totals[3], totals[4],
                    dict(sorted(scope.kinds.get(day, Counter()).items())),
                    scope.asked_rollup.get(day, 0), scope.wau[day], scope.mau[day])  # fmt: skip


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _measure(scope: _Scope, period: Period) -> PeriodMetrics:
    notes: dict[str, str] = {}
    span = days(period.start, period.end)
    sums = [sum(scope.totals.get(d, [0] * 5)[i] for d in span) for i in range(5)]
    messages, joins, leaves, staff, violations = sums
    by_member: dict[int, int] = {}
    kinds: Counter[str] = Counter()
    for d in span:
        for member, n in scope.posters.get(d, {}).items():
            by_member[member] = by_member.get(member, 0) + n
        on_day_kinds = scope.kinds.get(d)
        if on_day_kinds:
            kinds.update(on_day_kinds)
    stuck = [len(scope.posters.get(d, ())) / scope.mau[d] for d in span if scope.mau[d]]
    members = len(scope.members_at_end_of(period.end))
    if not members:
        notes["speaker_ratio"] = (
            "no member was in the scope at the period's end (no joins recorded)"
        )
    answers = stats_of(sum(scope.asked.get(d, 0) for d in span),
                       [w for d in span for w in scope.waits.get(d, ())])  # fmt: skip
    newcomers = [m for m, d in scope.first_join.items() if period.holds(d)]
    posted = [m for m in newcomers if _posted_within(scope, m, scope.first_join[m])]
    if newcomers and period.end + timedelta(days=NEWCOMER_DAYS - 1) > scope.inputs.end:
        notes["newcomer_first_message_rate"] = (
            "some newcomers joined less than 7 days before the end of the range"
        )
    checked = {m for d, m in scope.checkins if period.holds(d)}
    reach = [s for d, s in scope.signups if period.holds(d)]
    signups, buys = conversion(reach, group_buy=False), conversion(reach, group_buy=True)
    notes["purchase_rate"] = notes["repurchase_rate"] = ORDERS_NOT_MEASURED
    return PeriodMetrics(
        grain=period.grain, label=period.label, start=period.start, end=period.end,
        messages=messages, kinds=dict(sorted(kinds.items())), speakers=len(by_member),
        dau=sum(len(scope.posters.get(d, ())) for d in span) / len(span),
        wau=scope.wau[period.end], mau=scope.mau[period.end],
        stickiness=sum(stuck) / len(stuck) if stuck else None,
        members=members, speaker_ratio=_share(len(by_member), members),
        joins=joins, leaves=leaves, net_growth=joins - leaves,
        concentration=_concentration(by_member),
        questions=answers.questions, answered=answers.answered, response_rate=answers.rate,
        median_answer_minutes=answers.median_minutes,
        newcomers=len(newcomers), newcomers_posted=len(posted),
        newcomer_first_message_rate=_share(len(posted), len(newcomers)),
        staff_messages=staff, staff_share=_share(staff, messages),
        violations=violations,
        violation_rate=None if not messages else violations * 1000 / messages,
        checkin_members=len(checked), checkin_participation=_share(len(checked), members),
        signups=signups, group_buys=buys,
        signup_conversion=signups.rate, group_buy_conversion=buys.rate,
        purchase_rate=None, repurchase_rate=None,
        content=rank_content(p for d, p in scope.posts if period.holds(d)),
        notes=notes,
    )  # fmt: skip


def _concentration(by_member: dict[int, int]) -> float | None:
    """Share of messages from the top 10% of speakers (rounded up, at least one)."""
    total = sum(by_member.values())
    if not total:
        return None
    top = max(1, -(-len(by_member) * TOP_TENTHS // 10))  # ceil in integers: no 0.1 * 30 > 3
    return sum(heapq.nlargest(top, by_member.values())) / total


def _posted_within(scope: _Scope, member: int, joined: date) -> bool:
    return any(member in scope.posters.get(joined + timedelta(days=n), ())
               for n in range(NEWCOMER_DAYS))  # fmt: skip
