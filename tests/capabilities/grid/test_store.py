"""The matrix's store, on SQLite and PostgreSQL: who is in charge, conditions opened once,
and capacity overrides written and restored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.capabilities.grid.repository import SqlGrid
from hearthkeeper.store import Store

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _community(store: Store) -> tuple[int, list[int], dict[str, int]]:
    community = store.ensure_community("orange", "Orange")
    groups = [store.add_group(community.id, f"G{n}", "fake", f"g{n}", 100).id for n in (1, 2)]
    ids = store.member_ids({("fake", "li"): "Li", ("fake", "ann"): "Ann", ("fake", "bo"): ""})
    members = {user: ids[("fake", user)] for user in ("li", "ann", "bo")}
    store.join(members["li"], groups[0], role="manager")
    store.join(members["ann"], groups[0])
    return community.id, groups, members


def test_staff_are_put_in_charge_once_and_taken_off(store: Store) -> None:
    community_id, groups, members = _community(store)
    grid = SqlGrid.on(store)
    assert grid.staff_of(community_id) == {members["li"]: "Li"}, "only staff may be in charge"
    assert grid.assign(groups[1], members["li"], "console:op", NOW)
    assert not grid.assign(groups[1], members["li"], "console:op", NOW), "already"
    assert grid.in_charge(groups) == {groups[1]: [members["li"]]}
    assert not grid.unassign(groups[0], members["li"])
    assert grid.unassign(groups[1], members["li"])
    assert grid.in_charge(groups) == {}
    assert grid.display_names([members["ann"], members["bo"]]) == {
        members["ann"]: "Ann", members["bo"]: "bo"}, "no name: the carrier's id"  # fmt: skip


def test_a_condition_opens_once_until_it_is_closed(store: Store) -> None:
    community_id, _, _ = _community(store)
    grid = SqlGrid.on(store)
    with store.transaction() as tx:
        assert SqlGrid.on(tx).open_condition(community_id, "capacity:1", NOW)
    assert not grid.open_condition(community_id, "capacity:1", NOW + timedelta(hours=1))
    grid.hold_conditions(community_id, ["capacity:1"], NOW + timedelta(hours=2))
    [held] = grid.conditions(community_id).values()
    assert (held.opened_at, held.held_at) == (NOW, NOW + timedelta(hours=2))
    grid.close_conditions(community_id, ["capacity:1"])
    assert grid.conditions(community_id) == {}
    assert grid.open_condition(community_id, "capacity:1", NOW + timedelta(days=5))


def test_capacity_overrides_are_written_and_the_old_capacity_restored(store: Store) -> None:
    _, groups, _ = _community(store)
    grid = SqlGrid.on(store)
    assert grid.sync_capacities({groups[0]: 30}, groups) == [groups[0]]
    assert grid.sync_capacities({groups[0]: 30}, groups) == [], "nothing new"
    assert [store.get_group(g).capacity for g in groups] == [30, 100]  # type: ignore[union-attr]
    assert grid.sync_capacities({groups[0]: 40}, groups) == [groups[0]]
    assert grid.sync_capacities({}, groups) == [groups[0]]
    assert [store.get_group(g).capacity for g in groups] == [100, 100]  # type: ignore[union-attr]


def test_an_imported_group_with_years_of_history_is_not_new(store: Store) -> None:
    """An import creates the group row today; its stage and age come from its first known
    activity (the earliest message or stay), not from the row."""
    from zoneinfo import ZoneInfo

    from hearthkeeper.analytics import signals
    from hearthkeeper.analytics.health import health_score
    from hearthkeeper.capabilities.grid.load import load_matrix
    from hearthkeeper.capabilities.grid.stage import Stage

    community_id, groups, members = _community(store)  # the rows: made at the store's clock
    created = store.get_group(groups[1]).created_at  # type: ignore[union-attr]
    now = created + timedelta(days=3)
    store.join(members["bo"], groups[1], at=created - timedelta(days=800))
    for day in range(35):  # a steady group: a message every day of the last five weeks
        store.record_message(groups[1], f"m{day}", members["bo"], "text", "hello",
                             now - timedelta(days=day, hours=1))  # fmt: skip
    store.rebuild_rollups(groups, zone=UTC)
    matrix = load_matrix(store, community_id, None, ZoneInfo("UTC"), now)
    line = next(x for x in matrix.lines if x.group_id == groups[1])
    assert line.pulse.age_days >= 800, "its age counts from the first stay"
    assert line.stage is Stage.MATURE, f"five steady weeks read as {line.stage}"
    data = signals.load(store, community_id, [groups[1]], now.date(), ZoneInfo("UTC"))
    facts = signals.member_facts(data, {groups[1]})
    inputs = signals.health_inputs(data, {groups[1]}, "G2", groups[1], facts)
    assert inputs.age_days is not None and inputs.age_days >= 800
    assert health_score(inputs).score is not None
