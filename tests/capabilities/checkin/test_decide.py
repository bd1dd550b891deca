"""What a check-in earns and says, decided without a store: rewards and milestones, the
leaderboard, the daily summary and when it is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hearthkeeper.capabilities.checkin.decide import (
    Award,
    decide_record,
    local_day,
    rank_text,
    summary_due,
    summary_text,
)
from hearthkeeper.capabilities.checkin.repository import Ranked
from hearthkeeper.capabilities.checkin.requests import CheckInSummary
from hearthkeeper.playbook.mechanisms import CheckIn, Milestone
from hearthkeeper.playbook.positioning import Language

EN, ZH = Language.EN, Language.ZH_CN
SETTINGS = CheckIn(points=2, milestones=[Milestone(days=3, points=10, title="Early Bird")])


def test_a_second_check_in_the_same_day_earns_nothing() -> None:
    done = decide_record(SETTINGS, created=False, streak=4, position=1, paying=True,
                         nickname="mei", lang=EN)  # fmt: skip
    assert not done.counted and done.awards == () and done.titles == ()
    assert done.reply == "mei, you already checked in today: 4-day streak. See you tomorrow!"


def test_a_check_in_earns_its_points_and_a_milestone_its_reward_and_title() -> None:
    plain = decide_record(SETTINGS, created=True, streak=2, position=5, paying=True,
                          nickname="mei", lang=EN)  # fmt: skip
    assert plain.awards == (Award(2, "check-in"),)
    assert plain.reply == "✅ mei checked in: #5 today, 2-day streak, +2 points"
    third = decide_record(SETTINGS, created=True, streak=3, position=1, paying=True,
                          nickname="mei", lang=EN)  # fmt: skip
    assert third.awards == (Award(2, "check-in"), Award(10, "check-in streak 3 days"))
    assert third.titles == ("Early Bird",)
    assert third.reply.splitlines()[1] == (
        "🏅 3 days in a row! +10 points, you earned the title 'Early Bird'"
    )


def test_without_points_a_milestone_still_gives_its_title() -> None:
    done = decide_record(SETTINGS, created=True, streak=3, position=1, paying=False,
                         nickname="小鹿", lang=ZH)  # fmt: skip
    assert done.awards == () and done.titles == ("Early Bird",)
    assert (
        done.reply
        == "✅ 小鹿 打卡成功！今日第 1 位，已连续打卡 3 天\n🏅 连续打卡 3 天达成！获得头衔「Early Bird」"
    )


def test_the_leaderboard_and_the_summary() -> None:
    assert rank_text([], [], EN).startswith("Nobody has checked in yet")
    board = rank_text([Ranked(1, "mei", 3)], [Ranked(1, "mei", 1)], EN)
    assert board.splitlines() == [
        "🏆 Top streaks", "1. mei 3 days", "📅 Check-ins this month", "1. mei 1 check-in",
    ]  # fmt: skip
    assert summary_text(2, [Ranked(1, "mei", 2), Ranked(2, "bob", 1)], EN) == (
        "📊 2 checked in today. Longest streaks: mei 2 days, bob 1 day. Keep it up tomorrow!"
    )
    assert summary_text(1, [], ZH) == "📊 今日打卡 1 人。明天继续加油！"


def test_the_summary_is_due_today_until_its_time_has_passed() -> None:
    day = date(2026, 5, 1)
    before = datetime(2026, 5, 1, 19, 0, tzinfo=UTC)  # 20:00 in London
    assert summary_due(day, time(21), "Europe/London", before) == (
        day,
        datetime(2026, 5, 1, 20, 0, tzinfo=UTC),
    )
    after = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)
    next_day, due = summary_due(day, time(21), "Europe/London", after)
    assert (next_day, due) == (date(2026, 5, 2), datetime(2026, 5, 2, 20, 0, tzinfo=UTC))
    assert local_day(datetime(2026, 5, 1, 16, 30, tzinfo=UTC), "Asia/Shanghai") == date(2026, 5, 2)


def test_summary_rows_already_scheduled_still_run() -> None:
    stored = {"day": "2026-05-01"}  # what checkin.summary rows have always held
    assert CheckInSummary.effect == "checkin.summary"
    assert CheckInSummary.from_payload(stored) == CheckInSummary(day=date(2026, 5, 1))
    assert CheckInSummary(day=date(2026, 5, 1)).to_payload() == stored
