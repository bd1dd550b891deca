"""Check-ins (打卡): keyword or command, once a day in the community's time zone, streaks,
milestone rewards, the leaderboard and the daily summary."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from threading import Barrier
from time import sleep
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, event, text

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.checkin.keywords import NOTE_LIMIT, check_in_note
from hearthkeeper.capabilities.checkin.repository import SqlCheckIns
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.capabilities.roles.repository import SqlTitles
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.executor import Executor, Processed
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.store import NewAudit, Store
from hearthkeeper.store.errors import StoreError
from hearthkeeper.testing import EventBuilder
from tests.engine_setup import RULES, Community, community, playbook
from tests.playbook_samples import MINIMAL

KEYWORDS = ["打卡", "签到", "check in", "checkin"]
DAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)  # 09:00 in London (BST), 16:00 in Shanghai


def in_zone(zone: str, extra: str = "") -> Playbook:
    return parse_playbook(MINIMAL.replace("Europe/London", zone) + RULES + extra).playbook


def said(processed: Sequence[Processed]) -> list[str]:
    """What the bot said in the group, in order."""
    return [a.text for p in processed for a in p.actions
            if a.kind in (ActionKind.REPLY, ActionKind.SEND) and a.text]  # fmt: skip


def check_in(c: Community, user: str, at: datetime, text: str = "check in") -> str:
    """Send a check-in; the bot's first words back."""
    return said(c.engine.process([c.events.message(user, text, at=at)]))[0]


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("打卡", ""),
        ("打卡 第3天 跑了5公里", "第3天 跑了5公里"),
        ("打卡第3天", "第3天"),
        ("【打卡】Day 12", "day 12"),
        ("#打卡", ""),
        ("打卡啦！", ""),
        ("Check in", ""),
        ("check-in", ""),
        ("CHECK IN: 20 push-ups", "20 push-ups"),
        ("签到 ", ""),
        ("今天忘了打卡了", None),
        ("打卡的规则是什么", None),
        ("打卡？", None),
        ("check in? how", None),
        ("checking in on everyone", None),
        ("打卡 " + "今天跑了很久" * 20, None),
    ],
)
def test_a_check_in_is_the_keyword_with_at_most_a_short_note(text: str, note: str | None) -> None:
    assert check_in_note(text, KEYWORDS) == note


@given(st.text(max_size=200))
def test_any_text_is_either_a_short_check_in_or_not_one(text: str) -> None:
    note = check_in_note(text, KEYWORDS)
    assert note is None or len(note) <= NOTE_LIMIT


def test_a_check_in_earns_points_and_a_second_one_the_same_day_is_friendly(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    assert (
        check_in(c, "mei", DAY, "打卡 第1天")
        == "✅ mei checked in: #1 today, 1-day streak, +1 points"
    )
    assert check_in(c, "bob", DAY + timedelta(minutes=1)).startswith("✅ bob checked in: #2 today")
    again = check_in(c, "mei", DAY + timedelta(hours=10), "/checkin")
    assert again == "mei, you already checked in today: 1-day streak. See you tomorrow!"
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("mei")) == 1


def test_check_in_keywords_of_a_new_playbook_version_are_read_from_the_next_message(
    store: Store, store_clock: FrozenClock
) -> None:
    """Whether the last texts check in is remembered per playbook version: `早起` is chat
    under the first version and a check-in once a version names it, for every member who
    says it."""
    c = community(store, store_clock)
    [chat] = c.engine.process([c.events.message("mei", "早起 6点", at=DAY)])
    assert "checkin" not in chat.handlers and said([chat]) == []
    pb = playbook()
    check_ins = pb.mechanisms.check_in.model_copy(update={"keywords": ["早起"]})
    newer = pb.model_copy(update={"mechanisms": pb.mechanisms.model_copy(
        update={"check_in": check_ins})})  # fmt: skip
    c.engine.replace_runtime(runtime_for(store, newer))
    assert check_in(c, "mei", DAY + timedelta(minutes=1), "早起 6点").startswith(
        "✅ mei checked in: #1 today"
    )
    assert check_in(c, "bob", DAY + timedelta(minutes=2), "早起 6点").startswith(
        "✅ bob checked in: #2 today")  # fmt: skip
    assert SqlCheckIns.on(store).check_ins_on(c.runtime.community_id, DAY.date()) == 2


def test_a_long_message_that_mentions_the_word_is_not_a_check_in(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    [p] = c.engine.process(
        [c.events.message("mei", "I forgot to check in yesterday, oops", at=DAY)]
    )
    assert "checkin" not in p.handlers and said([p]) == []


def test_the_day_ends_at_midnight_in_the_community_time_zone(
    store: Store, store_clock: FrozenClock
) -> None:
    # 15:30 and 16:30 UTC on 1 May: the same UTC day, but 23:30 and 00:30 in Shanghai.
    first, second = (
        datetime(2026, 5, 1, 15, 30, tzinfo=UTC),
        datetime(2026, 5, 1, 16, 30, tzinfo=UTC),
    )
    shanghai = community(store, store_clock, in_zone("Asia/Shanghai"))
    assert "1-day streak" in check_in(shanghai, "mei", first)
    assert "2-day streak" in check_in(shanghai, "mei", second), "00:30 in Shanghai is a new day"


def test_the_same_two_moments_are_one_day_in_london(store: Store, store_clock: FrozenClock) -> None:
    london = community(store, store_clock)
    assert "1-day streak" in check_in(london, "mei", datetime(2026, 5, 1, 15, 30, tzinfo=UTC))
    assert "already" in check_in(london, "mei", datetime(2026, 5, 1, 16, 30, tzinfo=UTC))
    # 23:30 and 00:30 London summer time are two days: 22:30 and 23:30 UTC.
    assert "2-day streak" in check_in(london, "mei", datetime(2026, 5, 2, 22, 30, tzinfo=UTC))
    assert "3-day streak" in check_in(london, "mei", datetime(2026, 5, 2, 23, 30, tzinfo=UTC))


def test_two_utc_days_can_be_one_local_day(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, in_zone("Asia/Shanghai"))
    assert "1-day streak" in check_in(c, "mei", datetime(2026, 5, 1, 23, 0, tzinfo=UTC))
    assert "already" in check_in(c, "mei", datetime(2026, 5, 2, 1, 0, tzinfo=UTC)), "both 2 May"


def test_a_missed_day_resets_the_streak(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    assert "1-day streak" in check_in(c, "mei", DAY)
    assert "2-day streak" in check_in(c, "mei", DAY + timedelta(days=1))
    assert "1-day streak" in check_in(c, "mei", DAY + timedelta(days=3)), "3 May was missed"


def test_a_milestone_streak_earns_points_and_a_title(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = playbook(
        "mechanisms:\n  check_in:\n    milestones: [{days: 3, points: 10, title: Early Bird}]\n"
    )
    c = community(store, store_clock, pb)
    check_in(c, "mei", DAY)
    assert "🏅" not in check_in(c, "mei", DAY + timedelta(days=1))
    third = check_in(c, "mei", DAY + timedelta(days=2))
    assert "🏅 3 days in a row! +10 points, you earned the title 'Early Bird'" in third
    community_id, mei = c.runtime.community_id, c.member_id("mei")
    assert SqlPoints.on(store).points_of(community_id, mei) == 3 + 10
    assert SqlTitles.on(store).titles_of(community_id, mei) == ["Early Bird"]


def test_chinese_community_replies_in_chinese(store: Store, store_clock: FrozenClock) -> None:
    pb = parse_playbook(MINIMAL.replace("language: en", "language: zh-CN")).playbook
    c = community(store, store_clock, pb)
    assert (
        check_in(c, "小鹿", DAY, "打卡")
        == "✅ 小鹿 打卡成功！今日第 1 位，已连续打卡 1 天，+1 积分"
    )
    assert "今天已经打过卡啦" in check_in(c, "小鹿", DAY + timedelta(hours=1), "/打卡")


def test_the_leaderboard_shows_streaks_and_this_months_check_ins(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    for day in range(3):
        check_in(c, "mei", DAY + timedelta(days=day))
    check_in(c, "bob", DAY + timedelta(days=2, minutes=5))
    [board] = said(
        c.engine.process([c.events.message("bob", "/rank", at=DAY + timedelta(days=2, hours=1))])
    )
    assert board.splitlines() == [
        "🏆 Top streaks", "1. mei 3 days", "2. bob 1 day",
        "📅 Check-ins this month", "1. mei 3 check-ins", "2. bob 1 check-in",
    ]  # fmt: skip


def test_a_daily_summary_turned_off_by_a_new_version_is_not_posted_that_evening(
    store: Store, store_clock: FrozenClock
) -> None:
    """The operator removes `daily_summary` at noon: the summary the morning's check-ins had
    planned for 21:00 was still posted that evening."""
    c = community(
        store, store_clock, playbook("mechanisms:\n  check_in:\n    daily_summary: '21:00'\n")
    )
    check_in(c, "mei", DAY)
    c.runtime = runtime_for(store, playbook())  # the operator applies a version without it
    c.restart()
    store_clock.set(datetime(2026, 5, 1, 20, 1, tzinfo=UTC))  # 21:01 in London
    c.engine.tick()
    asyncio.run(c.engine.drain())
    posted = [p.action.text or "" for p in c.carrier.performed if p.action.kind is ActionKind.SEND]
    assert not [t for t in posted if "checked in today" in t]


def test_the_daily_summary_posts_and_plans_the_next_day(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(
        store, store_clock, playbook("mechanisms:\n  check_in:\n    daily_summary: '21:00'\n")
    )
    check_in(c, "mei", DAY - timedelta(days=1))
    check_in(c, "mei", DAY)
    check_in(c, "bob", DAY + timedelta(minutes=1))
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    assert store.scheduled(f"checkin:summary:{group.id}:2026-05-01") is not None
    store_clock.set(datetime(2026, 5, 1, 20, 1, tzinfo=UTC))  # 21:01 in London
    c.engine.tick()
    asyncio.run(c.engine.drain())
    summaries = [p.action.text for p in c.carrier.performed if p.action.kind is ActionKind.SEND]
    assert (
        summaries[-1]
        == "📊 2 checked in today. Longest streaks: mei 2 days, bob 1 day. Keep it up tomorrow!"
    )
    tomorrow = store.scheduled(f"checkin:summary:{group.id}:2026-05-02")
    assert tomorrow is not None and tomorrow.status == "pending"
    store_clock.set(datetime(2026, 5, 2, 20, 1, tzinfo=UTC))
    c.engine.tick()  # nobody checked in on 2 May: nothing posted, and the chain rests
    asyncio.run(c.engine.drain())
    assert [
        p.action.text for p in c.carrier.performed if p.action.kind is ActionKind.SEND
    ] == summaries
    assert store.scheduled(f"checkin:summary:{group.id}:2026-05-03") is None


def test_check_ins_can_be_turned_off(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook("mechanisms:\n  check_in:\n    enabled: false\n"))
    [p] = c.engine.process([c.events.message("mei", "check in", at=DAY)])
    assert said([p]) == []


def test_two_check_ins_at_the_same_moment_count_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    check_in(c, "mei", DAY - timedelta(days=1))
    community_id, mei = c.runtime.community_id, c.member_id("mei")
    start = Barrier(2)

    def one(_: int) -> bool:
        start.wait()
        return SqlCheckIns.on(store).check_in(community_id, mei, date(2026, 5, 1), DAY).created

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(one, range(2))) == [False, True]
    assert SqlCheckIns.on(store).streak_of(community_id, mei, date(2026, 5, 1)) == 2


def test_a_check_in_made_elsewhere_while_a_batch_waits_to_write_waits_and_finds_it_done(
    store: Store, store_clock: FrozenClock
) -> None:
    """Inside a batch a check-in is written at the commit, but its day's counter is taken at
    once: the same member checking in through another worker meanwhile waits for the batch,
    then finds today's check-in made (no second row, no points twice)."""
    c = community(store, store_clock)
    check_in(c, "mei", DAY - timedelta(days=1))
    community_id, mei = c.runtime.community_id, c.member_id("mei")
    points = SqlPoints.on(store).points_of(community_id, mei)

    def elsewhere() -> bool:  # another worker, its own transaction
        return SqlCheckIns.on(store).check_in(community_id, mei, DAY.date(), DAY).created

    with ThreadPoolExecutor(1) as pool:
        with store.transaction() as tx:
            waiting = SqlCheckIns.on(tx).check_in(community_id, mei, DAY.date(), DAY)
            SqlCheckIns.on(tx).award_later(community_id, mei, 1, "check-in", DAY, event_id=None)
            assert (waiting.created, waiting.streak) == (True, 2)
            other = pool.submit(elsewhere)
            _settled(store, other)
        assert other.result() is False, "the other worker found today's check-in made"
    assert SqlPoints.on(store).points_of(community_id, mei) == points + 1
    assert SqlCheckIns.on(store).check_ins_on(community_id, DAY.date()) == 1
    assert SqlCheckIns.on(store).check_in(community_id, mei, DAY.date(), DAY).position == 1


def test_a_batch_that_read_before_another_batch_committed_the_same_check_in_fails_whole(
    store: Store, store_clock: FrozenClock
) -> None:
    """Two batches checking the same member in at the same instant: the second read the
    member's rows before the first committed, so it fails whole at its commit (nothing of it
    kept, no points twice) and the engine handles it again, when it is done already."""
    c = community(store, store_clock)
    check_in(c, "mei", DAY - timedelta(days=1))
    community_id, mei = c.runtime.community_id, c.member_id("mei")
    if store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer: a batch holds the write lock from its first write")
    points = SqlPoints.on(store).points_of(community_id, mei)

    def second_batch() -> int:
        with store.transaction() as tx:
            SqlCheckIns.on(tx).check_in(community_id, mei, DAY.date(), DAY)
            SqlCheckIns.on(tx).award_later(community_id, mei, 1, "check-in", DAY, event_id=None)
        return 0

    with ThreadPoolExecutor(1) as pool:
        with store.transaction() as tx:
            SqlCheckIns.on(tx).check_in(community_id, mei, DAY.date(), DAY)
            SqlCheckIns.on(tx).award_later(community_id, mei, 1, "check-in", DAY, event_id=None)
            other = pool.submit(second_batch)
            _settled(store, other)
        with pytest.raises(StoreError, match="checked in at the same moment"):
            other.result()
    assert SqlPoints.on(store).points_of(community_id, mei) == points + 1  # the first's only
    assert "already checked in today: 2-day streak" in check_in(c, "mei", DAY + timedelta(hours=1))


def _settled(store: Store, other: Future[int]) -> None:
    """Wait until `other` is done, or (PostgreSQL) waits for a lock this test holds. SQLite
    takes one writer at a time: there, it waits for the commit and nothing needs watching."""
    if store.engine.dialect.name != "postgresql":
        return
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                   "AND datname = current_database()")  # fmt: skip
    for _ in range(6000):
        with store.engine.connect() as watch:
            if other.done() or watch.scalar(waiting):
                return
        sleep(0.01)
    raise AssertionError("the second check-in neither finished nor waited")


def test_two_members_checking_in_at_once_in_different_workers_get_different_places(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    check_in(c, "mei", DAY - timedelta(days=1))
    check_in(c, "li", DAY - timedelta(days=1))
    community_id, mei, li = c.runtime.community_id, c.member_id("mei"), c.member_id("li")
    today = date(2026, 5, 1)

    def theirs() -> int:  # another worker, its own transaction
        return SqlCheckIns.on(store).check_in(community_id, li, today, DAY).position

    with ThreadPoolExecutor(1) as pool:
        with store.transaction() as tx:  # this worker's batch, not committed yet
            mine = SqlCheckIns.on(tx).check_in(community_id, mei, today, DAY).position
            other = pool.submit(theirs)
            _settled(store, other)
        assert sorted([mine, other.result()]) == [1, 2], "one of them is #2 today"
    assert SqlCheckIns.on(store).check_in(community_id, mei, today, DAY).position == 1, (
        "checking in again tells the same place"
    )


def test_two_workers_checking_in_members_of_two_communities_in_opposite_orders_never_deadlock(
    store: Store, store_clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A batch checks in a member of each of two communities, each taking its community
    day's counter until the commit; another worker's batch does the same the other way round.
    Every batch locks its counters before deciding anything, in one order (by community, then
    day), so the second waits for the first. Before, each locked a counter as it came to it:
    each held one and waited for the other's, and PostgreSQL broke the deadlock after a
    second by failing one batch (the engine took it for the database being away, waited and
    decided the batch again)."""
    if store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer: a batch holds the write lock from its first write")
    tea = runtime_for(store, playbook())
    coffee = runtime_for(store, parse_playbook(MINIMAL.replace("slug: tea", "slug: coffee")
                                               .replace("Tea Friends", "Coffee Friends")
                                               + RULES).playbook)  # fmt: skip
    store.add_group(tea.community_id, "Tea 1", "fake", "tea-1")
    store.add_group(coffee.community_id, "Coffee 1", "fake", "coffee-1")
    runtimes = {tea.community_id: tea, coffee.community_id: coffee}
    events = EventBuilder(DAY)
    mine = [events.message("mei", "check in", group="tea-1", at=DAY),
            events.message("mei", "check in", group="coffee-1", at=DAY)]  # fmt: skip
    theirs = [events.message("li", "check in", group="coffee-1", at=DAY),
              events.message("li", "check in", group="tea-1", at=DAY)]  # fmt: skip
    workers = [Executor(store, store_clock, runtimes) for _ in range(2)]
    for worker in workers:  # each knows the groups and members before the race
        worker.process([events.message(u, "hello", group=g) for u in ("mei", "li")
                        for g in ("tea-1", "coffee-1")])  # fmt: skip
    first_counter = _counter_taken_by_both(store)
    with first_counter, ThreadPoolExecutor(2) as pool:
        running = [pool.submit(workers[0].process, mine), pool.submit(workers[1].process, theirs)]
        done = [r.result() for r in running]
    assert not [r for r in caplog.records if "failed" in r.getMessage()], (
        "neither batch failed (a deadlock broken by PostgreSQL fails one)"
    )
    replies = sorted(t for batch in done for t in said(batch))
    assert len(replies) == 4 and all("checked in" in t.lower() for t in replies)
    for community_id in runtimes:
        assert SqlCheckIns.on(store).check_ins_on(community_id, DAY.date()) == 2


@contextmanager
def _counter_taken_by_both(store: Store) -> Iterator[None]:
    """While the block runs, a thread that has run its first statement on the check-in
    counters waits until the other thread has run its own, or waits for a lock, or is done:
    both take a first counter before either goes on (the moment a deadlock needs)."""
    firsts: dict[int, threading.Event] = {}
    guard = threading.Lock()
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                   "AND datname = current_database()")  # fmt: skip

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "checkin_days" not in statement:
            return
        me = threading.get_ident()
        with guard:
            if me in firsts:
                return
            firsts[me] = threading.Event()
            firsts[me].set()
        for _ in range(3000):
            others = [e for t, e in firsts.items() if t != me]
            if others and others[0].is_set():
                return
            with store.engine.connect() as watch:
                if watch.scalar(waiting):
                    return
            sleep(0.01)

    event.listen(store.engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(store.engine, "after_cursor_execute", after)


def test_a_batch_of_check_ins_reads_its_members_days_once_and_decides_each_in_order(
    store: Store, store_clock: FrozenClock
) -> None:
    """A batch's check-ins read their members' rows of today and yesterday in one statement
    before it is decided (`read_ahead`), not one per check-in; each is still decided in its
    order: a member checking in twice in the batch is told the second time they did (also
    after the leaderboard wrote the batch's check-ins so far: hers is read again), a streak
    goes on from yesterday's row (stored, or made earlier in the same batch), a member
    checked in already today is told so."""
    c = community(store, store_clock)
    yesterday, today = DAY - timedelta(days=1), DAY
    check_in(c, "mei", yesterday - timedelta(days=1))
    c.engine.process([c.events.message(u, "check in", at=yesterday) for u in ("mei", "li")])
    check_in(c, "ana", today)  # ana is #1 today, before the batch
    reads: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().startswith("SELECT checkins.id"):  # a check-in's rows
            reads.append(statement)

    batch = [
        c.events.message("mei", "check in", at=today),
        c.events.message("bob", "check in", at=today + timedelta(minutes=1)),
        c.events.message("mei", "check in", at=today + timedelta(minutes=2)),
        c.events.message("ana", "/rank", at=today + timedelta(minutes=2)),
        c.events.message("mei", "check in", at=today + timedelta(minutes=3)),
        c.events.message("li", "check in", at=today + timedelta(minutes=3)),
        c.events.message("ana", "check in", at=today + timedelta(minutes=4)),
        c.events.message("bob", "check in", at=today + timedelta(days=1)),
    ]
    event.listen(Engine, "before_cursor_execute", seen)  # the store's writer, too
    try:
        replies = [t for t in said(c.engine.process(batch)) if "checked in" in t]
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert replies == [
        "✅ mei checked in: #2 today, 3-day streak, +1 points",
        "✅ bob checked in: #3 today, 1-day streak, +1 points",
        "mei, you already checked in today: 3-day streak. See you tomorrow!",
        "mei, you already checked in today: 3-day streak. See you tomorrow!",
        "✅ li checked in: #4 today, 2-day streak, +1 points",
        "ana, you already checked in today: 1-day streak. See you tomorrow!",
        "✅ bob checked in: #1 today, 2-day streak, +1 points",
    ]
    # the batch's read, then mei's and bob's again (the leaderboard wrote their check-ins);
    # a batch failed and decided again in halves would read ahead again
    ahead = ["member_id IN" in r for r in reads]
    assert ahead == [True, False, False], "one read for the batch, two after the leaderboard"
    community_id = c.runtime.community_id
    streaks = {u: SqlCheckIns.on(store).streak_of(community_id, c.member_id(u), today.date())
               for u in ("mei", "li", "ana")}  # fmt: skip
    assert streaks == {"mei": 3, "li": 2, "ana": 1}
    assert SqlCheckIns.on(store).check_ins_on(community_id, today.date()) == 4
    assert SqlPoints.on(store).points_of(community_id, c.member_id("bob")) == 2


def test_a_closed_group_gets_no_daily_summary(store: Store, store_clock: FrozenClock) -> None:
    """The operator closed the group after the morning's check-ins (`hearth groups close`):
    its members were told to carry on elsewhere, and the evening's summary is not posted."""
    c = community(
        store, store_clock, playbook("mechanisms:\n  check_in:\n    daily_summary: '21:00'\n")
    )
    check_in(c, "mei", DAY)
    store.add_group(c.runtime.community_id, "g2", "fake", "g2")
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.close_group(group.id, "ops")
    store_clock.set(datetime(2026, 5, 1, 20, 1, tzinfo=UTC))  # 21:01 in London
    c.engine.tick()
    asyncio.run(c.engine.drain())
    posted = [p.action.text or "" for p in c.carrier.performed if p.action.kind is ActionKind.SEND]
    assert not [t for t in posted if "checked in today" in t]
    # not dropped unseen: the operator finds it in the audit log (the console's Audit page)
    [unsaid] = [e for e in store.audit_entries(c.runtime.community_id)
                if e.action == "group.closed.unsaid"]  # fmt: skip
    assert unsaid.target == f"group {group.id}" and unsaid.detail["why"] == "the group is closed"
    assert "checked in today" in unsaid.detail["text"]


def test_a_long_closed_group_writes_its_unsaid_summary_once_per_closing(
    store: Store, store_clock: FrozenClock
) -> None:
    """Closed for a week, the group's daily summary is left unsaid each evening: the audit
    log says so once (and that later ones are not written), not once a day, so the Audit
    page keeps the operators' decisions in view; closed again after a reopening, once more."""
    c = community(
        store, store_clock, playbook("mechanisms:\n  check_in:\n    daily_summary: '21:00'\n")
    )
    check_in(c, "mei", DAY - timedelta(days=1))  # the group's first message
    store.add_group(c.runtime.community_id, "g2", "fake", "g2")
    group = store.group_for_carrier("fake", "g1")
    assert group is not None

    def evenings(first: date, days: int) -> None:
        for n in range(days):
            day = first + timedelta(days=n)
            check_in(c, "mei", datetime(day.year, day.month, day.day, 8, tzinfo=UTC))
            store_clock.set(datetime(day.year, day.month, day.day, 20, 1, tzinfo=UTC))
            c.engine.tick()
            asyncio.run(c.engine.drain())

    def unsaid() -> list[Any]:  # the daily summaries' (a weekly level round has its own)
        return [e for e in store.audit_entries(c.runtime.community_id, limit=500)
                if e.action == "group.closed.unsaid" and e.detail["handler"] == "checkin"]  # fmt: skip

    store.close_group(group.id, "ops")
    evenings(DAY.date(), 7)
    [entry] = unsaid()
    assert "checked in today" in entry.detail["text"]
    assert entry.detail["again"] == ("later ones of this kind are not written while the group "
                                     "stays closed")  # fmt: skip
    store.reopen_group(group.id)
    store.close_group(group.id, "ops")
    evenings(DAY.date() + timedelta(days=7), 2)
    assert len(unsaid()) == 2


def test_a_closed_group_with_a_long_history_since_still_writes_its_unsaid_summary_once(
    store: Store, store_clock: FrozenClock
) -> None:
    """Whether a kind was left unsaid since the closing was read from the newest 50 entries
    about the group: with more written since (staff's work on the group, other kinds left
    unsaid), the evening's summary was written again each evening."""
    c = community(
        store, store_clock, playbook("mechanisms:\n  check_in:\n    daily_summary: '21:00'\n")
    )
    check_in(c, "mei", DAY - timedelta(days=1))
    store.add_group(c.runtime.community_id, "g2", "fake", "g2")
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.close_group(group.id, "ops")
    for n in range(3):
        day = DAY.date() + timedelta(days=n)
        check_in(c, "mei", datetime(day.year, day.month, day.day, 8, tzinfo=UTC))
        store_clock.set(datetime(day.year, day.month, day.day, 20, 1, tzinfo=UTC))
        c.engine.tick()
        asyncio.run(c.engine.drain())
        store.audit_bulk([NewAudit("console:ann", "group.note", c.runtime.community_id,
                                   f"group {group.id}", {"n": i}, store_clock.now())
                          for i in range(60)])  # fmt: skip
    unsaid = [e for e in store.audit_entries(c.runtime.community_id, limit=None)
              if e.action == "group.closed.unsaid" and e.detail["handler"] == "checkin"]  # fmt: skip
    assert len(unsaid) == 1, [e.at for e in unsaid]
