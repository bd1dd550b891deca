"""Playbook versions, the audit log, and writes that succeed or fail together."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, StoreError

SOURCE = "community: skincare\npositioning: daily skin-care knowledge\n"


def test_every_applied_playbook_is_kept_as_the_next_version(
    store: Store, store_clock: FrozenClock
) -> None:
    community = store.ensure_community("skincare", "Skin care")
    sources = [f"{SOURCE}# revision {n}\n" for n in range(3)]
    for number, source in enumerate(sources):
        store.add_playbook_version(community.id, source, {"revision": number}, "operator:li")
        store_clock.advance(timedelta(days=1))

    versions = store.playbook_versions(community.id)
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.source_text for v in versions] == sources
    assert [v.content for v in versions] == [{"revision": 0}, {"revision": 1}, {"revision": 2}]
    assert [v.sha256 for v in versions] == [hashlib.sha256(s.encode()).hexdigest() for s in sources]
    assert versions[2].applied_at - versions[0].applied_at == timedelta(days=2)
    assert store.latest_playbook_version(community.id) == versions[2]


def test_each_version_keeps_when_its_posts_were_added(
    store: Store, store_clock: FrozenClock
) -> None:
    """The Health and Matrix pages count a post's missed firings from when it was added: a
    post taken out and put back counts from its return, one kept all along from its first."""
    community = store.ensure_community("skincare", "Skin care").id
    assert store.posts_added(community) == {}, "no version yet"
    first = store_clock.now()

    def posts(*ids: str) -> dict[str, object]:
        return {"calendar": {"posts": [{"id": i, "schedule": "every day 08:00"} for i in ids]}}

    for n, held in enumerate([("morning", "evening"), ("evening",), ("morning", "evening")]):
        store.add_playbook_version(community, f"{SOURCE}# {n}\n", posts(*held), "operator:li")
        store_clock.advance(timedelta(days=1))
    assert store.posts_added(community) == {"evening": first, "morning": first + timedelta(days=2)}
    store.add_playbook_version(community, f"{SOURCE}# none\n", {"name": "no calendar"}, "li")
    assert store.posts_added(community) == {}


def test_each_community_numbers_its_own_versions(store: Store) -> None:
    skincare = store.ensure_community("skincare", "Skin care")
    running = store.ensure_community("running", "Night runs")
    store.add_playbook_version(skincare.id, SOURCE, {}, "li")

    first = store.add_playbook_version(running.id, "community: running\n", {}, "wang")

    assert first.version == 1
    assert store.latest_playbook_version(store.ensure_community("books", "Books").id) is None
    with pytest.raises(StoreError, match="no community with id"):
        store.add_playbook_version(running.id + 1000, SOURCE, {}, "li")


def test_concurrent_applies_get_distinct_numbers(store: Store) -> None:
    community = store.ensure_community("skincare", "Skin care")
    workers = 6
    start = threading.Barrier(workers)

    def apply(number: int) -> int:
        start.wait()
        return store.add_playbook_version(community.id, f"# {number}", {}, f"op-{number}").version

    with ThreadPoolExecutor(workers) as pool:
        numbers = list(pool.map(apply, range(workers)))

    assert sorted(numbers) == list(range(1, workers + 1))
    kept = {v.source_text for v in store.playbook_versions(community.id)}
    assert kept == {f"# {n}" for n in range(workers)}


def test_the_audit_log_reads_newest_first(store: Store, store_clock: FrozenClock) -> None:
    skincare = store.ensure_community("skincare", "Skin care")
    running = store.ensure_community("running", "Night runs")
    store.audit("operator:li", "playbook.apply", skincare.id, "v1", {"groups": 12})
    store_clock.advance(timedelta(minutes=5))
    store.audit("bot", "member.warn", skincare.id, "member:7", {"rule": "no ads"})
    store.audit("bot", "member.kick", skincare.id, "member:7")  # same instant: later one first
    store.audit("system", "db.upgrade")
    store.audit("bot", "member.warn", running.id, "member:9")

    entries = store.audit_log(skincare.id)
    assert [e.action for e in entries] == ["member.kick", "member.warn", "playbook.apply"]
    assert entries[1].detail == {"rule": "no ads"}
    assert entries[2].at == entries[0].at - timedelta(minutes=5)
    assert [e.action for e in store.audit_log(limit=2)] == ["member.warn", "db.upgrade"]
    assert len(store.audit_log()) == 5


def test_writes_in_one_transaction_land_together(store: Store) -> None:
    community = store.ensure_community("skincare", "Skin care")

    with store.transaction() as tx:
        version = tx.add_playbook_version(community.id, SOURCE, {}, "li")
        tx.audit("li", "playbook.apply", community.id, f"v{version.version}")
        # Not visible outside until the transaction commits.
        assert store.latest_playbook_version(community.id) is None

    assert store.latest_playbook_version(community.id) == version
    assert [e.target for e in store.audit_log(community.id)] == ["v1"]


def test_a_failing_transaction_leaves_nothing_behind(store: Store) -> None:
    community = store.ensure_community("skincare", "Skin care")

    with pytest.raises(RuntimeError, match="carrier refused"), store.transaction() as tx:
        tx.add_playbook_version(community.id, SOURCE, {}, "li")
        tx.audit("li", "playbook.apply", community.id)
        raise RuntimeError("carrier refused")

    assert store.playbook_versions(community.id) == []
    assert store.audit_log() == []


def test_a_nested_transaction_rolls_back_alone(store: Store) -> None:
    community = store.ensure_community("skincare", "Skin care")

    with store.transaction() as tx:
        tx.audit("bot", "kept", community.id)
        with pytest.raises(RuntimeError), tx.transaction() as inner:
            inner.audit("bot", "dropped", community.id)
            raise RuntimeError("undo only this")

    assert [e.action for e in store.audit_log()] == ["kept"]


def test_a_finished_transaction_cannot_be_used(store: Store) -> None:
    with store.transaction() as tx:
        tx.ensure_community("skincare", "Skin care")

    with pytest.raises(StoreError, match="transaction has ended"):
        tx.audit("bot", "too late")
