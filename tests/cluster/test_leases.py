"""Group leases and worker presence on a real PostgreSQL: one worker per group at a time, and a
worker's groups freed the moment its session dies."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from hearthkeeper.store.cluster import GROUP_CLASS, Cluster
from hearthkeeper.store.database import create_engine_for

pytestmark = pytest.mark.postgres


def test_a_group_is_held_by_one_worker_until_released(pg_url: str) -> None:
    engine = create_engine_for(pg_url)
    one, two = Cluster(engine), Cluster(engine)
    try:
        assert one.worker != two.worker
        assert one.workers() == 2
        assert one.take([1, 2, 3]) == {1, 2, 3}
        assert two.take([2, 3, 4]) == {4}  # 2 and 3 are one's
        one.release([2])
        assert two.take([2, 3]) == {2, 4}
        assert one.held == {1, 3}
    finally:
        one.close()
        two.close()
        engine.dispose()


def test_a_dead_workers_groups_are_free_at_once(pg_url: str) -> None:
    engine = create_engine_for(pg_url)
    survivor = Cluster(engine)
    victim = Cluster(engine)
    try:
        assert victim.take([7, 8]) == {7, 8}
        assert survivor.take([7, 8]) == set()
        # The victim's backend is ended, as when its process is killed: PostgreSQL frees its
        # locks with the session, no expiry involved.
        admin = create_engine_for(pg_url)
        with admin.connect() as conn:
            ended = conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                     " AND classid = :c AND objid = 7 AND database = (SELECT oid FROM pg_database"
                     " WHERE datname = current_database())"), {"c": GROUP_CLASS},
            ).scalars().all()  # fmt: skip
        admin.dispose()
        assert ended == [True]
        # The backend ends as soon as it is told; no expiry is involved (10 s at most here).
        for _ in range(200):
            if survivor.take([7, 8]) == {7, 8}:
                break
            time.sleep(0.05)
        assert survivor.held == {7, 8}
        assert survivor.workers() == 1
    finally:
        survivor.close()
        victim.close()
        engine.dispose()
