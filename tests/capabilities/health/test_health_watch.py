"""The daily key-member watch through the engine: a core member silent a week alerts staff
once per silence spell, in the staff inbox; the watch is no handler, so events never see it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.analytics.vitals import silent_key_members_of
from hearthkeeper.capabilities.grid.watch import plan_grid_watch
from hearthkeeper.capabilities.health.watch import (
    ended_runs,
    missed_days,
    plan_health_watch,
    watch_key,
)
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import StaffAlert, Store
from tests.engine_setup import RULES, Community, community
from tests.playbook_samples import MINIMAL

START = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)  # 11:00 in London (BST)
LONDON = ZoneInfo("Europe/London")


def chat(c: Community, user: str, day: int, text: str = "hello") -> None:
    at = START + timedelta(days=day)
    c.clock.set(at)
    c.engine.process([c.events.message(user, text, at=at)])


def run_watch(c: Community, day: int) -> None:
    """The morning of `day` (days after START), just after the 09:30 watch."""
    c.clock.set(datetime(2026, 10, 1, 8, 31, tzinfo=UTC) + timedelta(days=day))
    c.engine.tick()


def silent_alerts(store: Store, c: Community) -> list[str]:
    return [a.text for a in store.staff_alerts(c.runtime.community_id, open_only=False)
            if a.key.startswith("health:silent:")]  # fmt: skip


def silent_inbox(store: Store, community_id: int) -> list[StaffAlert]:
    """The open silent-member alerts (the group they fell silent in may be warned of too)."""
    return [a for a in store.staff_alerts(community_id) if a.key.startswith("health:silent:")]


def test_a_core_member_silent_a_week_alerts_staff_once_per_silence(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(START)
    c = community(store, store_clock)
    for user in ("ann", "bo"):
        c.engine.process([c.events.join(user, at=START)])
        c.engine.process([c.events.message(user, "agree", at=START)])
    # a server plans the first watch at start; each watch plans the next
    assert plan_health_watch(store, c.runtime.community_id, c.runtime.playbook, START)
    for day in range(1, 11):  # ann posts on 11 days (1-11 Oct): core
        chat(c, "ann", day)
    chat(c, "bo", 2)  # bo posts on two days only: never key
    for day in range(12, 17):  # the watch runs every morning; by 17 Oct ann is silent 6 days
        run_watch(c, day)
    assert silent_alerts(store, c) == []
    run_watch(c, 17)  # 18 Oct: silent since 11 Oct, 7 days
    run_watch(c, 18)
    [alert] = silent_inbox(store, c.runtime.community_id)
    assert alert.text == ("Key member ann has been silent since 2026-10-11 (7 days): last active "
                          "in g1; consider @-ing them in g1 with a topic they know.")  # fmt: skip
    assert alert.member_id == c.member_id("ann")
    assert silent_alerts(store, c) == [alert.text], "the next morning adds nothing"

    chat(c, "ann", 20)  # back on 21 Oct, then silent again: a new spell, a new alert
    for day in range(21, 29):
        run_watch(c, day)
    assert len(silent_alerts(store, c)) == 2
    assert "silent since 2026-10-21 (7 days)" in silent_alerts(store, c)[0]


def test_a_community_without_groups_has_no_watch_yet(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(START)
    c = community(store, store_clock)
    assert not plan_health_watch(store, c.runtime.community_id, c.runtime.playbook, START)
    [processed] = c.engine.process([c.events.join("ann", at=START)])
    assert "health" not in " ".join(processed.handlers)


def test_the_watch_list_names_the_group_last_posted_in(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(START)
    c = community(store, store_clock)
    c.engine.process([c.events.join("ann", at=START)])
    for day in range(8):
        chat(c, "ann", day, "agree" if day == 0 else "hi")
    found = silent_key_members_of(store, c.runtime.community_id, as_of=date(2026, 10, 20),
                                  zone=LONDON)  # fmt: skip
    assert [(s.name, s.placed.last_active, s.placed.silent_days) for s in found] == [
        ("ann", date(2026, 10, 8), 12)
    ]
    assert store.get_group(found[0].group_id) is not None


def test_the_watch_is_attached_to_a_group_a_carrier_serves(
    store: Store, store_clock: FrozenClock
) -> None:
    """The community's oldest group is an imported history: the daily watch is attached to the
    group members talk in today, so the staff inbox shows its alert there (it named the
    imported group, where no one can act), and the alert is performed by that group's carrier."""
    store_clock.set(START)
    c = community(store, store_clock)
    cid = c.runtime.community_id
    store.add_group(cid, "微信1群", "import:csv", "club/微信1群")
    c.engine.process([c.events.join("ann", at=START)])
    c.engine.process([c.events.message("ann", "agree", at=START)])
    assert plan_health_watch(store, cid, c.runtime.playbook, START)
    for day in range(1, 11):
        chat(c, "ann", day)
    for day in range(12, 19):
        run_watch(c, day)
    [alert] = silent_inbox(store, cid)
    assert alert.text.startswith("Key member ann has been silent since 2026-10-11")
    group = store.get_group(alert.group_id or 0)
    assert group is not None and group.name == "g1", f"the inbox named {group}"


def test_the_inbox_lists_a_silent_members_alert_under_the_group_it_names(
    store: Store, store_clock: FrozenClock
) -> None:
    """The watch runs in the community's first group (g1); Ann talks only in g2. Her alert
    says g2, and the staff inbox lists it under g2 too, not under the group the watch runs
    in."""
    store_clock.set(START)
    c = community(store, store_clock)
    cid = c.runtime.community_id
    c.engine.process([c.events.join("bo", at=START)])  # g1 is the community's first group
    c.engine.process([c.events.join("ann", at=START, group="g2")])
    c.engine.process([c.events.message("ann", "agree", at=START, group="g2")])
    assert plan_health_watch(store, cid, c.runtime.playbook, START)
    for day in range(1, 11):
        at = START + timedelta(days=day)
        c.clock.set(at)
        c.engine.process([c.events.message("ann", "hello", at=at, group="g2")])
    for day in range(12, 19):
        run_watch(c, day)
    [alert] = silent_inbox(store, cid)
    assert "last active in g2" in alert.text, alert.text
    group = store.get_group(alert.group_id or 0)
    assert group is not None and group.name == "g2", f"the inbox listed it under {group}"


def heat_alerts(store: Store, c: Community) -> list[tuple[str, str, int | None]]:
    return [(a.key, a.text, a.group_id)
            for a in store.staff_alerts(c.runtime.community_id, open_only=False)
            if a.key.startswith("health:heat:")]  # fmt: skip


def test_groups_whose_heat_death_warning_starts_are_one_alert_once(
    store: Store, store_clock: FrozenClock
) -> None:
    """g1 and g2 talk every day of October's first four weeks, then fall silent; g3 too, but
    an operator closed it. On 1 Nov their messages this week fall below 70% of before (and no
    staff message or post ever): one alert names g1 and g2 with their headlines, in g1 (where
    the watch runs); the mornings after, still warned, add nothing."""
    store_clock.set(START)
    c = community(store, store_clock)
    cid = c.runtime.community_id
    for group in ("g1", "g2", "g3"):
        for user in ("ann", "bo"):
            c.engine.process([c.events.join(f"{user}-{group}", at=START, group=group)])
    for day in range(28):  # 1-28 Oct
        at = START + timedelta(days=day)
        c.clock.set(at)
        text = "agree" if day == 0 else "hello"  # the rules gate lets them talk
        c.engine.process([c.events.message(f"{user}-{group}", text, at=at, group=group)
                          for group in ("g1", "g2", "g3") for user in ("ann", "bo")])  # fmt: skip
    g3 = next(g for g in store.list_groups(cid) if g.name == "g3")
    store.close_group(g3.id, "cli")
    morning = datetime(2026, 10, 29, 9, 45, tzinfo=UTC)  # London is on GMT again
    assert plan_health_watch(store, cid, c.runtime.playbook, morning - timedelta(hours=1))
    for day in range(3):  # 29 to 31 Oct: fewer messages, not yet below 70%
        c.clock.set(morning + timedelta(days=day))
        c.engine.tick()
    assert heat_alerts(store, c) == []
    for day in range(3, 6):  # 1 Nov, then 2 and 3 Nov: still warned
        c.clock.set(morning + timedelta(days=day))
        c.engine.tick()
    [(key, text, group_id)] = heat_alerts(store, c)
    assert key == f"health:heat:{cid}:2026-11-01", text
    assert text == (
        "Heat-death warning for 2 groups:\n"
        "- g1: Messages fell: 6 this week vs 13/week over the four weeks before.\n"
        "- g2: Messages fell: 6 this week vs 13/week over the four weeks before.\n"
        "Each group's reasons and actions: the console's Health page or `hearth report`."
    )
    group = store.get_group(group_id or 0)
    assert group is not None and group.name == "g1"


def _alerts_about(store: Store, cid: int, group: str) -> list[str]:
    """The keys of every staff alert placed in or naming `group` (the health and matrix
    watches' both)."""
    gid = next(g.id for g in store.list_groups(cid) if g.name == group)
    return [a.key for a in store.staff_alerts(cid, open_only=False)
            if a.group_id == gid or group in a.text]  # fmt: skip


def test_a_group_silent_28_days_is_one_alert_the_matrix_watchs(
    store: Store, store_clock: FrozenClock
) -> None:
    """Members joined g2 on 1 Oct and nobody ever said a word there. On 29 Oct it has been
    silent 28 days: the heat-death warning fires for its silence and the matrix calls it
    dying. Staff got both alerts about the one group; now only the matrix's, which comes
    first (hourly) and is kept as a condition while it holds."""
    store_clock.set(START)
    c = community(store, store_clock)
    cid = c.runtime.community_id
    c.engine.process([c.events.join("ann", at=START)])  # g1, where the watches run
    for user in ("bo", "cy"):
        c.engine.process([c.events.join(user, at=START, group="g2")])
    morning = datetime(2026, 10, 27, 9, 45, tzinfo=UTC)
    assert plan_health_watch(store, cid, c.runtime.playbook, morning - timedelta(hours=1))
    assert plan_grid_watch(store, cid, morning - timedelta(hours=1))
    for day in range(5):  # 27 Oct to 31 Oct, each morning; the matrix's hour with it
        c.clock.set(morning + timedelta(days=day))
        c.engine.tick()
    about = _alerts_about(store, cid, "g2")
    assert [k.split(":")[2] for k in about] == ["dying"], about
    assert not [k for k in about if k.startswith("health:heat:")]


def test_a_warning_that_started_on_a_day_no_watch_ran_is_alerted_by_the_next_once(
    store: Store, store_clock: FrozenClock
) -> None:
    """g1's warning starts on 1 Nov, when the server is down from before 09:30 until the
    morning after. The watch due on 1 Nov runs on 2 Nov at 08:00 and compares with 31 Oct:
    staff hear of it (before, it compared with 1 Nov, found the warning already on, and
    said nothing, ever). The 09:30 watch of 2 Nov, planned at the start, adds nothing.
    The community is Chinese: the alert's headline and actions are too (before, only its
    frame was: 「g1」出现热寂预警：Messages fell: … 建议：Ask … to post in g1 …)."""
    store_clock.set(START)
    chinese = (MINIMAL + RULES).replace("language: en", "language: zh-CN")
    c = community(store, store_clock, parse_playbook(chinese).playbook)
    cid = c.runtime.community_id
    for user in ("ann", "bo"):
        c.engine.process([c.events.join(user, at=START)])
    for day in range(28):  # 1-28 Oct, both talk in g1 every day
        at = START + timedelta(days=day)
        c.clock.set(at)
        c.engine.process([c.events.message(user, "agree" if day == 0 else "hello", at=at)
                          for user in ("ann", "bo")])  # fmt: skip
    morning = datetime(2026, 10, 29, 9, 45, tzinfo=UTC)
    assert plan_health_watch(store, cid, c.runtime.playbook, morning - timedelta(hours=1))
    for day in range(3):  # 29 to 31 Oct: not yet warned
        c.clock.set(morning + timedelta(days=day))
        c.engine.tick()
    assert heat_alerts(store, c) == []
    back = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # 1 Nov: down all day
    c.clock.set(back)
    assert plan_health_watch(store, cid, c.runtime.playbook, back)  # the server's start
    c.engine.tick()  # the watch due on 1 Nov
    [(key, text, _)] = heat_alerts(store, c)
    assert key == f"health:heat:{cid}:{_gid(store, cid)}:2026-11-02"
    assert text == (
        "「g1」出现热寂预警：消息减少：本周 4 条，之前四周平均每周 13 条。 建议：剧本里没有发到"
        "「g1」的定时内容：在 `calendar.posts` 下加一个每日知识包（每天早上两分钟的内容）。 "
        "请creator（创始人）、manager（管理员）、partner（合伙人）在「g1」发言：工作人员的输出是"
        "群的能量来源。"
    ), text
    for hours in (2, 26, 50):  # 2 Nov's 09:30 watch, then 3 and 4 Nov's
        c.clock.set(back + timedelta(hours=hours))
        c.engine.tick()
    assert len(heat_alerts(store, c)) == 1
    planned = store.scheduled(watch_key(cid, date(2026, 11, 5)))
    assert planned is not None and planned.status == "pending", "the watches go on"


def _gid(store: Store, cid: int) -> int:
    return next(g.id for g in store.list_groups(cid) if g.name == "g1")


def gap_alerts(store: Store, c: Community) -> list[tuple[str, str]]:
    return [(a.key, a.text) for a in store.staff_alerts(c.runtime.community_id, open_only=False)
            if a.key.startswith("health:gap:")]  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_warning_that_started_and_ended_while_the_server_was_down_is_one_alert_on_return(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann and Bo talk in g1 every day from 1 October; the watch runs each morning up to
    3 November, then the server is down until 17 November at 08:00. Meanwhile (their
    messages stored, as the web chat's queue keeps them) they fall silent 5-9 November and
    talk again from the 10th: g1's warning holds 7-13 November and is gone by the return.
    Before, nobody ever heard of it (the late watch compared the return day with 3 November,
    neither warned). Now one alert on return names the days the watch missed and the
    warning's days; a second start alerts nothing again."""
    store_clock.set(START)
    c = community(store, store_clock)
    cid = c.runtime.community_id
    for user in ("ann", "bo"):
        c.engine.process([c.events.join(user, at=START)])

    def talk(day: int) -> None:  # `day` days after 1 October, both of them
        at = START + timedelta(days=day)
        c.clock.set(at)
        c.engine.process([c.events.message(user, "agree" if day == 0 else "hello", at=at)
                          for user in ("ann", "bo")])  # fmt: skip

    for day in range(34):  # 1 Oct - 3 Nov
        talk(day)
    morning = datetime(2026, 10, 29, 9, 45, tzinfo=UTC)
    assert plan_health_watch(store, cid, c.runtime.playbook, morning - timedelta(hours=1))
    for day in range(6):  # 29 Oct - 3 Nov, each morning (talk of the day comes at 10:00)
        c.clock.set(morning + timedelta(days=day))
        c.engine.tick()
    for day in [34, *range(40, 47)]:  # 4 Nov; silent 5-9 Nov; 10-16 Nov
        talk(day)
    assert heat_alerts(store, c) == [] and gap_alerts(store, c) == []
    back = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
    c.restart()
    c.clock.set(back)
    assert plan_health_watch(store, cid, c.runtime.playbook, back)  # the server's start
    c.engine.tick()  # the watch due on 4 Nov
    [(key, text)] = gap_alerts(store, c)
    assert key == f"health:gap:{cid}:2026-11-04:2026-11-16"
    assert text == (
        "While the server was down (2026-11-04 – 2026-11-16: the daily watch did not run), "
        "these started and ended, and nobody was told:\n"
        "- Heat-death warning for g1, 7 days (2026-11-07 – 2026-11-13): Messages fell: 8 this "
        "week vs 14/week over the four weeks before.\n"
        "None holds now; more in the console's Health page or "
        "`hearth report --from 2026-11-04 --to 2026-11-16`."
    ), text
    assert heat_alerts(store, c) == [], "nothing of it holds on return"
    c.restart()  # started again the same day, and the next morning
    for at in (back + timedelta(hours=3), back + timedelta(days=1, hours=2)):
        c.clock.set(at)
        plan_health_watch(store, cid, c.runtime.playbook, at)
        c.engine.tick()
    assert len(gap_alerts(store, c)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_key_member_silent_a_week_and_back_while_the_server_was_down_is_named_on_return(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann, core, falls silent after 11 October; the watches run up to the 12th, then the
    server is down until the 22nd. She speaks again on the 20th: her silence reached 7 days
    on the 18th and was over before the return, so the watch of the return day never saw
    it; the catch-up names it."""
    store_clock.set(START)
    c = community(store, store_clock)
    cid = c.runtime.community_id
    c.engine.process([c.events.join("ann", at=START)])
    c.engine.process([c.events.message("ann", "agree", at=START)])
    assert plan_health_watch(store, cid, c.runtime.playbook, START)
    for day in range(1, 11):
        chat(c, "ann", day)
    for day in range(11, 12):
        run_watch(c, day)
    chat(c, "ann", 19)  # 20 Oct, stored while the server is down
    run_watch(c, 21)  # 22 Oct: back
    [(_, text)] = gap_alerts(store, c)
    assert "- Key member ann was silent 8 days after 2026-10-11 (last active in g1)" in (
        text.splitlines()
    ), text
    assert silent_alerts(store, c) == []


def test_the_days_missed_are_checked_at_most_two_weeks_back() -> None:
    assert missed_days(date(2026, 11, 4), date(2026, 11, 4)) is None
    assert missed_days(date(2026, 11, 4), date(2026, 11, 17)) == (
        date(2026, 11, 4), date(2026, 11, 16), date(2026, 11, 4))  # fmt: skip
    assert missed_days(date(2026, 10, 1), date(2026, 11, 17)) == (
        date(2026, 10, 1), date(2026, 11, 16), date(2026, 11, 3))  # fmt: skip
    # the day before the first checked, the checked days, the return day
    assert ended_runs([False, True, True, False, True, False, True]) == [(1, 2), (4, 4)]
    assert ended_runs([True, False, True, True]) == [], "known before; still holds"
