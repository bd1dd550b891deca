"""The weekly report's words (pure): Chinese for a Chinese community, ten warned groups named
and the rest counted, no money line without plans, and when it is due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.analytics.heat import HeatWarning
from hearthkeeper.capabilities.health.weekly import latest_due, next_due
from hearthkeeper.capabilities.health.weekly_figures import NewGroup, WeekFigures
from hearthkeeper.capabilities.health.weekly_reads import WeekMoney
from hearthkeeper.capabilities.health.weekly_text import weekly_text
from hearthkeeper.playbook import PlaybookError, parse_playbook
from hearthkeeper.playbook.business import WeeklyReport
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.summary import summarise
from tests.playbook_samples import MINIMAL


def warned(n: int) -> HeatWarning:
    return HeatWarning(group_id=n, name=f"茶友{n}群", as_of=date(2026, 11, 15), warning=True,
                       energy_falls=True, activity_decays=True, days_without_output=5,
                       reasons=(), actions=(), headline=f"Messages fell: {n} this week.")  # fmt: skip


FIGURES = WeekFigures(
    community="茶友会", slug="tea", start=date(2026, 11, 9), end=date(2026, 11, 15),
    messages=120, messages_before=160, active=30, active_before=30, joins=12, leaves=3,
    newcomers_before=8, newcomers_before_spoke=3, deleted=4, strikes=5, banned=1,
    appeals_waiting=2, reports_waiting=0,
    money=WeekMoney(new=3, renewed=2, refunded=1, revenue={"CNY": Decimal("1196.00")}),
    currency="CNY", posts_sent=13, posts_missed=1, warned=tuple(warned(n) for n in range(1, 13)),
)  # fmt: skip


def test_a_chinese_community_s_first_weeks_say_the_days_it_had() -> None:
    first = replace(FIGURES, start=date(2026, 11, 12), days=4, days_before=0)
    assert weekly_text(first, Language.ZH_CN).splitlines()[:4] == [
        "📊 茶友会 周报（2026-11-12 – 2026-11-15，首周：目前 4 天）",
        "消息：120 条",
        "活跃成员：30 人",
        "加入 12，退出 3",
    ]
    second = replace(FIGURES, days_before=4)
    assert weekly_text(second, Language.ZH_CN).splitlines()[1:3] == [
        "消息：120 条（上周 160，仅开放 4 天）",
        "活跃成员：30 人（上周 30，仅开放 4 天）",
    ]


def test_a_chinese_community_reads_it_in_chinese_ten_groups_named() -> None:
    assert weekly_text(FIGURES, Language.ZH_CN).splitlines() == [
        "📊 茶友会 周报（2026-11-09 – 2026-11-15）",
        "消息：120 条（上周 160，-25%）",
        "活跃成员：30 人（上周 30）",
        "加入 12，退出 3；上周新成员 8 人中 3 人在入群一周内发言（38%）",
        "→ 控制台 Health 页 · hearth report --community tea",
        "管理：撤回 4 条，违规 5 次，封禁 1 人；待处理：申诉 2 条，举报 0 条",
        "→ 控制台 Inbox 页 · hearth appeals list --open --community tea",
        "收入：新购 3，续费 2，退款 1；净收入 1196.00 CNY",
        "→ 控制台 Billing 页 · hearth billing list --orders --community tea",
        "定时内容：已发 13 条，错过 1 条",
        "→ hearth posts --community tea",
        "热寂预警：12 个群",
        *[f"-「茶友{n}群」：Messages fell: {n} this week." for n in range(1, 11)],
        "……另有 2 个群",
        "→ 控制台 Health 页 · hearth report --community tea",
    ]


def test_without_plans_no_money_line_and_without_warnings_none_said() -> None:
    quiet = replace(FIGURES, money=None, warned=(), messages_before=0, newcomers_before=0)
    text = weekly_text(quiet, Language.EN)
    assert "Money" not in text and "billing" not in text
    lines = text.splitlines()
    assert lines[1] == "Messages: 120 (week before 0)", "no percentage against nothing"
    assert lines[3] == "Joined 12, left 3; nobody new the week before"
    assert lines[-1] == "Heat-death warning: none"


def test_due_on_the_named_day_and_time_in_community_time_across_a_clock_change() -> None:
    friday = WeeklyReport(day="fri", at="17:30")
    london = ZoneInfo("Europe/London")  # clocks go back on Sunday 25 October 2026
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # Saturday
    assert latest_due(friday, london, now) == datetime(2026, 10, 23, 17, 30, tzinfo=london)
    assert next_due(friday, london, now) == datetime(2026, 10, 30, 17, 30, tzinfo=london)
    assert next_due(friday, london, now).astimezone(UTC).hour == 17, "17:30 GMT after the change"
    monday = WeeklyReport()
    at_nine = datetime(2026, 11, 16, 9, 0, tzinfo=london)
    assert latest_due(monday, london, at_nine) == at_nine, "due at 09:00 sharp"
    assert next_due(monday, london, at_nine) == datetime(2026, 11, 23, 9, 0, tzinfo=london)


def weekly_line(extra: str = "") -> str:
    pb = parse_playbook(MINIMAL + extra).playbook
    [line] = [line for el in summarise(pb) for line in el.lines if line.startswith("Weekly")]
    return line


def test_playbook_show_says_when_it_goes_and_where_and_that_it_can_be_off() -> None:
    assert weekly_line().startswith("Weekly report: every Monday at 09:00 (Europe/London), the "
                                    "seven days before against the week before them")  # fmt: skip
    assert weekly_line("alerts:\n  staff_group: 员工群\n  direct: false\n").endswith(
        "heat-death warnings; to the console's inbox and the staff channel 员工群"
    )
    assert weekly_line("alerts:\n  weekly_report: {day: 星期五, at: '7:05'}\n").startswith(
        "Weekly report: every Friday at 07:05 (Europe/London)"
    )
    assert weekly_line("alerts:\n  weekly_report: {enabled: false}\n").startswith(
        "Weekly report: off (alerts.weekly_report.enabled: false)"
    )


def test_a_bad_day_or_time_is_located() -> None:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(MINIMAL + "alerts:\n  weekly_report:\n    day: Mondag\n    at: '24:00'\n",
                       "pb.yaml")  # fmt: skip
    assert [str(p) for p in info.value.problems] == [
        "pb.yaml:12:10: alerts.weekly_report.day: 'Mondag' is not a day of the week: write "
        "monday … sunday (mon … sun), or 周一 … 周日",
        "pb.yaml:13:9: alerts.weekly_report.at: '24:00' is not a time of day: write HH:MM "
        "from 00:00 to 23:59, e.g. 09:00",
    ]


def test_new_groups_are_named_in_chinese_ten_then_counted() -> None:
    fresh = tuple(NewGroup(id=n, name=f"茶友{n}群", opened=date(2026, 11, 12), days=4,
                           messages=n, active=1) for n in range(1, 12))  # fmt: skip
    lines = weekly_text(replace(FIGURES, new_groups=fresh), Language.ZH_CN).splitlines()
    at = lines.index("本周新群：11 个（上周还没有）")
    assert lines[at - 1].startswith("加入 12，退出 3")
    assert lines[at + 1] == "-「茶友1群」：2026-11-12 开群（4 天），消息 1 条，活跃成员 1 人"
    assert lines[at + 11:at + 13] == ["……另有 1 个新群",
                                      "→ 控制台 Health 页 · hearth report --community tea"]  # fmt: skip
    assert "新群" not in weekly_text(FIGURES, Language.ZH_CN)
