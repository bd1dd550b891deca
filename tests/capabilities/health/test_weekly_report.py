"""The weekly report through the engine: on Monday 09:00 staff get the week's health (the
inbox keeps it), with the figures a fixture community's known week gives; once per week,
across a restart and a second engine on the same store; late once after an outage (the latest
week only); never when `alerts.weekly_report.enabled` is false."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.health import weekly
from hearthkeeper.capabilities.health.weekly import plan_weekly_report, report_key
from hearthkeeper.capabilities.reports.repository import SqlReports
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.store.models import MessageRow
from hearthkeeper.testing import FakeCarrier
from tests.engine_setup import RULES, Community, community, decided_while_read_aside
from tests.playbook_samples import MINIMAL

ACCEPTED = "joining:\n  ceremony:\n    accept_rules: false\n"
PLANS = """\
monetisation:
  plans:
    - id: half-year
      name: Half-year membership
      price: 299
      currency: CNY
      period: 6 months
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {text: "Good morning, tea friends."}
"""
AD = "加我微信 abc12345 低价出货"
OPENED = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)  # London is on GMT from 25 October
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # the report of 9-15 November is due


def pb(extra: str = "") -> Playbook:
    return parse_playbook(MINIMAL + RULES + ACCEPTED + extra).playbook


def at(day: int, hour: int = 10) -> datetime:
    """`day` November 2026, `hour`:00 London (GMT)."""
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def act(c: Community, when: datetime, *events: tuple[str, str, str]) -> None:
    """(what, user, group) events at `when`: join, leave, or a message's text."""
    c.clock.set(when)
    batch = []
    for what, user, group in events:
        if what == "join":
            batch.append(c.events.join(user, at=when, group=group))
        elif what == "leave":
            batch.append(c.events.leave(user, at=when, group=group))
        else:
            batch.append(c.events.message(user, what, at=when, group=group))
    c.engine.process(batch)


def reports_sent(store: Store, c: Community) -> list[str]:
    return [a.text for a in store.staff_alerts(c.runtime.community_id, open_only=False)
            if a.key.startswith("health:weekly:")]  # fmt: skip


def monday(c: Community, when: datetime = MONDAY) -> list[str]:
    c.clock.set(when)
    c.engine.tick()
    return reports_sent(c.store, c)


def test_the_weekly_report_tells_staff_the_weeks_figures(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(OPENED)
    c = community(store, store_clock, pb(PLANS))
    cid = c.runtime.community_id
    act(c, OPENED, ("join", "eve", "g1"), ("join", "zed", "g2"))  # g2: nobody ever speaks
    # the week before (2-8 Nov): three newcomers, two of whom speak; four messages
    act(c, at(2), ("join", "ann", "g1"), ("join", "bo", "g1"), ("hello", "ann", "g1"),
        ("hi all", "bo", "g1"))  # fmt: skip
    act(c, at(3), ("join", "cy", "g1"), ("good tea?", "ann", "g1"), ("yes", "ann", "g1"))
    # the week (9-15 Nov): six messages from two members, and an ad (deleted, struck)
    act(c, at(9), *[(f"pot {n}", "ann", "g1") for n in range(5)])
    act(c, at(10), ("join", "dee", "g1"), ("hello", "dee", "g1"))
    act(c, at(11), ("leave", "bo", "g1"))
    act(c, at(12), (AD, "eve", "g1"))
    zed = c.member_id("zed")
    store.add_sanction("blacklist", zed, "spam by direct message", at(13), community_id=cid)
    store.add_sanction("blacklist", c.member_id("cy"), "earlier", at(6), community_id=cid)
    [strike] = store.strikes(cid, c.member_id("eve"))
    g1 = store.group_for_carrier("fake", "g1")
    assert g1 is not None
    SqlAppeals.on(store).file(cid, c.member_id("eve"), g1.id, strike_id=strike.id,
                              sanction_id=None, text="it was a joke", at=at(13))  # fmt: skip
    with store.engine.connect() as connection:
        message = connection.execute(select(MessageRow.id).where(
            MessageRow.group_id == g1.id).order_by(MessageRow.id).limit(1)).scalar_one()  # fmt: skip
    SqlReports.on(store).flag(cid, g1.id, message, c.member_id("ann"), at(14))
    billing = SqlBilling.on(store)
    for n, (kind, amount, day) in enumerate([
        (OrderKind.PURCHASE, "299", 5),  # the week before: not this week's money
        (OrderKind.PURCHASE, "299", 10), (OrderKind.RENEWAL, "299", 11),
        (OrderKind.REFUND, "-299", 12), (OrderKind.HELD, "100", 13),
    ]):  # fmt: skip
        order = NewOrder("half-year", Decimal(amount), "CNY", Provider.MANUAL, f"r{n}", "cli")
        billing.record(cid, c.member_id("ann"), None, order, kind, at(day))
    posts = SqlPosts.on(store)
    for day, status in ((8, "posted"), (9, "posted"), (10, "confirmed"), (11, "skipped")):
        posts.claim_post(cid, g1.id, "morning", at(day, 8), item_id=None, content_kind="text",
                         mode="auto", status=status, posted_at=at(day, 8))  # fmt: skip
    planned = plan_weekly_report(store, cid, c.runtime.playbook, at(15))
    assert planned is not None and planned.astimezone(UTC) == MONDAY  # 09:00 London (GMT)
    assert monday(c, MONDAY - timedelta(minutes=1)) == [], "not before 09:00"
    [report] = monday(c)
    assert report.splitlines() == [
        "📊 Weekly report of Tea Friends, 2026-11-09 – 2026-11-15",
        "Messages: 6 (week before 4, +50%)",  # the ad deleted is counted apart, as the report does
        "Active members: 2 (week before 2)",
        "Joined 1, left 1; of the 3 who joined the week before, 2 spoke in their first week (67%)",
        "→ console Health · hearth report --community tea",
        "Moderation: 1 deleted, 1 strike, 1 banned; waiting: 1 appeal, 1 report",
        "→ console Inbox · hearth appeals list --open --community tea",
        "Money: 1 new, 1 renewed, 1 refunded; revenue 299.00 CNY",
        "→ console Billing · hearth billing list --orders --community tea",
        "Scheduled posts: 2 sent, 1 missed",
        "→ hearth posts --community tea",
        "Heat-death warning: 1 group",
        "- g2: No message in the last 28 days (none ever), with 1 member in it.",
        "→ console Health · hearth report --community tea",
    ]


def quiet_community(store: Store, clock: FrozenClock, extra: str = "") -> Community:
    """One member who spoke once, on 1 October."""
    clock.set(OPENED)
    c = community(store, clock, pb(extra))
    act(c, OPENED, ("join", "ann", "g1"), ("hello", "ann", "g1"))
    return c


def heads(reports: list[str]) -> list[str]:
    """Each report's first line (its week), oldest first."""
    return [r.splitlines()[0] for r in reversed(reports)]


def staff_posts(c: Community) -> list[str]:
    """What the staff channel was sent since the last look (the outbound queue drained)."""
    asyncio.run(c.engine.drain())
    done = [p.action for p in c.carrier.performed]
    c.carrier.performed.clear()
    return [a.text or "" for a in done if a.group == "staff" and a.kind is ActionKind.SEND]


def test_each_week_is_sent_once_across_a_restart_and_a_second_engine(
    store: Store, store_clock: FrozenClock
) -> None:
    c = quiet_community(store, store_clock, "alerts:\n  staff_group: staff\n")
    act(c, OPENED, ("join", "mei", "staff"))
    act(c, at(10), ("who covers Friday?", "mei", "staff"))  # staff's own talk: not a figure
    cid = c.runtime.community_id
    plan_weekly_report(store, cid, c.runtime.playbook, at(15))  # a server's start
    assert heads(monday(c)) == ["📊 Weekly report of Tea Friends, 2026-11-09 – 2026-11-15"]
    [posted] = staff_posts(c)
    assert posted.startswith("⚠ Staff alert: 📊 Weekly report of Tea Friends, 2026-11-09")
    assert "Messages: 0 (week before 0)" in posted, "the staff channel is not counted"
    c.restart()  # crashed and started again: it plans at start again
    plan_weekly_report(store, cid, c.runtime.playbook, MONDAY + timedelta(minutes=5))
    # another process on the same store, planning at its own start and running due work
    other = Engine(store, c.clock, [runtime_for(store, c.runtime.playbook)],
                   {"fake": FakeCarrier("fake")}, adopt_groups_into=cid)  # fmt: skip
    plan_weekly_report(store, cid, c.runtime.playbook, MONDAY + timedelta(minutes=6))
    for engine in (other, c.engine, other):
        c.clock.set(MONDAY + timedelta(hours=1))
        engine.tick()
    assert len(reports_sent(store, c)) == 1, "the week was sent again"
    assert staff_posts(c) == []
    next_monday = MONDAY + timedelta(days=7)
    for engine in (other, c.engine):  # both reach the next Monday: one of them sends it
        c.clock.set(next_monday)
        engine.tick()
    assert heads(reports_sent(store, c))[1:] == [
        "📊 Weekly report of Tea Friends, 2026-11-16 – 2026-11-22"
    ]
    assert len(staff_posts(c)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_weeks_missed_while_down_are_one_late_report_of_the_latest_week(
    store: Store, store_clock: FrozenClock
) -> None:
    c = quiet_community(store, store_clock)
    cid = c.runtime.community_id
    plan_weekly_report(store, cid, c.runtime.playbook, at(15))  # due 16 Nov; then down
    wednesday = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # three Mondays later, started again
    c.restart()
    plan_weekly_report(store, cid, c.runtime.playbook, wednesday)
    assert heads(monday(c, wednesday)) == [
        "📊 Weekly report of Tea Friends, 2026-11-23 – 2026-11-29"
    ], "one report, of the latest week due"
    assert len(monday(c, wednesday + timedelta(hours=2))) == 1
    assert heads(monday(c, datetime(2026, 12, 7, 9, 0, tzinfo=UTC)))[1:] == [
        "📊 Weekly report of Tea Friends, 2026-11-30 – 2026-12-06"
    ], "the next on time"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_turned_off_it_sends_nothing_and_plans_nothing(
    store: Store, store_clock: FrozenClock
) -> None:
    c = quiet_community(store, store_clock, "alerts:\n  weekly_report:\n    enabled: false\n")
    cid = c.runtime.community_id
    assert plan_weekly_report(store, cid, c.runtime.playbook, at(15)) is None
    plan_weekly_report(store, cid, pb(), at(15))  # planned while it was on
    assert monday(c) == []
    assert store.scheduled(report_key(cid, date(2026, 11, 23))) is None, "no next one planned"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_report_planned_before_its_day_changed_is_not_sent_then(
    store: Store, store_clock: FrozenClock
) -> None:
    """Moved from Monday 09:00 to Friday 17:30: the Monday planned before says nothing; the
    Friday report covers the seven days before Friday."""
    c = quiet_community(store, store_clock, "alerts:\n  weekly_report: {day: 周五, at: '17:30'}\n")
    cid = c.runtime.community_id
    plan_weekly_report(store, cid, pb(), at(15))  # Monday's, planned while the day was Monday
    planned = plan_weekly_report(store, cid, c.runtime.playbook, at(15))
    assert planned is not None and planned.astimezone(UTC) == at(20, 17) + timedelta(minutes=30)
    assert monday(c) == []
    assert heads(monday(c, planned)) == ["📊 Weekly report of Tea Friends, 2026-11-13 – 2026-11-19"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_chinese_community_reads_its_report_and_the_warnings_in_chinese(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(OPENED)
    text = MINIMAL.replace("language: en", "language: zh-CN") + RULES + ACCEPTED
    c = community(store, store_clock, parse_playbook(text).playbook)
    act(c, OPENED, ("join", "ann", "g1"), ("join", "zed", "g2"))
    act(c, at(10), ("你好", "ann", "g1"))
    plan_weekly_report(store, c.runtime.community_id, c.runtime.playbook, at(15))
    [report] = monday(c)
    lines = report.splitlines()
    assert lines[0] == "📊 Tea Friends 周报（2026-11-09 – 2026-11-15）"
    assert lines[1] == "消息：1 条（上周 0）"
    assert lines[-3:] == [
        "热寂预警：1 个群",
        "-「g2」：最近 28 天没有一条消息（从来没有过消息），群里还有 1 人。",
        "→ 控制台 Health 页 · hearth report --community tea",
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_community_opened_during_the_week_gets_its_first_days_not_a_week_of_zeros(
    store: Store, store_clock: FrozenClock
) -> None:
    """Opened on Thursday 12 November, its first Monday's report said seven days against a
    week before of zeros ("Messages: 3 (week before 0)", "nobody new the week before"), as
    if the community had been silent since the 9th. Now it is its first week, the days it
    had; the next report compares with those days, without a change in percent."""
    thursday = at(12)
    store_clock.set(thursday)
    c = community(store, store_clock, pb())
    act(c, thursday, ("join", "ann", "g1"), ("join", "bo", "g1"), ("hello", "ann", "g1"),
        ("hi", "bo", "g1"), ("tea?", "ann", "g1"))  # fmt: skip
    plan_weekly_report(store, c.runtime.community_id, c.runtime.playbook, at(15))
    [first] = monday(c)
    assert first.splitlines()[:5] == [
        "📊 Weekly report of Tea Friends, 2026-11-12 – 2026-11-15 (first week: 4 days so far)",
        "Messages: 3",
        "Active members: 2",
        "Joined 2, left 0",
        "→ console Health · hearth report --community tea",
    ]
    act(c, at(17), ("good morning", "ann", "g1"))
    [second, _] = monday(c, MONDAY + timedelta(days=7))
    assert second.splitlines()[:4] == [
        "📊 Weekly report of Tea Friends, 2026-11-16 – 2026-11-22",
        "Messages: 1 (week before 3, over the 4 days it was open)",
        "Active members: 1 (week before 2, over the 4 days it was open)",
        "Joined 0, left 0; of the 2 who joined the week before, 2 spoke in their first week (100%)",
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_community_whose_group_opened_after_the_week_gets_no_report_of_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """Its first group opened on Monday at 08:00: the report at 09:00 was a week of zeros
    about days before it existed. Now none is sent; the next Monday's is its first."""
    early = MONDAY - timedelta(hours=1)
    store_clock.set(early)
    c = community(store, store_clock, pb())
    act(c, early, ("join", "ann", "g1"), ("hello", "ann", "g1"))
    plan_weekly_report(store, c.runtime.community_id, c.runtime.playbook, early)
    assert monday(c) == []
    assert heads(monday(c, MONDAY + timedelta(days=7))) == [
        "📊 Weekly report of Tea Friends, 2026-11-16 – 2026-11-22"
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_group_opened_during_the_week_of_an_older_community_is_named_as_new(
    store: Store, store_clock: FrozenClock
) -> None:
    """g3 opened on Thursday 12 November in a community open since October: the report's
    totals held its days and the week before none of it, with nothing saying so ("Messages:
    4 (week before 0)"). Now it is named as new this week, over the days it had; a week
    later it is an ordinary group."""
    c = quiet_community(store, store_clock)
    act(c, at(10), ("pot", "ann", "g1"))
    act(c, at(12), ("join", "bo", "g3"), ("join", "cy", "g3"), ("hello", "bo", "g3"),
        ("hi", "cy", "g3"), ("tea?", "bo", "g3"))  # fmt: skip
    plan_weekly_report(store, c.runtime.community_id, c.runtime.playbook, at(15))
    [report] = monday(c)
    assert report.splitlines()[:7] == [
        "📊 Weekly report of Tea Friends, 2026-11-09 – 2026-11-15",
        "Messages: 4 (week before 0)",
        "Active members: 3 (week before 0)",
        "Joined 2, left 0; nobody new the week before",
        "New this week: 1 group, not in the week before",
        "- g3, open since 2026-11-12 (4 days): 3 messages, 2 active members",
        "→ console Health · hearth report --community tea",
    ]
    [later, _] = monday(c, MONDAY + timedelta(days=7))
    assert "New this week" not in later


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite: one writer
def test_members_messages_are_decided_while_a_running_engine_makes_the_report(
    store: Store, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's figures take seconds at 500 groups (docs/benchmarks.md). They were read in
    the engine's tick, which the engine waited for, holding the store's write lock: every
    member's message waited for the report. Now a running engine reads them aside: here the
    figures are held until a member's message, sent after the report fell due, has been
    decided; then the report goes, once."""
    c = quiet_community(store, store_clock)
    plan_weekly_report(store, c.runtime.community_id, c.runtime.playbook, at(15))
    c.clock.set(MONDAY + timedelta(minutes=1))
    before_release, after = decided_while_read_aside(
        c, monkeypatch, weekly, "week_figures", lambda: bool(reports_sent(store, c))
    )
    assert before_release, "the member's message waited for the weekly report"
    assert after
    assert len(reports_sent(store, c)) == 1
