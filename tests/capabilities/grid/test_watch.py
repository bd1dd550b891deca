"""The hourly matrix watch of a community whose oldest groups an import registered: the watch
is attached to a group a carrier serves, so the alerts it places in its own group (one naming
many dying groups) are placed where a carrier performs them and the staff inbox names that
group, not an imported history no one can act in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.capabilities.grid import watch
from hearthkeeper.capabilities.grid.watch import next_watch, plan_grid_watch, watch_key
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.engine_setup import Community, community, decided_while_read_aside

NOW = datetime(2026, 6, 1, 10, 30, tzinfo=UTC)


def four_dying_imported_groups(store: Store, store_clock: FrozenClock) -> Community:
    """Four imported groups silent for two months, then g1 (web) opened: the watch planned."""
    store_clock.set(NOW)
    c = community(store, store_clock)
    cid = c.runtime.community_id
    spoke = NOW - timedelta(days=60)  # their history ended two months ago
    for n in range(1, 5):  # imported first: the community's oldest groups
        old = store.add_group(cid, f"微信{n}群", "import:csv", f"club/微信{n}群")
        member = store.member_for("import:csv", f"club/m{n}", f"m{n}")
        store.join(member.id, old.id, at=spoke)
        store.record_message(old.id, f"e{n}", member.id, "text", "大家好", spoke)
        store.rebuild_rollups([old.id])
    c.engine.process([c.events.join("ann", at=NOW)])  # the web of today: g1, served
    assert plan_grid_watch(store, cid, NOW)
    return c


def test_the_hourly_watch_places_its_alerts_in_a_group_a_carrier_serves(
    store: Store, store_clock: FrozenClock
) -> None:
    c = four_dying_imported_groups(store, store_clock)
    cid = c.runtime.community_id
    store_clock.set(NOW + timedelta(hours=1))
    c.engine.tick()
    [summary] = [a for a in store.staff_alerts(cid) if a.handler == "grid"]
    assert summary.text.startswith("4 groups are dying: 微信1群, 微信2群, 微信3群, 微信4群")
    names = {g.id: g.name for g in store.list_groups(cid)}
    assert names[summary.group_id or 0] == "g1", "the inbox named an imported group"
    asyncio.run(c.engine.drain())
    placed = [p.action for p in c.carrier.performed if p.action.kind is ActionKind.ALERT_STAFF]
    assert [(a.group, a.text) for a in placed] == [("g1", summary.text)]


def test_the_watch_prefers_an_open_served_group_and_falls_back_to_the_history(
    store: Store, store_clock: FrozenClock
) -> None:
    """Its group: the oldest open group a carrier serves, before a closed one; when an import
    registered every group, the oldest (its alerts still reach the staff inbox)."""
    store_clock.set(NOW)
    cid = store.ensure_community("tea", "Tea Friends").id
    history = store.add_group(cid, "微信1群", "import:csv", "club/微信1群")
    assert store.watch_group(cid) == history
    first = store.add_group(cid, "g1", "webchat", "g1")
    second = store.add_group(cid, "g2", "webchat", "g2")
    assert store.watch_group(cid) == first
    store.close_group(first.id, "ops")
    assert store.watch_group(cid) == second
    store.close_group(history.id, "ops")
    assert plan_grid_watch(store, cid, NOW)
    watch = store.scheduled(watch_key(cid, next_watch(NOW)))
    assert watch is not None and watch.group_id == second.id


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite: one writer
def test_members_messages_are_decided_while_a_running_engine_reads_the_matrix(
    store: Store, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matrix takes seconds to read at hundreds of groups. It was read in the engine's
    tick, holding the store's write lock: every member's message waited for the watch. Now a
    running engine reads it aside: here the matrix is held until a member's message, sent
    after the watch fell due, has been decided; then the watch alerts, once."""
    c = four_dying_imported_groups(store, store_clock)
    cid = c.runtime.community_id
    c.clock.set(NOW + timedelta(hours=1, minutes=1))

    def alerted() -> list[str]:
        return [a.text for a in store.staff_alerts(cid) if a.handler == "grid"]

    before_release, after = decided_while_read_aside(c, monkeypatch, watch, "load_matrix",
                                                     lambda: bool(alerted()))  # fmt: skip
    assert before_release, "the member's message waited for the matrix watch"
    assert after
    [summary] = alerted()
    assert summary.startswith("4 groups are dying: 微信1群, 微信2群, 微信3群, 微信4群")
    assert store.scheduled(watch_key(cid, next_watch(NOW + timedelta(hours=1)))) is not None
