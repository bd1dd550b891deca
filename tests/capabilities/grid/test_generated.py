"""The matrix on a generated community of 50 groups: every warning a user reads, the stages,
and the watch alerting staff once per condition through the engine, across a restart."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event

from hearthkeeper.assembly import plan_community, runtime_for
from hearthkeeper.capabilities.grid.decide import matrix_warnings
from hearthkeeper.capabilities.grid.load import load_matrix
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import Playbook, parse_playbook
from hearthkeeper.store import Store
from hearthkeeper.testing import FakeCarrier
from tests.capabilities.grid.generated import (
    CIRCLE,
    DEAD,
    DECLINING,
    DYING,
    FULL,
    GROWING,
    NEW,
    NOW,
    PLAYBOOK,
    ZONE,
    Grid,
    name,
)

WARNINGS = [
    "Li Wei is in charge of 12 groups (Orange 1, Orange 2, Orange 3, Orange 4, Orange 5 …); "
    "copy.max_groups_per_manager is 10: hand 2 of them to another manager before opening more "
    "— groups nobody looks after turn into ad groups.",
    "Orange 3 holds 186 of 200 members (93%): near capacity — newcomers will soon need another "
    "group.",
    "In Orange 7 (121 members), 20 members wrote 86% of the 400 messages of the last 28 days: "
    "the talk lives in a small circle — consider splitting them into a group of their own "
    "(structure.groups.small_circle_size: 20).",
    "Orange 12 is dying: 2 messages this week vs 40/week over the four weeks before — merge it "
    "into a livelier group or close it before it turns into an ad group "
    '(hearth groups close "Orange 12" --into OTHER).',
    "Orange 13 is dying: not one message in the last 28 days, with 41 members in it — merge it "
    "into a livelier group or close it before it turns into an ad group "
    '(hearth groups close "Orange 13" --into OTHER).',
]


def _playbook() -> Playbook:
    return parse_playbook(PLAYBOOK).playbook


def test_the_matrix_of_50_groups_warns_of_each_situation(grid: Grid) -> None:
    store, made = grid.store, grid.made
    pb = _playbook()
    matrix = load_matrix(store, made.community_id, pb, ZONE, NOW)

    assert len(matrix.lines) == 50
    assert [w.text() for w in matrix_warnings(matrix.lines, pb)] == WARNINGS
    stages = {line.name: line.stage.value for line in matrix.lines}
    assert {n: s for n, s in stages.items() if s != "mature"} == {
        name(DYING): "dying", name(DEAD): "dying", name(DECLINING): "declining",
        name(GROWING): "growing", name(NEW[0]): "new", name(NEW[1]): "new",
    }  # fmt: skip
    line = {line.name: line for line in matrix.lines}
    assert (line[name(FULL)].members, line[name(FULL)].capacity) == (186, 200)
    assert (line[name(1)].messages_7d, line[name(1)].speakers_7d) == (30, 15)
    assert [(k.name, k.assigned) for k in line[name(1)].keepers] == [("Li Wei", True)]
    assert [(k.name, k.assigned) for k in line[name(DEAD)].keepers] == [("Wang Fang", False)]
    assert line[name(30)].keepers == ()
    assert all(line[name(n)].health is not None for n in (1, CIRCLE, DYING))


def test_the_matrix_reads_the_store_a_fixed_number_of_times_whatever_the_groups(
    grid: Grid,
) -> None:
    store, made = grid.store, grid.made
    statements: list[str] = []

    def count(*args: object) -> None:
        if str(args[2]).lstrip().upper().startswith("SELECT"):
            statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        load_matrix(store, made.community_id, _playbook(), ZONE, NOW)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) < 20, "a read per group would be 50 or more"


def _grid_alerts(store: Store, community_id: int) -> list[str]:
    return [a.text for a in store.staff_alerts(community_id, open_only=False)
            if a.handler == "grid"]  # fmt: skip


def test_staff_are_alerted_once_per_condition_across_hours_and_a_restart(
    grid: Grid, store_clock: FrozenClock
) -> None:
    store, made = grid.store, grid.made
    runtime = runtime_for(store, _playbook())

    def engine() -> tuple[Engine, FakeCarrier]:
        carrier = FakeCarrier("fake")
        return Engine(store, store_clock, [runtime], {"fake": carrier}), carrier

    running, carrier = engine()
    plan_community(store, made.community_id, runtime.playbook, NOW)
    store_clock.set(NOW + timedelta(hours=1))
    running.tick()
    assert sorted(_grid_alerts(store, made.community_id)) == sorted(WARNINGS)
    asyncio.run(running.drain())
    direct = sorted((p.action.member or "", p.action.text or "") for p in carrier.performed
                    if p.action.kind is ActionKind.DIRECT)  # fmt: skip
    # both managers (the playbook's manager role may receive alerts) hear of each, privately
    assert direct == sorted((who, f"⚠ Staff alert: {text}")
                            for who in ("li", "wang") for text in WARNINGS)  # fmt: skip

    store_clock.set(NOW + timedelta(hours=2))
    running.tick()
    running, carrier = engine()  # a restart: nothing carried over in memory
    store_clock.set(NOW + timedelta(hours=3))
    running.tick()
    asyncio.run(running.drain())
    assert len(_grid_alerts(store, made.community_id)) == 5, "the same conditions, not again"
    assert carrier.performed == []

    # Orange 3 empties a little: its condition closes after three days without it ...
    full = made.groups[FULL]
    leaving = [s.member_id for s in store.active_members(full)][:30]
    with store.transaction() as tx:
        for member_id in leaving:
            tx.leave(member_id, full, at=NOW + timedelta(hours=3))
    for hours in range(4, 4 + 24 * 4, 6):
        store_clock.set(NOW + timedelta(hours=hours))
        running.tick()
    # ... and when it fills again, staff hear of it again
    with store.transaction() as tx:
        for member_id in leaving:
            tx.join(member_id, full, at=NOW + timedelta(days=4, hours=1))
    store_clock.set(NOW + timedelta(days=4, hours=2))
    running.tick()
    capacity = [t for t in _grid_alerts(store, made.community_id) if t.startswith("Orange 3 ")]
    assert len(capacity) == 2


def test_a_group_the_matrix_calls_dead_gets_the_heat_death_warning_too(grid: Grid) -> None:
    """Orange 13 (41 members, its last messages 40 days ago, no output) was "dying" in the
    matrix but had no heat-death warning: activity could not "decay" from a week of nothing
    to a week of nothing. A group with members and not one message in 28 days is warned; a new
    group (Orange 49, 50) is not."""
    from hearthkeeper.analytics.vitals import community_vitals
    from tests.capabilities.grid.generated import TODAY

    store, made = grid.store, grid.made
    vitals = community_vitals(store, made.community_id, as_of=TODAY, zone=ZONE,
                              playbook=_playbook(), name="Orange")  # fmt: skip
    dead = vitals.groups[made.groups[DEAD]].heat
    assert dead.warning and dead.activity_decays, dead
    assert ("No message in the last 28 days (the last on 2026-10-11), with 41 members in it."
            in dead.reasons), dead.reasons  # fmt: skip
    for n in NEW:
        assert not vitals.groups[made.groups[n]].heat.warning, name(n)
    assert not vitals.groups[made.groups[1]].heat.activity_decays  # a steady group


def test_a_closed_dying_group_is_shown_closed_with_no_warning_or_heat_death(grid: Grid) -> None:
    """The operator closed the dead Orange 13 and the dying Orange 12 (`hearth groups close`):
    the matrix, the hourly watch and the Health page kept telling them to merge or close
    them. They are shown as closed and warned of no more; the other warnings stay."""
    from hearthkeeper.analytics.vitals import community_vitals
    from hearthkeeper.capabilities.grid.stage import Stage
    from tests.capabilities.grid.generated import TODAY

    store, made = grid.store, grid.made
    for n in (DEAD, DYING):
        store.close_group(made.groups[n], "ops")
    matrix = load_matrix(store, made.community_id, _playbook(), ZONE, NOW)
    stages = {line.name: line.stage for line in matrix.lines}
    assert stages[name(DEAD)] is Stage.CLOSED and stages[name(DYING)] is Stage.CLOSED
    said = [w.text() for w in matrix_warnings(matrix.lines, _playbook())]
    assert said[1:] == WARNINGS[1:3]  # no dying warning; a closed group needs no manager:
    assert said[0].startswith("Li Wei is in charge of 11 groups")  # one fewer for Li Wei
    vitals = community_vitals(store, made.community_id, as_of=TODAY, zone=ZONE,
                              playbook=_playbook(), name="Orange")  # fmt: skip
    dead = vitals.groups[made.groups[DEAD]].heat
    assert not dead.warning and dead.reasons == (
        "Closed by ops (hearth groups close): no warning about it.",)  # fmt: skip


def _silence_this_week(store: Store, group_ids: list[int]) -> None:
    """The groups' last 7 days of messages gone from the rollups: each collapses to 0 against
    its 30 a week before (dying), as a history imported for hundreds of groups can show."""
    from sqlalchemy import delete

    from hearthkeeper.store.models.rollups import ActivityDayRow, GroupDayRow
    from tests.capabilities.grid.generated import TODAY

    week = TODAY - timedelta(days=6)
    with store.engine.begin() as connection:
        for model in (ActivityDayRow, GroupDayRow):
            table = model.__table__
            connection.execute(delete(table).where(
                table.c.group_id.in_(group_ids), table.c.day >= week))  # fmt: skip


def test_many_groups_found_dying_at_once_are_one_alert_naming_them(
    grid: Grid, store_clock: FrozenClock
) -> None:
    """Thirteen groups dying at the first watch (an imported matrix): staff get one alert
    naming them, not thirteen alerts, each also sent to both managers privately; the other
    conditions are alerted one by one as before, and none of the thirteen alerts again."""
    store, made = grid.store, grid.made
    quiet = list(range(30, 41))  # steady groups of 30 messages a week, silent this week
    _silence_this_week(store, [made.groups[n] for n in quiet])
    runtime = runtime_for(store, _playbook())
    carrier = FakeCarrier("fake")
    running = Engine(store, store_clock, [runtime], {"fake": carrier})
    plan_community(store, made.community_id, runtime.playbook, NOW)
    store_clock.set(NOW + timedelta(hours=1))
    running.tick()

    dying = [n for n in sorted([DYING, DEAD, *quiet])]
    summary = (
        "13 groups are dying: " + ", ".join(name(n) for n in dying[:10]) + " and 3 more — "
        "merge each into a livelier group or close it before it turns into an ad group "
        "(hearth groups close GROUP --into OTHER; the matrix page lists them all)."
    )
    alerts = _grid_alerts(store, made.community_id)
    assert sorted(alerts) == sorted([*WARNINGS[:3], summary])
    asyncio.run(running.drain())
    direct = [p.action.text for p in carrier.performed if p.action.kind is ActionKind.DIRECT]
    assert sorted(direct) == sorted(f"⚠ Staff alert: {t}" for t in [*WARNINGS[:3], summary] * 2)

    store_clock.set(NOW + timedelta(hours=2))
    running.tick()
    assert len(_grid_alerts(store, made.community_id)) == 4, "the same conditions, not again"
    matrix = load_matrix(store, made.community_id, _playbook(), ZONE, NOW)
    assert sum(w.kind.value == "dying" for w in matrix_warnings(matrix.lines, _playbook())) == 13
