"""The key-member watch's pure parts, without a database: when the next watch runs and which
silent key members staff hear of, under which key."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hearthkeeper.analytics.heat import HeatWarning
from hearthkeeper.analytics.segments import Placed, Segment
from hearthkeeper.analytics.vitals import SilentKey
from hearthkeeper.capabilities.health.watch import (
    Gap,
    HealthWatch,
    Silent,
    Spell,
    alerts,
    gap_alert,
    heat_alert,
    newly_warned,
    next_watch,
)
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.handler import GroupView
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group

LONDON = ZoneInfo("Europe/London")
GROUP = Group(id=2, community_id=1, name="Tea 1", carrier="fake", carrier_group_id="tea-1",
              capacity=None, created_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
WATCH = replace(GROUP, id=9, name="Tea 0", carrier_group_id="tea-0")  # the watch runs in it


def _silent(member_id: int, last: date | None) -> SilentKey:
    placed = Placed(member_id=member_id, segment=Segment.SILENT, last_active=last,
                    silent_days=None if last is None else 9, active_days_28=0, key=True)  # fmt: skip
    return SilentKey(placed=placed, name=f"member {member_id}", group_id=GROUP.id)


def test_the_next_watch_is_today_until_half_past_nine_community_time() -> None:
    assert next_watch(LONDON, datetime(2026, 5, 2, 8, 29, tzinfo=UTC)) == date(2026, 5, 2)
    assert next_watch(LONDON, datetime(2026, 5, 2, 8, 30, tzinfo=UTC)) == date(2026, 5, 3)
    assert HealthWatch.from_payload({"day": "2026-05-03"}) == HealthWatch(day=date(2026, 5, 3))


def test_each_silence_spell_alerts_staff_in_the_group_last_active_in() -> None:
    found = alerts(Language.EN, 1, [
        Silent(_silent(5, date(2026, 4, 20)), GROUP, "lin"),
        Silent(_silent(6, date(2026, 4, 21)), None, None),  # the group is gone
        Silent(_silent(7, None), GROUP, None),  # never posted: no spell to name
    ])  # fmt: skip
    [alert] = found
    assert (alert.kind, alert.group, alert.member) == (ActionKind.ALERT_STAFF, "tea-1", "lin")
    assert alert.key == "health:silent:1:5:2026-04-20"
    assert alert.text is not None and alert.text.startswith(
        "Key member member 5 has been silent since 2026-04-20 (9 days)")  # fmt: skip


def _heat(group_id: int, warning: bool) -> HeatWarning:
    return HeatWarning(group_id=group_id, name=f"Tea {group_id}", as_of=date(2026, 4, 30),
                       warning=warning, energy_falls=warning, activity_decays=warning,
                       days_without_output=5, reasons=(),
                       actions=(f"Post in Tea {group_id}.", "Ask the experts.", "Third."),
                       headline=f"Messages fell: {group_id} this week vs 30/week over the "
                                "four weeks before." if warning else None)  # fmt: skip


def test_only_groups_newly_warned_are_news() -> None:
    """Warned today and not the day before: a warning that goes on is no news, one that comes
    back after a day without is, and a group not warned today never is."""
    today = [_heat(1, True), _heat(2, True), _heat(3, False), _heat(4, True)]
    started = newly_warned(today, before={2, 3})
    assert [w.group_id for w in started] == [1, 4]
    assert newly_warned(today, before={1, 2, 4}) == []


def test_one_group_warned_is_told_in_it_with_its_reason_and_two_actions() -> None:
    [warning] = newly_warned([_heat(2, True)], before=set())
    alert = heat_alert(Language.EN, 1, date(2026, 4, 30), [warning], {2: GROUP}, WATCH)
    assert alert is not None
    assert (alert.kind, alert.carrier, alert.group) == (ActionKind.ALERT_STAFF, "fake", "tea-1")
    assert alert.text == ("Heat-death warning for Tea 2: Messages fell: 2 this week vs 30/week "
                          "over the four weeks before. What to do: Post in Tea 2. Ask the "
                          "experts.")  # fmt: skip
    assert alert.key == "health:heat:1:2:2026-04-30"
    imported = replace(GROUP, carrier="import:csv", carrier_group_id="club/微信1群")
    there = heat_alert(Language.ZH_CN, 1, date(2026, 4, 30), [warning], {2: imported}, WATCH)
    assert there is not None and (there.carrier, there.group) == ("fake", "tea-0"), (
        "an imported history has no chat: the alert goes to the watch's group"
    )
    assert there.text is not None and there.text.startswith("「Tea 2」出现热寂预警：Messages fell")
    assert heat_alert(Language.EN, 1, date(2026, 4, 30), [], {2: GROUP}, WATCH) is None


def test_forty_groups_warned_on_one_day_are_one_alert_naming_ten() -> None:
    started = [_heat(n, True) for n in range(1, 41)]
    alert = heat_alert(Language.EN, 1, date(2026, 4, 30), started, {}, WATCH)
    assert alert is not None and alert.text is not None
    lines = alert.text.splitlines()
    assert lines[0] == "Heat-death warning for 40 groups:"
    assert lines[1] == ("- Tea 1: Messages fell: 1 this week vs 30/week over the four weeks "
                        "before.")  # fmt: skip
    assert [line.split(":")[0] for line in lines[1:11]] == [f"- Tea {n}" for n in range(1, 11)]
    assert lines[11] == "… and 30 more"
    assert (alert.group, alert.key) == ("tea-0", "health:heat:1:2026-04-30")


def test_what_came_and_went_while_the_server_was_down_names_ten_of_each_in_chinese() -> None:
    """A month down over a hundred groups: the one alert on return names ten warnings and
    ten key members, counts the rest, and says only the last 14 days were checked."""
    warned = [HeatWarning(group_id=n, name=f"茶友{n}群", as_of=date(2026, 11, 7), warning=True,
                          energy_falls=True, activity_decays=True, days_without_output=5,
                          reasons=(), actions=(), headline="消息减少。")
              for n in range(1, 13)]  # fmt: skip
    spells = [Spell(SilentKey(Placed(n, Segment.CORE, date(2026, 11, 2), 8, 20, True),
                               f"成员{n}", 1), 8) for n in range(1, 12)]  # fmt: skip
    gap = Gap(date(2026, 10, 1), date(2026, 11, 16), date(2026, 11, 3),
              heat=tuple((w, 3, date(2026, 11, 5), date(2026, 11, 7)) for w in warned),
              silent=tuple(spells), groups={1: "茶友1群"})  # fmt: skip
    where = GroupView(id=1, name="茶友1群", carrier="fake", carrier_group_id="g1", capacity=None,
                      community_id=3, community_slug="tea")  # fmt: skip
    alert = gap_alert(Language.ZH_CN, 3, gap, where)
    lines = (alert.text or "").splitlines()
    assert lines[0] == ("服务器停机期间（2026-10-01 – 2026-11-16，每日巡检未运行；只检查了最近 14 天，自 "
                        "2026-11-03 起），以下情况出现后又已结束，当时没有提醒：")  # fmt: skip
    assert lines[1] == "-「茶友1群」热寂预警 3 天（2026-11-05 – 2026-11-07）：消息减少。"
    assert lines[11] == "……另有 2 个群"
    assert lines[12] == "- 关键成员 成员1 沉默了 8 天（最后活跃于 2026-11-02，「茶友1群」）"
    assert lines[22:24] == ["……另有 1 位关键成员",
                            "现在都已不再成立；详情见控制台的 Health 页或 "
                            "`hearth report --from 2026-10-01 --to 2026-11-16`。"]  # fmt: skip
    assert alert.key == "health:gap:3:2026-10-01:2026-11-16"
    assert (alert.carrier, alert.group) == ("fake", "g1")
