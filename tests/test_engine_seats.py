"""A running engine keeps what it read of each member's seat in a group (stay and role, tags,
whether they posted there) for a minute, then reads it again: staff change roles and tags
from outside the engine (the console, `hearth staff set`). The seats a batch reads again are
read in one query, not one a member."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.events import Message
from hearthkeeper.store import Store
from tests.engine_setup import Community, community
from tests.test_engine_batching import counted
from tests.test_engine_run import AD


def _hellos(c: Community, members: range) -> list[Message]:
    return [c.events.message(f"u{n}", "hello everyone", at=c.clock.now()) for n in members]


def test_a_member_made_staff_from_outside_is_judged_as_staff_once_their_seat_is_a_minute_old(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process(_hellos(c, range(2)))  # the engine holds u0's seat: an ordinary member
    group_id = store.group_ids([("fake", c.events.group)])[("fake", c.events.group)]
    store.set_role(c.member_id("u0"), group_id, "manager")  # staff made her a manager

    store_clock.advance(timedelta(minutes=2))
    [staff, member] = c.engine.process(
        [c.events.message(u, AD, at=store_clock.now()) for u in ("u0", "u1")]
    )
    assert ActionKind.WARN in {a.kind for a in member.actions}  # the ad is an ad ...
    kinds = {a.kind for a in staff.actions}
    assert not kinds & {ActionKind.DELETE, ActionKind.WARN}, f"staff punished: {kinds}"
    assert store.live_strikes(c.runtime.community_id, c.member_id("u0"), store_clock.now()) == 0


def test_a_batch_reads_its_members_seats_a_minute_old_in_as_many_statements_for_3_as_for_30(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join(f"u{n}", at=store_clock.now()) for n in range(30)])
    c.engine.process(_hellos(c, range(30)))  # every seat read, each has posted
    store_clock.advance(timedelta(minutes=2))
    with counted(store) as few:
        c.engine.process(_hellos(c, range(3)))
    store_clock.advance(timedelta(minutes=2))
    with counted(store) as many:
        c.engine.process(_hellos(c, range(30)))
    assert len(_seat_reads(many)) == len(_seat_reads(few)), "\n".join(_seat_reads(many))


def _seat_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().startswith("SELECT")
            and ("FROM memberships" in s or "FROM messages" in s)]  # fmt: skip
