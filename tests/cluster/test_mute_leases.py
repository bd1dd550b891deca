"""Timed mutes beside other engine workers on a real PostgreSQL: a mute that ran out is lifted
by the worker that decides its group's events (the holder of its lease), as scheduled work
is, so its unmute is queued in order with a new mute that worker decides for the member —
never by another worker beside it (the unmute reaching the carrier after the new mute)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hearthkeeper.clock import SystemClock
from hearthkeeper.roles import Role
from hearthkeeper.serve import Host
from hearthkeeper.store.cluster import Cluster
from hearthkeeper.store.database import create_engine_for
from tests.serve_setup import project, settings_for

pytestmark = pytest.mark.postgres


def test_a_groups_mute_is_lifted_only_by_the_worker_holding_its_lease(
    pg_url: str, tmp_path: Path
) -> None:
    settings, web_settings = settings_for(project(tmp_path), pg_url)
    host = Host.build(settings, web_settings, clock=SystemClock(), role=Role.ENGINE)
    other: Engine = create_engine_for(pg_url)
    deciding = Cluster(other)  # another engine worker, deciding the web chat group's events
    try:
        store = host.store
        [community] = store.list_communities()
        group = next(g for g in store.list_groups(community.id) if g.carrier == "webchat")
        mei = store.member_for("webchat", "u-mei", "Mei").id
        now = host.clock.now()
        mute = store.add_sanction("mute", mei, "flood", now - timedelta(minutes=10),
                                  group_id=group.id, until=now - timedelta(seconds=1))  # fmt: skip
        assert deciding.take([group.id]) == {group.id}

        host.engine.tick()
        assert store.due_mutes(host.clock.now()) == [mute], "left to the lease's holder"
        assert store.outbox_statuses([f"unmute:{mute.id}"]) == {}

        deciding.release([group.id])  # the group is idle again: whoever takes it lifts it
        host.engine.tick()
        assert store.due_mutes(host.clock.now()) == []
        assert list(store.outbox_statuses([f"unmute:{mute.id}"])) == [f"unmute:{mute.id}"]
    finally:
        deciding.close()
        other.dispose()
        host.close()
