"""Two engine workers on one store, each deciding the groups it holds, and one member who
writes in a group of each: the moderation ladder counts every strike the member has in the
community, whichever worker gave it. (Each worker keeps what it read of a member for a
minute; a strike given by the other worker meanwhile used to go uncounted, so the member got
the same rung twice and never the next one.)"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psycopg
import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Processed
from hearthkeeper.store import Store
from hearthkeeper.testing import FakeCarrier
from tests.engine_setup import community, playbook
from tests.test_engine_run import AD


def test_a_strike_given_by_one_worker_counts_on_the_other(
    store: Store, store_clock: FrozenClock
) -> None:
    first = community(store, store_clock)  # worker 1, deciding group "g1"
    second = Engine(store, store_clock, [runtime_for(store, playbook())], {"fake": FakeCarrier("fake")},
                    adopt_groups_into=first.runtime.community_id)  # fmt: skip
    events = first.events
    # Worker 2 meets the member first, before any strike: a plain message in its group.
    second.process([events.message("mallory", "hello everyone", group="g2")])

    [warned] = first.engine.process([events.message("mallory", AD, group="g1")])
    assert {a.kind for a in warned.actions} >= {ActionKind.DELETE, ActionKind.WARN}

    [again] = second.process([events.message("mallory", AD + " again", group="g2")])
    kinds = {a.kind for a in again.actions}
    assert ActionKind.MUTE in kinds, f"the second strike got the first rung again: {kinds}"
    assert ActionKind.WARN not in kinds
    member = first.member_id("mallory")
    assert store.live_strikes(first.runtime.community_id, member, store_clock.now()) == 2


def test_each_workers_strikes_count_on_the_other_while_both_hold_the_member(
    store: Store, store_clock: FrozenClock
) -> None:
    """Both workers hold the member's count (within the minute either keeps it): the one
    that gave her a strike itself still counts the one the other gave since, and climbs to
    the third rung instead of giving the second twice."""
    first = community(store, store_clock)  # worker 1, deciding group "g1"
    second = Engine(store, store_clock, [runtime_for(store, playbook())], {"fake": FakeCarrier("fake")},
                    adopt_groups_into=first.runtime.community_id)  # fmt: skip
    events = first.events
    first.engine.process([events.message("mallory", "hello everyone", group="g1")])
    [warned] = second.process([events.message("mallory", AD, group="g2")])
    assert ActionKind.WARN in {a.kind for a in warned.actions}

    [muted] = first.engine.process([events.message("mallory", AD + " again", group="g1")])
    assert ActionKind.MUTE in {a.kind for a in muted.actions}

    [third] = second.process([events.message("mallory", AD + " once more", group="g2")])
    kinds = {a.kind for a in third.actions}
    assert {ActionKind.KICK, ActionKind.BLACKLIST} <= kinds, f"the second rung again: {kinds}"
    assert ActionKind.MUTE not in kinds
    member = first.member_id("mallory")
    assert store.live_strikes(first.runtime.community_id, member, store_clock.now()) == 3


def test_a_worker_waits_for_the_others_strike_before_counting(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    """Both workers judge the member's ads at the same moment: the second counts the first's
    strike once the first commits, instead of both giving the first rung."""
    [again] = _while_the_other_worker_decides(store, store_clock, database_url, [
        "INSERT INTO strikes (community_id, member_id, violation, explanation, at) "
        "VALUES (%(community)s, %(member)s, 'advertising', 'an ad in g1', now())",
    ])  # fmt: skip
    kinds = {a.kind for a in again.actions}
    assert ActionKind.MUTE in kinds, f"both workers gave the first rung: {kinds}"
    assert store.live_strikes(again.community, again.member, store_clock.now()) == 2


def test_a_member_the_other_worker_just_blacklisted_is_not_sanctioned_again(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    """The ladder's top rung (kick and blacklist) given by one worker while the other judges
    the member's ad in its group: the other only deletes the ad, no second blacklisting,
    kick or ban."""
    [after] = _while_the_other_worker_decides(store, store_clock, database_url, [
        "INSERT INTO strikes (community_id, member_id, violation, explanation, at) "
        "SELECT %(community)s, %(member)s, 'advertising', 'an ad in g1', now() "
        "FROM generate_series(1, 3)",
        "INSERT INTO sanctions (kind, community_id, member_id, reason, at) "
        "VALUES ('blacklist', %(community)s, %(member)s, 'strike 3', now())",
    ])  # fmt: skip
    kinds = [a.kind for a in after.actions]
    assert kinds == [ActionKind.DELETE], f"sanctioned again: {kinds}"
    assert store.live_strikes(after.community, after.member, store_clock.now()) == 3
    assert len(store.active_sanctions(after.member, "blacklist")) == 1
    assert store.active_sanctions(after.member, "ban") == []


@dataclass(frozen=True)
class _Decided:
    community: int
    member: int
    actions: tuple[Action, ...]


def _while_the_other_worker_decides(
    store: Store, clock: FrozenClock, database_url: str, statements: list[str]
) -> list[_Decided]:
    """Worker 2 judges an ad by mallory in its group g2 while worker 1's batch, which ran
    `statements` on her (her strikes, sanctions), has not committed yet; what worker 2 did."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite writers take turns: one process decides at a time")
    first = community(store, clock)
    second = Engine(store, clock, [runtime_for(store, playbook())], {"fake": FakeCarrier("fake")},
                    adopt_groups_into=first.runtime.community_id)  # fmt: skip
    events = first.events
    # Worker 2 meets the member first, with nothing against her: it caches that.
    second.process([events.message("mallory", "hello everyone", group="g2")])
    ids = {"member": first.member_id("mallory"), "community": first.runtime.community_id}
    libpq = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq) as other, psycopg.connect(libpq, autocommit=True) as watcher:
        # Worker 1's batch, midway: it holds the member, as the engine does when it counts
        other.execute("SELECT id FROM members WHERE id = %(member)s FOR NO KEY UPDATE", ids)
        for statement in statements:
            other.execute(statement, ids)  # type: ignore[arg-type]
        done: list[Processed] = []
        deciding = threading.Thread(target=lambda: done.extend(
            second.process([events.message("mallory", AD, group="g2")])))  # fmt: skip
        deciding.start()
        deadline = time.monotonic() + 20  # a guard: without the lock it never waits
        while time.monotonic() < deadline and deciding.is_alive():
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row is not None and row[0]:
                break
            time.sleep(0.01)
        other.commit()
        deciding.join(60)
    return [_Decided(ids["community"], ids["member"], p.actions) for p in done]
