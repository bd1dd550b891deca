"""The live rollups: bumped by the engine in the batch's transaction, rebuilt from the stored
rows with the same result, days cut at the community's local midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from typer.testing import CliRunner

from hearthkeeper.analytics.metrics import group_metrics
from hearthkeeper.cli import app
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.events import Reaction, Sender
from hearthkeeper.playbook.diff import playbook_content
from hearthkeeper.store import (
    ActivityDay,
    GroupDay,
    GroupDayKind,
    Store,
    create_engine_for,
    sqlite_url,
    upgrade,
)
from hearthkeeper.store.localday import offset_segments
from hearthkeeper.store.rollups import RollupTally, is_question, local_day
from tests.engine_setup import Community, community, playbook
from tests.sql_plans import sqlite_plan

AD = "加我微信 abc12345 低价出货"
NO_RULES_GATE = "joining:\n  ceremony:\n    accept_rules: false\n"
LONDON = ZoneInfo("Europe/London")
MAY_1 = date(2026, 5, 1)


def _rollups(store: Store, group_id: int) -> tuple[list[ActivityDay], list[GroupDay],
                                                   list[GroupDayKind]]:  # fmt: skip
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    return (store.activity_days([group_id], start, end), store.group_days([group_id], start, end),
            store.group_day_kinds([group_id], start, end))  # fmt: skip


def _tea(store: Store, clock: FrozenClock) -> tuple[Community, int]:
    """The test community (Europe/London) with its playbook stored and a manager in g1;
    newcomers speak without accepting the rules first (else the bot deletes what they say,
    and a message the bot deletes is counted nowhere)."""
    c = community(store, clock, playbook(NO_RULES_GATE))
    store.add_playbook_version(c.runtime.community_id, "…", playbook_content(c.runtime.playbook),
                               "test")  # fmt: skip
    c.engine.process([c.events.join("boss", at=clock.now() - timedelta(days=1))])
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.set_role(c.member_id("boss"), group.id, "manager")
    c.restart()  # the engine reads the new role
    return c, group.id


def test_the_engine_bumps_the_rollups_as_events_arrive(store: Store, store_clock: FrozenClock
                                                       ) -> None:  # fmt: skip
    c, group_id = _tea(store, store_clock)
    e = c.events
    c.engine.process([
        e.join("ann"), e.join("bob"),
        e.message("ann", "Which tea for the morning?"),
        e.message("bob", "Assam.", kind="text"),
        e.message("bob", "", kind="picture"),
        e.message("boss", "Welcome both"),
        e.message("spam", AD),  # a strike for advertising; deleted: not counted
        e.leave("bob"),
    ])  # fmt: skip
    activity, days, kinds = _rollups(store, group_id)

    ann, bob = c.member_id("ann"), c.member_id("bob")
    boss, spam = c.member_id("boss"), c.member_id("spam")
    # 09:00 UTC on 1 May is 10:00 in London: one local day.
    assert {(a.member_id, a.messages, a.questions) for a in activity} == {
        (ann, 1, 1), (bob, 2, 0), (boss, 1, 0)}, "the advert was deleted: spam spoke not"  # fmt: skip
    assert spam not in {a.member_id for a in activity}
    # 4 messages; 2 stays opened (ann, bob; boss joined the day before); 1 closed; 1 from staff.
    assert days[1:] == [GroupDay(group_id, MAY_1, messages=4, joins=2, leaves=1,
                                 staff_messages=1, violations=1)]  # fmt: skip
    assert {(k.kind, k.messages) for k in kinds} == {("text", 3), ("picture", 1)}


def test_a_redelivered_event_is_counted_once(store: Store, store_clock: FrozenClock) -> None:
    c, group_id = _tea(store, store_clock)
    message = c.events.message("ann", "hello")
    c.engine.process([message])
    c.engine.process([message])
    c.restart().process([message])

    _, [_, day], _ = _rollups(store, group_id)
    assert (day.day, day.messages) == (MAY_1, 1)


def test_the_rebuild_gives_what_the_engine_counted_live(store: Store, store_clock: FrozenClock
                                                        ) -> None:  # fmt: skip
    c, group_id = _tea(store, store_clock)
    e = c.events
    e.step = timedelta(hours=5)  # the events cross three local days
    c.engine.process([e.join("ann"), e.message("ann", "Green or black？"), e.message("spam", AD),
                      e.message("boss", "Both!"), e.leave("ann"), e.join("ann"),
                      e.message("ann", "", kind="voice"), e.message("spam", f"{AD} 2")])  # fmt: skip
    live = _rollups(store, group_id)
    assert len(live[1]) == 4 and sum(d.violations for d in live[1]) == 2  # 30 Apr: boss

    store.rebuild_rollups([group_id])
    assert _rollups(store, group_id) == live
    store.rebuild_rollups([group_id], since=MAY_1 + timedelta(days=1))  # idempotent, in part too
    assert _rollups(store, group_id) == live


def test_a_day_ends_at_the_communitys_local_midnight(store: Store, store_clock: FrozenClock
                                                     ) -> None:  # fmt: skip
    c, group_id = _tea(store, store_clock)
    # London is on summer time (UTC+1) in May: 22:59 UTC is 23:59 on 1 May, 23:01 UTC is
    # 00:01 on 2 May. In UTC both would be 1 May.
    before = datetime(2026, 5, 1, 22, 59, tzinfo=UTC)
    after = datetime(2026, 5, 1, 23, 1, tzinfo=UTC)
    c.engine.process([c.events.message("ann", "late", at=before),
                      c.events.message("ann", "early", at=after)])  # fmt: skip

    def messages_by_day() -> list[tuple[date, int]]:
        return [(d.day, d.messages) for d in _rollups(store, group_id)[1] if d.messages]

    assert messages_by_day() == [(MAY_1, 1), (date(2026, 5, 2), 1)]
    store.rebuild_rollups([group_id])
    assert messages_by_day() == [(MAY_1, 1), (date(2026, 5, 2), 1)]
    # The same instants in Shanghai (UTC+8) both fall on 2 May.
    store.rebuild_rollups([group_id], zone=ZoneInfo("Asia/Shanghai"))
    assert messages_by_day() == [(date(2026, 5, 2), 2)]


def test_rebuilding_after_an_import_counts_the_imported_history(store: Store) -> None:
    community_ = store.ensure_community("imported", "Imported")
    group = store.add_group(community_.id, "Old chat", "import:csv", "old")
    ann = store.member_for("import:csv", "ann", "Ann")
    for n, hour in enumerate((1, 2, 23)):
        store.record_message(group.id, f"m{n}", ann.id, "text", "hi?" if n else "hi",
                             datetime(2026, 3, 1, hour, tzinfo=UTC))  # fmt: skip
    assert _rollups(store, group.id) == ([], [], [])

    store.rebuild_rollups([group.id])  # no playbook: days in UTC

    activity, days, _ = _rollups(store, group.id)
    assert activity == [ActivityDay(group.id, ann.id, date(2026, 3, 1), 3, 2)]
    assert days == [GroupDay(group.id, date(2026, 3, 1), 3, 0, 0, 0, 0)]
    assert store.community_timezone(community_.id) == "UTC"


def test_reactions_are_recorded_once(store: Store, store_clock: FrozenClock) -> None:
    c, _ = _tea(store, store_clock)
    reaction = Reaction(carrier="fake", group="g1", event_id="r1", at=store_clock.now(),
                        sender=Sender(user_id="ann"), target="bot-7", emoji="👍")  # fmt: skip
    c.engine.process([reaction])
    c.engine.process([reaction])

    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT target_event_id, emoji FROM reactions")).all()
    assert [tuple(r) for r in rows] == [("bot-7", "👍")]


def test_question_and_day_rules() -> None:
    assert is_question("好喝吗？") and is_question("why?") and not is_question("好喝吗")
    assert local_day(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), LONDON) == date(2026, 3, 29)
    # Clocks go forward at 01:00 UTC on 29 March; 23:30 UTC on 29 March is 00:30 on the 30th.
    assert local_day(datetime(2026, 3, 29, 23, 30, tzinfo=UTC), LONDON) == date(2026, 3, 30)


def test_metrics_see_a_message_as_soon_as_the_engine_has_it(store: Store, store_clock: FrozenClock
                                                             ) -> None:  # fmt: skip
    c, group_id = _tea(store, store_clock)
    c.engine.process([c.events.message("ann", "first?"), c.events.message("bob", "yes")])

    m = group_metrics(store, c.runtime.community_id, start=MAY_1, end=MAY_1, tz=LONDON)
    today = m.groups[group_id].daily[0]
    assert (today.messages, today.active_members, today.questions) == (2, 2, 1)


def test_hearth_db_rollups_fills_the_rollups_of_an_upgraded_database(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    upgrade(url)
    store = Store(create_engine_for(url), FrozenClock(datetime(2026, 5, 1, tzinfo=UTC)))
    tea = store.ensure_community("tea", "Tea Friends")
    group = store.add_group(tea.id, "g", "fake", "g")
    ann = store.member_for("fake", "ann", "Ann")
    store.record_message(group.id, "m1", ann.id, "text", "hello", datetime(2026, 4, 1, tzinfo=UTC))
    env = {"HEARTH_DATABASE_URL": url}

    result = CliRunner().invoke(app, ["db", "rollups"], env=env)
    assert (
        result.exit_code == 0 and "tea: rollups rebuilt for 1 groups (days in UTC)" in result.output
    )
    assert [d.messages for d in _rollups(store, group.id)[1]] == [1]

    result = CliRunner().invoke(app, ["db", "rollups", "--community", "coffee"], env=env)
    assert result.exit_code == 1 and "no community 'coffee'" in result.output
    assert "tea" in result.output


def test_the_rebuild_cuts_days_at_local_midnight_across_a_clock_change(store: Store) -> None:
    tea = store.ensure_community("tea", "Tea Friends")
    group = store.add_group(tea.id, "g", "fake", "g")
    ann = store.member_for("fake", "ann", "Ann")
    for n, when in enumerate((
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # 23:30 GMT, 28 March
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 00:30 GMT, 29 March (clocks change at 01:00)
        datetime(2026, 3, 29, 22, 59, 59, 999_900, tzinfo=UTC),  # 23:59:59.9999 BST, 29 March
        datetime(2026, 3, 29, 23, 30, tzinfo=UTC),  # 00:30 BST, 30 March
    )):  # fmt: skip
        store.record_message(group.id, f"m{n}", ann.id, "text", "hi", when)

    store.rebuild_rollups([group.id], zone=LONDON)

    assert [(d.day, d.messages) for d in _rollups(store, group.id)[1]] == [
        (date(2026, 3, 28), 1), (date(2026, 3, 29), 2), (date(2026, 3, 30), 1)]  # fmt: skip


def test_offset_segments_find_each_clock_change_to_the_minute() -> None:
    segments = offset_segments(LONDON, datetime(2026, 1, 10, tzinfo=UTC),
                               datetime(2026, 12, 1, tzinfo=UTC))  # fmt: skip
    assert segments == [
        (datetime(2026, 1, 10, tzinfo=UTC), 0),
        (datetime(2026, 3, 29, 1, tzinfo=UTC), 3600),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), 0),
    ]
    kathmandu = offset_segments(ZoneInfo("Asia/Kathmandu"), datetime(2026, 1, 1, tzinfo=UTC),
                                datetime(2026, 2, 1, tzinfo=UTC))  # fmt: skip
    assert kathmandu == [(datetime(2026, 1, 1, tzinfo=UTC), 5 * 3600 + 45 * 60)]


def test_many_groups_rollups_come_in_order_of_day_from_the_day_index(store: Store) -> None:
    """A report reads all its groups' rows at once, in order of day, group and member, from
    `ix_activity_days_day` on SQLite (step 13: no sort, no look-up per row); one group's
    rows from the table's own key there (migration 0044: stored in order of group, day and
    member), with no sort either. Both give the rows a per-group read gives."""
    community = store.ensure_community("tea", "Tea")
    groups = [store.add_group(community.id, f"G{n}", "fake", f"g{n}").id for n in (1, 2)]
    ann, bob = (store.member_for("fake", name, name).id for name in ("ann", "bob"))
    tally = RollupTally()
    for day, group, member in [(MAY_1 + timedelta(days=1), groups[0], bob),
                               (MAY_1, groups[1], ann), (MAY_1, groups[0], bob),
                               (MAY_1, groups[0], ann)]:  # fmt: skip
        tally.message(group, member, day, "text", question=False, staff=False)
    store.bump_rollups(tally)
    start, end = date(2026, 1, 1), date(2026, 12, 31)

    rows = store.activity_days(groups, start, end)

    assert [(r.day, r.group_id, r.member_id) for r in rows] == [
        (MAY_1, groups[0], ann), (MAY_1, groups[0], bob), (MAY_1, groups[1], ann),
        (MAY_1 + timedelta(days=1), groups[0], bob)]  # fmt: skip
    assert sorted(rows) == sorted(r for g in groups for r in store.activity_days([g], start, end))
    if store.engine.dialect.name == "sqlite":
        _, plan = sqlite_plan(store, lambda: store.activity_days(groups, start, end), "activity")
        assert "COVERING INDEX ix_activity_days_day" in plan and "TEMP B-TREE" not in plan, plan
        _, plan = sqlite_plan(store, lambda: store.activity_days(groups[:1], start, end), "activ")
        assert "PRIMARY KEY (group_id=? AND day>? AND day<?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
