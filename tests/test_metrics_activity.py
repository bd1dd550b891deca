"""Activity metrics on a hand-counted fixture: messages by kind, speakers, DAU/WAU/MAU,
stickiness, speaker ratio, joins/leaves/net growth, concentration, staff share, violations."""

from __future__ import annotations

import pytest

from hearthkeeper.analytics.metrics import CommunityMetrics
from hearthkeeper.store import Store
from tests.metrics_setup import Town, at, d, town


def _fixture(t: Town) -> CommunityMetrics:
    """Group "morning", 2 to 4 March 2026 (Mon–Wed); "evening" has one message of cat's."""
    t.stay("boss", "morning", at("02-01"), role="manager")
    t.stay("ann", "morning", at("02-01"))
    t.stay("eve", "morning", at("02-01"), at("02-25"))
    t.stay("fay", "morning", at("02-01"), at("03-03", 9))  # leaves in the range
    t.stay("bob", "morning", at("03-02", 8))
    t.stay("cat", "morning", at("03-03", 8))
    t.stay("dan", "morning", at("03-04", 8))  # never posts
    t.stay("cat", "evening", at("03-01"))
    t.say("eve", "morning", at("02-20"))  # before the range: counts in MAU only
    t.say("ann", "morning", at("03-02", 9))
    t.say("ann", "morning", at("03-02", 10))
    t.say("bob", "morning", at("03-02", 11), kind="picture")
    t.say("ann", "morning", at("03-03", 9))
    t.say("boss", "morning", at("03-03", 10))
    t.say("boss", "morning", at("03-03", 11))
    t.say("cat", "morning", at("03-04", 9), kind="voice")
    t.say("ann", "morning", at("03-04", 10))
    t.say("cat", "evening", at("03-04", 11))
    t.store.add_strike(t.community_id, t.member("bob"), "advertising", "", at("03-03", 12), None,
                       group_id=t.group("morning"))  # fmt: skip
    return t.metrics("03-02", "03-04")


def test_group_totals_over_the_range(store: Store) -> None:
    t = town(store)
    m = _fixture(t).groups[t.group("morning")].total

    assert m.messages == 8  # ann 4, boss 2, bob 1, cat 1
    assert m.kinds == {"picture": 1, "text": 6, "voice": 1}
    assert m.speakers == 4  # ann, bob, boss, cat (eve's message is before the range)
    assert m.dau == pytest.approx(2.0)  # (2 + 2 + 2) / 3 days
    assert m.wau == 4  # 26 Feb .. 4 Mar: ann, bob, boss, cat
    assert m.mau == 5  # 3 Feb .. 4 Mar: eve too
    # DAU/MAU per day: 2/3 (eve, ann, bob), 2/4 (+ boss), 2/5 (+ cat); mean of the three.
    assert m.stickiness == pytest.approx((2 / 3 + 2 / 4 + 2 / 5) / 3)
    assert m.members == 5  # at the end of 4 March: boss, ann, bob, cat, dan (eve, fay left)
    assert m.speaker_ratio == pytest.approx(4 / 5)
    assert (m.joins, m.leaves, m.net_growth) == (3, 1, 2)  # bob, cat, dan in; fay out
    assert m.concentration == pytest.approx(4 / 8)  # top 10% of 4 speakers = 1 (ann: 4 of 8)
    assert m.staff_messages == 2 and m.staff_share == pytest.approx(2 / 8)  # boss's
    assert m.violations == 1 and m.violation_rate == pytest.approx(125.0)  # 1 × 1000 / 8


def test_daily_points_weeks_and_months(store: Store) -> None:
    t = town(store)
    scope = _fixture(t).groups[t.group("morning")]

    assert [(p.date, p.messages, p.active_members, p.wau, p.mau) for p in scope.daily] == [
        (d("03-02"), 3, 2, 2, 3),  # WAU 24 Feb..2 Mar: ann, bob; MAU adds eve
        (d("03-03"), 3, 2, 3, 4),
        (d("03-04"), 2, 2, 4, 5),
    ]
    assert scope.daily[1].kinds == {"text": 3} and scope.daily[1].staff_messages == 2
    assert (scope.daily[1].joins, scope.daily[1].leaves, scope.daily[1].violations) == (1, 1, 1)
    [week] = scope.weekly
    [month] = scope.monthly
    assert (week.label, week.start, week.end, week.messages) == ("2026-W10", d("03-02"),
                                                                  d("03-04"), 8)  # fmt: skip
    assert (month.label, month.messages, month.speakers) == ("2026-03", 8, 4)


def test_the_community_counts_a_member_in_two_groups_once(store: Store) -> None:
    t = town(store)
    metrics = _fixture(t)
    community, evening = metrics.community.total, metrics.groups[t.group("evening")].total

    assert (evening.messages, evening.speakers, evening.members) == (1, 1, 1)
    assert community.messages == 9  # 8 + 1
    assert community.speakers == 4  # cat spoke in both groups
    assert metrics.community.daily[2].active_members == 2  # 4 March: ann, cat
    assert community.members == 5
    assert community.concentration == pytest.approx(4 / 9)  # ann's 4 of 9
    assert community.violation_rate == pytest.approx(1000 / 9)


def test_an_empty_period_measures_zero_and_says_why_ratios_are_missing(store: Store) -> None:
    t = town(store)
    t.group("quiet")
    m = t.metrics("03-02", "03-08").community.total

    assert (m.messages, m.speakers, m.dau, m.wau, m.mau) == (0, 0, 0.0, 0, 0)
    assert m.stickiness is None and m.concentration is None and m.staff_share is None
    assert m.speaker_ratio is None and "no member" in m.notes["speaker_ratio"]


def test_weekly_actives_keep_a_member_who_also_posted_the_week_before_the_window(
    store: Store,
) -> None:
    """WAU on the first days of a period: gil posted on 17 and on 24 February; the window of
    2 March (24 Feb .. 2 Mar) holds his second message, so he counts (the earlier one, a
    week before the window, used to count him out)."""
    t = town(store)
    t.stay("gil", "morning", at("02-01"))
    t.say("gil", "morning", at("02-17"))
    t.say("gil", "morning", at("02-24"))
    daily = t.metrics("03-02", "03-04").groups[t.group("morning")].daily

    assert [(p.date, p.wau, p.mau) for p in daily] == [
        (d("03-02"), 1, 1),
        (d("03-03"), 0, 1),
        (d("03-04"), 0, 1),
    ]
