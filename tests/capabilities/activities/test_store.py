"""The activities repository on SQLite and PostgreSQL: an occurrence made once however often,
a returning member keeps their code and goes to the back of the queue, a code is marked in
once, cancelling calls off the event's scheduled work, attendees for "met offline"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hearthkeeper.capabilities.activities import staff
from hearthkeeper.capabilities.activities.decide import DoorVerdict
from hearthkeeper.capabilities.activities.records import NewEvent, Status
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store

AT = datetime(2026, 5, 10, 18, 0, tzinfo=UTC)


def _setup(store: Store) -> tuple[int, int, list[int]]:
    community = store.ensure_community("tea", "Tea Friends")
    group = store.add_group(community.id, "g1", "fake", "g1")
    members = [store.member_for("fake", u, u).id for u in ("ann", "bo")]
    return community.id, group.id, members


def test_an_occurrence_is_one_event_and_a_code_opens_the_door_once(
    store: Store, store_clock: FrozenClock
) -> None:
    community, group, (ann, bo) = _setup(store)
    new = NewEvent("run", "Night run", "Park", AT, capacity=1, price=Decimal("45"), currency="GBP")
    with store.transaction() as tx:
        first = SqlActivities.on(tx).materialise(community, new, store_clock.now())
        again = SqlActivities.on(tx).materialise(community, new, store_clock.now())
    assert first.id == again.id and first.price == Decimal("45.00") and first.priced
    staff = SqlActivities.on(store).create(community, NewEvent(None, "Dinner", None, AT), "cli",
                                           store_clock.now())  # fmt: skip
    assert staff.id != first.id and [e.title for e in SqlActivities.on(store).events(community)] \
        == ["Night run", "Dinner"]  # fmt: skip

    repo = SqlActivities.on(store)
    signed = repo.put(first.id, ann, group, Status.UNPAID, store_clock.now())
    later = store_clock.now() + timedelta(minutes=5)
    repo.put(first.id, bo, group, Status.WAITLISTED, later)
    assert [(s.display_name, s.status) for s in repo.signups(first.id)] == [
        ("ann", Status.UNPAID), ("bo", Status.WAITLISTED)]  # fmt: skip
    repo.set_status(signed.id, Status.CANCELLED, later)
    back = repo.put(first.id, ann, group, Status.WAITLISTED, later + timedelta(minutes=1))
    assert back.code == signed.code and back.id == signed.id
    assert [s.display_name for s in repo.signups(first.id)] == ["bo", "ann"]  # to the back
    assert repo.by_code(signed.code) is not None and repo.by_code("00000000") is None

    assert repo.mark_attended(signed.id, "door", AT) is True
    assert repo.mark_attended(signed.id, "door", AT) is False
    assert repo.attendees(community) == {ann}


def test_cancelling_an_event_calls_off_its_pending_work_once(
    store: Store, store_clock: FrozenClock
) -> None:
    community, group, _ = _setup(store)
    repo = SqlActivities.on(store)
    event = repo.create(community, NewEvent(None, "Dinner", None, AT), "cli", store_clock.now())
    store.schedule(f"activity:{event.id}:{group}:round", community, "activity.round",
                   {"event": event.id}, AT, group_id=group)  # fmt: skip
    assert repo.cancel_event(event.id) is True
    assert repo.cancel_event(event.id) is False
    item = store.scheduled(f"activity:{event.id}:{group}:round")
    assert item is not None and item.status == "cancelled"
    assert repo.event(event.id).cancelled  # type: ignore[union-attr]


def test_looking_a_code_up_at_the_door_changes_nothing(
    store: Store, store_clock: FrozenClock
) -> None:
    """What the door page's GET reads: a valid ticket is shown as one that would let its
    member in, and stays unused until the check-in (the page's POST) marks it once."""
    community_id, group, (ann, _bo) = _setup(store)
    community = store.ensure_community("tea", "Tea Friends")
    event = SqlActivities.on(store).create(community_id, NewEvent(None, "Dinner", None, AT),
                                           "cli", store_clock.now())  # fmt: skip
    signed = SqlActivities.on(store).put(event.id, ann, group, Status.CONFIRMED,
                                         store_clock.now())  # fmt: skip
    door = AT - timedelta(minutes=10)
    for _ in range(2):
        seen = staff.look_up(store, community, signed.code.lower(), door)
        assert seen.verdict is DoorVerdict.IN and seen.signup is not None
        assert seen.signup.display_name == "ann" and seen.points == 0
    assert SqlActivities.on(store).attendees(community_id) == set()
    assert staff.check_in(store, community, signed.code, "door", door).verdict is DoorVerdict.IN
    assert staff.look_up(store, community, signed.code, door).verdict is DoorVerdict.AGAIN
    assert staff.look_up(store, community, "ZZZZ-ZZZZ", door).verdict is DoorVerdict.UNKNOWN
    assert SqlActivities.on(store).attendees(community_id) == {ann}


def test_a_members_sign_ups_are_read_with_their_events_latest_event_first(
    store: Store, store_clock: FrozenClock
) -> None:
    community, group, (ann, bo) = _setup(store)
    other = store.ensure_community("chess", "Chess Club")
    repo = SqlActivities.on(store)
    now = store_clock.now()
    run = repo.create(community, NewEvent(None, "Night run", "Park", AT), "cli", now)
    dinner = repo.create(community, NewEvent(None, "Dinner", None, AT + timedelta(days=2)),
                         "cli", now)  # fmt: skip
    elsewhere = repo.create(other.id, NewEvent(None, "Blitz", None, AT), "cli", now)
    repo.put(run.id, ann, group, Status.CONFIRMED, now)
    repo.put(dinner.id, ann, group, Status.WAITLISTED, now)
    repo.put(elsewhere.id, ann, group, Status.CONFIRMED, now)
    repo.put(run.id, bo, group, Status.UNPAID, now)
    found = repo.member_signups(community, ann)
    assert [(e.title, s.status) for s, e in found] == [
        ("Dinner", Status.WAITLISTED),
        ("Night run", Status.CONFIRMED),
    ]
    assert repo.member_signups(community, ann, limit=1)[0][1].title == "Dinner"
    assert repo.member_signups(other.id, bo) == []
