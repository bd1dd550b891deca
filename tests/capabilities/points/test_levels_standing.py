"""The level check after a check-in reads the member's level and their activity in one
statement (`SqlLevels.standing`): it must find what the two plain reads it replaces find
(`member_level`, then `activity` over the window the level names), on SQLite and PostgreSQL,
with the transaction's own check-ins and points still waiting to be written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event

from hearthkeeper.capabilities.checkin.repository import SqlCheckIns
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.points.levels_effects import next_windows
from hearthkeeper.capabilities.points.levels_repository import SqlLevels, Standing
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook.structure import Criteria, Level
from hearthkeeper.store import NewMessage, Store
from tests.capabilities.points.test_levels import check_in, pyramid
from tests.engine_setup import community, playbook

START = datetime(2026, 5, 1, 22, 30, tzinfo=UTC)  # late evening: Shanghai is a day ahead
ZONES = (ZoneInfo("Asia/Shanghai"), ZoneInfo("America/Los_Angeles"))


def plain(levels: SqlLevels, community_id: int, member_id: int,
          windows: dict[str, timedelta | None], other: timedelta | None, now: datetime,
          zone: ZoneInfo) -> Standing:  # fmt: skip
    """What the level check read before: the level, then the activity over its window."""
    placed = levels.member_level(community_id, member_id)
    window = other if placed is None else windows.get(placed.level, other)
    if window is None:
        return Standing(placed, None, None)
    return Standing(placed, window, levels.activity(community_id, member_id, now - window, zone))


def test_the_standing_read_in_one_statement_is_the_plain_reads(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(START)
    c = community(store, store_clock, playbook(pyramid(keep=2)))
    users = ("ann", "bob", "cai", "dee", "eve")
    c.engine.process([c.events.message(u, "hello", at=START) for u in users])
    cid = c.runtime.community_id
    ids = {u: c.member_id(u) for u in users}
    [group] = store.list_groups(cid)
    # Messages over six weeks (one deleted), points earned and redeemed, check-ins.
    rows = [NewMessage(group.id, f"m{u}{d}{h}", ids[u], "text", "chat",
                       START - timedelta(days=d, hours=h))
            for i, u in enumerate(users[:4]) for d in range(0, 40, i + 2) for h in (0, 20)]  # fmt: skip
    store.store_messages(rows)
    [gone] = [m for m in store.messages(group.id) if m.carrier_event_id == "mann100"]
    staff.delete_message(store, gone.id, "manager", START)  # counts towards nothing
    for d in range(0, 30, 3):
        at = START - timedelta(days=d)
        store.award_points(cid, ids["bob"], 7, "share", at)
        store.award_points(cid, ids["bob"], -3, "redeemed", at)
        SqlCheckIns.on(store).check_in(cid, ids["cai"], at.date(), at)
    levels = SqlLevels.on(store)
    assert levels.change_level(cid, ids["bob"], None, "regular", "test", START) is not None
    assert levels.change_level(cid, ids["cai"], None, "elder", "test", START) is not None
    assert levels.change_level(cid, ids["dee"], None, "gone", "test", START) is not None

    pyramid_levels = [Level(id="newcomer", name="N"),
                      Level(id="regular", name="R", promote=Criteria(messages=3, window=timedelta(days=7))),
                      Level(id="elder", name="E", promote=Criteria(points=30, window=timedelta(days=30))),
                      Level(id="top", name="T")]  # fmt: skip
    shapes = [
        next_windows(pyramid_levels),
        ({"regular": timedelta(hours=5), "elder": None}, timedelta(days=40)),
        ({}, timedelta(days=1)),
        ({"newcomer": None}, None),
    ]
    compared = 0
    for zone in ZONES:
        for now in (START, START + timedelta(days=3, hours=7)):
            for windows, other in shapes:
                with store.transaction() as tx:
                    # the transaction's own check-in and points, waiting to be written
                    SqlCheckIns.on(tx).check_in(cid, ids["eve"], date(2026, 5, 2), now)
                    SqlCheckIns.on(tx).award_later(cid, ids["eve"], 5, "check-in", now,
                                                   event_id=None)  # fmt: skip
                    SqlCheckIns.on(tx).award_later(cid, ids["bob"], 4, "check-in", now,
                                                   event_id=None)  # fmt: skip
                    read = SqlLevels.on(tx)
                    for user in users:
                        one = read.standing(cid, ids[user], windows, other, now, zone)
                        assert one == plain(read, cid, ids[user], windows, other, now, zone), user
                        compared += one.activity is not None and one.activity.messages > 0
    assert compared > 20, "most comparisons saw messages"


def test_each_check_in_is_judged_on_the_window_of_the_level_the_member_holds(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member promoted earlier is judged on the next level's window, not the first one's
    (with the first one's 30 days, the check-in of day 11 would make mei an elder)."""
    c = community(store, store_clock, playbook("""\
structure:
  levels:
    - {id: newcomer, name: Newcomer}
    - id: regular
      name: Regular
      promote: {check_ins: 2, window: 30d}
    - id: elder
      name: Elder
      promote: {check_ins: 3, window: 3d}
"""))  # fmt: skip
    day = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    heard = {d: check_in(c, "mei", day + timedelta(days=d)) for d in (0, 10, 11, 12)}
    assert [len(heard[d]) for d in (0, 11)] == [1, 1], "no promotion on days 0 and 11"
    assert heard[10][1] == "🎉 mei is now Regular!"
    assert heard[12][1] == "🎉 mei is now Elder!", "three check-ins within three days"


def test_the_level_check_reads_on_the_cursor_without_sqlalchemys_execution(
    store: Store, store_clock: FrozenClock
) -> None:
    """The level check after each check-in sends its one statement, built once, on the
    driver's cursor (`store.prepared.run`, its times read back as the columns' types say):
    SQLAlchemy's execution (the compiled form looked up, an execution context, a result)
    was most of what the read cost."""
    store_clock.set(START)
    c = community(store, store_clock, playbook(pyramid(keep=2)))
    c.engine.process([c.events.message("ann", f"hello {n}", at=START) for n in range(3)])
    cid, ann = c.runtime.community_id, c.member_id("ann")
    executed: list[object] = []

    def on_execute(_conn: object, statement: object, *_rest: object) -> None:
        executed.append(statement)

    windows: dict[str, timedelta | None] = {}
    week = timedelta(days=7)  # never placed: judged on the bottom level's window
    with store.transaction() as tx:
        SqlLevels.on(tx).standing(cid, ann, windows, week, START, ZONES[0])  # compiled
        event.listen(store.engine, "before_execute", on_execute)
        try:
            read = SqlLevels.on(tx).standing(cid, ann, windows, week, START, ZONES[0])
        finally:
            event.remove(store.engine, "before_execute", on_execute)
    assert executed == []
    assert read.activity is not None and read.activity.messages == 3
    assert read == plain(SqlLevels.on(store), cid, ann, windows, week, START, ZONES[0])
