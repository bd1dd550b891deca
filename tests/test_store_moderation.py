"""Strikes, sanctions and points on SQLite and PostgreSQL: strikes expire and can be
pardoned, mutes are lifted on time, blacklists reach a community or all of them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.timers import lift_due_mutes
from hearthkeeper.store import Community, Group, Member, SanctionKind, Store, StoreError
from hearthkeeper.store.database import create_engine_for
from hearthkeeper.store.errors import unavailable
from hearthkeeper.store.sanctions import SUPERSEDED

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Ladder:
    skincare: Community
    running: Community
    morning: Group
    evening: Group
    runners: Group
    ann: Member


@pytest.fixture
def ladder(store: Store) -> Ladder:
    skincare = store.ensure_community("skincare", "Skin care circle")
    running = store.ensure_community("running", "Night runs")
    return Ladder(
        skincare=skincare,
        running=running,
        morning=store.add_group(skincare.id, "Morning pack", "wechat", "g-1"),
        evening=store.add_group(skincare.id, "Evening pack", "wechat", "g-2"),
        runners=store.add_group(running.id, "Runners", "wechat", "g-3"),
        ann=store.member_for("wechat", "wx-ann", "Ann"),
    )


# --- strikes ------------------------------------------------------------------------------


def test_strikes_expire_after_their_window(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    community, ann = ladder.skincare.id, ladder.ann.id
    store.add_strike(community, ann, "advertising", "link to t.me/x", now, now + 7 * DAY)
    store_clock.advance(3 * DAY)
    store.add_strike(community, ann, "contact", "加 V 信 abc", store_clock.now(), now + 10 * DAY)
    store.add_strike(ladder.running.id, ann, "flood", "9 messages in 10 s", now, None)

    assert store.live_strikes(community, ann, store_clock.now()) == 2
    store_clock.advance(4 * DAY)  # the first one has run out
    assert store.live_strikes(community, ann, store_clock.now()) == 1
    store_clock.advance(3 * DAY)
    assert store.live_strikes(community, ann, store_clock.now()) == 0
    # The other community's strike never expires and never counts here.
    assert store.live_strikes(ladder.running.id, ann, store_clock.now()) == 1
    assert [s.violation for s in store.strikes(community, ann)] == ["advertising", "contact"]
    assert store.strikes(community, ann, include_dead=False) == []


def test_a_pardoned_strike_no_longer_counts(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    event_id, _ = store.record_event(ladder.morning.id, "m-1", "message", ladder.ann.id, now)
    strike = store.add_strike(
        ladder.skincare.id,
        ladder.ann.id,
        "advertising",
        "link to shop.example (normalised from ｓｈｏｐ．ｅｘａｍｐｌｅ)",
        now,
        now + 30 * DAY,
        group_id=ladder.morning.id,
        event_id=event_id,
    )
    assert (strike.group_id, strike.event_id, strike.live(now)) == (
        ladder.morning.id,
        event_id,
        True,
    )

    pardoned = store.pardon_strike(strike.id, "operator:li", now + timedelta(hours=1))

    assert (pardoned.pardoned_by, pardoned.pardoned_at) == ("operator:li", now + timedelta(hours=1))
    assert not pardoned.live(now + timedelta(hours=2))
    assert store.live_strikes(ladder.skincare.id, ladder.ann.id, now) == 0
    assert store.strikes(member_id=ladder.ann.id) == [pardoned]  # kept on record
    with pytest.raises(StoreError, match="already pardoned by operator:li"):
        store.pardon_strike(strike.id, "operator:wang", now)
    with pytest.raises(StoreError, match="no strike with id 999"):
        store.pardon_strike(999, "operator:li", now)
    with pytest.raises(StoreError, match="cannot give member 999 a strike"):
        store.add_strike(ladder.skincare.id, 999, "flood", "", now, None)


def test_a_judged_members_strikes_and_blacklisting_are_read_as_the_two_reads_apart(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    # What the engine reads of each member it judges on PostgreSQL, in one statement: the
    # strikes that count (not expired, not pardoned, not another community's) and whether
    # the member is refused here; the ladder's next rung is decided on it.
    now, skincare, ann = store_clock.now(), ladder.skincare.id, ladder.ann.id
    bob = store.member_for("wechat", "wx-bob", "Bob").id

    def apart(member_id: int, community_id: int = skincare) -> tuple[object, bool]:
        strikes = store.strikes(community_id=community_id, member_id=member_id,
                                include_dead=False)  # fmt: skip
        return (tuple(s.expires_at for s in strikes),
                store.is_blacklisted(community_id, member_id))  # fmt: skip

    def judged(member_id: int, community_id: int = skincare,
               now: datetime | None = None) -> tuple[object, bool]:  # fmt: skip
        """What the engine reads, the same whether it first locks the member (PostgreSQL:
        the lock and the read sent together, the read's rows as the driver gives them)."""
        read = store.judged_member(community_id, member_id, now)
        with store.transaction() as tx:
            assert tx.judged_member(community_id, member_id, now, lock=True) == read
        return read

    assert judged(ann) == ((), False) == apart(ann)
    store.add_strike(skincare, ann, "contact", "V信", now - 9 * DAY, now - DAY)  # expired
    pardoned = store.add_strike(skincare, ann, "contact", "V信", now - DAY, None)
    store.pardon_strike(pardoned.id, "operator:li", now)
    store.add_strike(skincare, ann, "flood", "9 in 10 s", now - 2 * DAY, now + 5 * DAY)
    store.add_strike(skincare, ann, "advertising", "t.me/x", now - 3 * DAY, None)
    store.add_strike(ladder.running.id, ann, "flood", "", now, None)  # another community
    store.add_sanction("blacklist", ann, "ads", now, community_id=ladder.running.id)

    assert judged(ann) == ((None, now + 5 * DAY), False) == apart(ann)
    assert judged(ann, ladder.running.id) == ((None,), True) \
        == apart(ann, ladder.running.id)  # fmt: skip
    everywhere = store.add_sanction(SanctionKind.BLACKLIST, bob, "scam ring", now)
    assert judged(bob) == ((), True) == apart(bob)
    store.lift_sanction(everywhere.id, "operator:li", now)
    assert judged(bob) == ((), False) == apart(bob)
    # as of `now`: a strike that has run out by then no longer counts
    assert judged(ann, skincare, now + 6 * DAY) == ((None,), False)
    assert judged(999) == ((), False)  # no such member


def test_a_judged_member_held_too_long_by_another_transaction_is_a_database_outage(
    ladder: Ladder, database_url: str, store_clock: FrozenClock
) -> None:
    """The engine's lock on a member it judges waits for another transaction holding them;
    when the database gives up waiting, the error is one the engine retries the batch on
    (`unavailable`), as for any statement, not a crash."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite writers take turns: nothing holds a member apart")
    libpq = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    impatient = create_engine_for(
        make_url(database_url)
        .update_query_dict({"options": "-c lock_timeout=100"})
        .render_as_string(hide_password=False)
    )
    try:
        with psycopg.connect(libpq) as other:
            other.execute("SELECT id FROM members WHERE id = %s FOR UPDATE", (ladder.ann.id,))
            with pytest.raises(OperationalError) as raised, \
                    Store(impatient, store_clock).transaction() as tx:  # fmt: skip
                tx.judged_member(ladder.skincare.id, ladder.ann.id, lock=True)
    finally:
        impatient.dispose()
    assert unavailable(raised.value), raised.value


# --- sanctions ----------------------------------------------------------------------------


def test_a_blacklist_reaches_its_community_or_every_community(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    now, ann = store_clock.now(), ladder.ann.id
    local = store.add_sanction(
        "blacklist", ann, "ads after kick", now, community_id=ladder.skincare.id
    )

    assert store.is_blacklisted(ladder.skincare.id, ann)
    assert not store.is_blacklisted(ladder.running.id, ann)

    everywhere = store.add_sanction(SanctionKind.BLACKLIST, ann, "scam ring", now)
    assert everywhere.community_id is None
    assert store.is_blacklisted(ladder.running.id, ann)

    store.lift_sanction(everywhere.id, "operator:li", now)
    assert not store.is_blacklisted(ladder.running.id, ann)
    assert store.is_blacklisted(ladder.skincare.id, ann)
    store.lift_sanction(local.id, "operator:li", now)
    assert not store.is_blacklisted(ladder.skincare.id, ann)


def test_a_mute_falls_due_and_is_lifted_once(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    now, ann = store_clock.now(), ladder.ann.id
    mute = store.add_sanction(
        "mute", ann, "flood", now, group_id=ladder.morning.id, until=now + timedelta(minutes=10)
    )

    assert mute.community_id == ladder.skincare.id  # taken from the group
    assert store.muted_until(ladder.morning.id, ann, now) == now + timedelta(minutes=10)
    assert store.muted_until(ladder.evening.id, ann, now) is None
    assert store.due_mutes(now) == []
    assert store.active_sanctions(ann, "mute", now) == [mute]

    store_clock.advance(timedelta(minutes=11))  # the engine was down meanwhile
    later = store_clock.now()
    assert store.active_mutes() == [mute]  # what a restarting engine must lift
    assert store.due_mutes(later) == [mute]
    assert store.muted_until(ladder.morning.id, ann, later) is None
    assert store.active_sanctions(ann, now=later) == []

    lifted = store.lift_sanction(mute.id, "timer", later, key=f"unmute:{mute.id}")

    assert (lifted.lifted_at, lifted.lifted_by, lifted.lift_event_key) == (
        later,
        "timer",
        f"unmute:{mute.id}",
    )
    assert store.due_mutes(later) == store.active_mutes() == []
    with pytest.raises(StoreError, match=rf"mute {mute.id} was already lifted by timer"):
        store.lift_sanction(mute.id, "timer", later)
    with pytest.raises(StoreError, match="no sanction with id 999"):
        store.lift_sanction(999, "timer", later)


def test_a_mute_lifted_meanwhile_is_passed_over_by_the_timer(
    store: Store, ladder: Ladder, store_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two engine workers read the due mutes at the same moment; the first lifts one (or
    staff do) before the second gets to it: the second passes it over — one unmute — instead
    of failing its round of timed work (before: "already lifted", raised out of the tick)."""
    now, ann = store_clock.now(), ladder.ann.id
    mute = store.add_sanction("mute", ann, "flood", now, group_id=ladder.morning.id,
                              until=now + timedelta(minutes=10))  # fmt: skip
    store_clock.advance(timedelta(minutes=11))
    later = store_clock.now()
    read_by_the_other = store.due_mutes(later)
    assert lift_due_mutes(store, later) == 1
    monkeypatch.setattr(store, "due_mutes", lambda at: read_by_the_other)
    assert lift_due_mutes(store, later) == 0
    assert store.outbox_statuses([f"unmute:{mute.id}"]) == {f"unmute:{mute.id}": "pending"}


def test_a_new_sanction_replaces_the_one_in_force(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    now, ann = store_clock.now(), ladder.ann.id
    long = store.add_sanction(
        "mute", ann, "flood", now, group_id=ladder.morning.id, until=now + DAY
    )
    short = store.add_sanction(
        "mute",
        ann,
        "staff: enough",
        now,
        group_id=ladder.morning.id,
        until=now + timedelta(hours=1),
    )
    other_group = store.add_sanction(
        "mute", ann, "flood", now, group_id=ladder.evening.id, until=now + DAY
    )

    assert store.muted_until(ladder.morning.id, ann, now) == now + timedelta(hours=1)
    assert {s.id for s in store.active_mutes()} == {short.id, other_group.id}
    replaced = [s for s in store.active_sanctions(ann, now=now)]
    assert long.id not in {s.id for s in replaced}
    store_clock.advance(2 * DAY)
    assert [s.id for s in store.due_mutes(store_clock.now())] == [short.id, other_group.id]


def test_within_one_transaction_a_replaced_sanction_is_no_longer_in_force(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    """The engine reads and sanctions in one transaction per batch: a sanction it read
    before replacing it must not be shown in force afterwards."""
    now, ann = store_clock.now(), ladder.ann.id
    with store.transaction() as tx:
        first = tx.add_sanction("ban", ann, "ads", now, group_id=ladder.morning.id)
        assert [s.id for s in tx.active_sanctions(ann, now=now)] == [first.id]
        second = tx.add_sanction("ban", ann, "ads again", now, group_id=ladder.morning.id)
        assert [(s.id, s.reason) for s in tx.active_sanctions(ann, now=now)] == [
            (second.id, "ads again")
        ]  # fmt: skip
        history = tx.community_sanctions(ladder.skincare.id, in_force_only=False, member_id=ann)
        assert {s.id: s.lifted_by for s in history} == {first.id: SUPERSEDED, second.id: None}
        with pytest.raises(StoreError, match="already lifted by superseded"):
            tx.lift_sanction(first.id, "staff", now)


def test_sanctions_racing_for_the_same_member_leave_one_in_force(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    workers = 6
    start = threading.Barrier(workers)
    now = store_clock.now()

    def ban(n: int) -> None:
        start.wait()
        store.add_sanction("ban", ladder.ann.id, f"worker {n}", now, group_id=ladder.runners.id)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(ban, range(workers)))

    in_force = store.active_sanctions(ladder.ann.id, "ban", now)
    assert len(in_force) == 1
    assert in_force[0].community_id == ladder.running.id


def test_sanctions_must_say_where_they_apply(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    now, ann = store_clock.now(), ladder.ann.id
    with pytest.raises(ValueError, match="a mute is in one group"):
        store.add_sanction("mute", ann, "", now, until=now + DAY)
    with pytest.raises(ValueError, match="a mute lasts until a time"):
        store.add_sanction("mute", ann, "", now, group_id=ladder.morning.id)
    with pytest.raises(ValueError, match="a kick lasts until a time"):
        store.add_sanction("kick", ann, "", now, group_id=ladder.morning.id)
    with pytest.raises(ValueError, match="only mutes and kicks take `until`"):
        store.add_sanction("ban", ann, "", now, group_id=ladder.morning.id, until=now + DAY)
    with pytest.raises(ValueError, match="not one group"):
        store.add_sanction("blacklist", ann, "", now, group_id=ladder.morning.id)
    with pytest.raises(ValueError, match="unknown sanction 'jail'"):
        store.add_sanction("jail", ann, "", now)
    with pytest.raises(StoreError, match=r"group \d+ is in community \d+, not"):
        store.add_sanction(
            "ban", ann, "", now, community_id=ladder.running.id, group_id=ladder.morning.id
        )
    with store.transaction() as tx:  # the group's community is read once per transaction
        tx.add_sanction("ban", ann, "", now, group_id=ladder.morning.id)
        with pytest.raises(StoreError, match=r"group \d+ is in community \d+, not"):
            tx.add_sanction(
                "mute", ann, "", now, community_id=ladder.running.id,
                group_id=ladder.morning.id, until=now + DAY,
            )  # fmt: skip
        tx.lift_sanction(tx.active_sanctions(ann, "ban", now)[0].id, "staff", now)
    with pytest.raises(StoreError, match="no member with id 999"):
        store.add_sanction("ban", 999, "", now, group_id=ladder.morning.id)
    with pytest.raises(StoreError, match="no community with id 999"):
        store.add_sanction("blacklist", ann, "", now, community_id=999)
    assert store.active_sanctions() == []


def test_what_was_written_past_the_newest_ids_names_who_got_strikes_and_blacklistings(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    """What a running engine reads at each batch: who was given a strike or blacklisted
    since the ids it saw last; a mute or ban moves the mark without naming anyone."""
    now = store_clock.now()
    skincare, running, ann = ladder.skincare.id, ladder.running.id, ladder.ann.id
    bob = store.member_for("wechat", "wx-bob", "Bob").id
    assert store.moderation_marks() == (0, 0)
    nothing = store.moderation_since(0, 0)
    assert (nothing.strike_mark, nothing.sanction_mark, nothing.struck) == (0, 0, ())
    store.add_strike(skincare, ann, "advertising", "an ad", now, None)
    marks = store.moderation_marks()
    store.add_strike(skincare, ann, "advertising", "an ad", now, None)
    store.add_strike(running, bob, "flood", "nine in ten seconds", now, None)
    store.add_sanction("mute", bob, "flood", now, group_id=ladder.runners.id,
                       until=now + DAY)  # fmt: skip
    store.add_sanction("blacklist", ann, "strike 3", now, community_id=skincare)
    store.add_sanction("blacklist", bob, "by staff", now)  # every community
    news = store.moderation_since(*marks)
    assert sorted(news.struck) == sorted([(skincare, ann), (running, bob)])
    assert sorted(news.blacklisted, key=str) == sorted([(skincare, ann), (None, bob)], key=str)
    assert (news.strike_mark, news.sanction_mark) == store.moderation_marks()
    assert news.strike_mark > marks[0] and news.sanction_mark == 3
    later = store.moderation_since(news.strike_mark, news.sanction_mark)
    assert (later.struck, later.blacklisted) == ((), ())
    assert (later.strike_mark, later.sanction_mark) == (news.strike_mark, news.sanction_mark)


# --- points -------------------------------------------------------------------------------


def test_points_are_the_sum_of_the_ledger(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    now, ann = store_clock.now(), ladder.ann.id
    store.award_points(ladder.skincare.id, ann, 10, "check-in day 1", now)
    store.award_points(ladder.skincare.id, ann, 5, "answered a question", now)
    redeemed = store.award_points(ladder.skincare.id, ann, -8, "redeemed: sample kit", now)
    store.award_points(ladder.running.id, ann, 100, "marathon", now)

    assert redeemed.points == -8
    assert SqlPoints.on(store).points_of(ladder.skincare.id, ann) == 7
    assert SqlPoints.on(store).points_of(ladder.running.id, ann) == 100
    assert SqlPoints.on(store).points_of(ladder.skincare.id, ann + 1) == 0
    with pytest.raises(StoreError, match="cannot award points to member 999"):
        store.award_points(ladder.skincare.id, 999, 1, "?", now)


def test_the_holds_of_members_are_the_mutes_bans_and_kicks_in_force_in_the_community(
    store: Store, ladder: Ladder, store_clock: FrozenClock
) -> None:
    now, ann = store_clock.now(), ladder.ann.id
    bob = store.member_for("fake", "bob", "Bob").id
    store.add_sanction("mute", ann, "flood", now, group_id=ladder.morning.id, until=now + DAY)
    store.add_sanction("kick", bob, "ads", now, group_id=ladder.evening.id,
                       until=now + timedelta(minutes=10))  # fmt: skip
    store.add_sanction("ban", ann, "ads", now, group_id=ladder.runners.id)  # another community
    store.add_sanction("blacklist", bob, "ads", now, community_id=ladder.skincare.id)
    lifted = store.add_sanction("ban", bob, "ads", now, group_id=ladder.morning.id)
    store.lift_sanction(lifted.id, "manager", now)
    holds = store.holds_among(ladder.skincare.id, [ann, bob], now)
    assert sorted((h.kind, h.member_id, h.group_id) for h in holds) == sorted([
        (SanctionKind.MUTE, ann, ladder.morning.id), (SanctionKind.KICK, bob, ladder.evening.id),
    ])  # fmt: skip
    later = now + timedelta(minutes=11)  # the kick is over, the mute holds
    assert [h.kind for h in store.holds_among(ladder.skincare.id, {ann, bob}, later)] == [
        SanctionKind.MUTE
    ]
    assert store.holds_among(ladder.skincare.id, [], now) == []
