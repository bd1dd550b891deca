"""A priced event's payment window through the engine, on SQLite and PostgreSQL with a frozen
clock: the member is reminded before an unpaid place lapses, it lapses at the deadline and
the first waiting moves up with a window of their own — each said once across restarts; a fee
recorded before the deadline wins; at the start unpaid places lapse and nobody moves up; a
window of none holds the place until paid."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from hearthkeeper.capabilities.activities import staff
from hearthkeeper.capabilities.activities.fees import EventError, record_fee
from hearthkeeper.capabilities.activities.records import Status
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.stats import event_figures
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import IN_GROUP, Action
from hearthkeeper.store import Store
from tests.capabilities.activities.activity_setup import (
    PRICED,
    event_community,
    performed,
    run_at,
    say,
    seat,
    stored,
)
from tests.engine_setup import Community

SIGNED = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # the store clock's start: ann signs up
STARTS = datetime(2026, 5, 7, 18, 0, tzinfo=UTC)  # the next Thursday 19:00 in London (BST)
DEADLINE = SIGNED + timedelta(hours=24)  # the default window


def _priced(window: str | None = None) -> str:
    return PRICED if window is None else PRICED + f"    pay_within: {window}\n"


def _status(c: Community, user: str) -> Status:
    event = SqlActivities.on(c.store).events(c.runtime.community_id)[0]
    member = c.member_id(user)
    return next(
        s for s in SqlActivities.on(c.store).signups(event.id) if s.member_id == member
    ).status


def _to(actions: list[Action]) -> list[tuple[str | None, str]]:
    return [(a.member, a.text or "") for a in actions]


def _ann_holds_bo_waits(c: Community) -> int:
    seat(c, "g1", "ann", "bo")
    assert "Pay by Sat 2 May 10:00" in (say(c, "ann", "/rsvp tasting")[0].text or "")
    assert "waitlist" in (say(c, "bo", "/rsvp tasting")[0].text or "")
    return SqlActivities.on(c.store).events(c.runtime.community_id)[0].id


def test_an_unpaid_place_is_reminded_then_lapses_and_the_first_waiting_moves_up_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, _priced())
    event_id = _ann_holds_bo_waits(c)

    assert run_at(c, DEADLINE - timedelta(hours=6, seconds=1)) == []
    reminded = _to(run_at(c, DEADLINE - timedelta(hours=6), restart=True))
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    assert len(reminded) == 1 and reminded[0][0] == "ann"
    assert "lapses Sat 2 May 10:00" in reminded[0][1] and code in reminded[0][1]
    assert "45 GBP" in reminded[0][1]
    assert run_at(c, DEADLINE - timedelta(hours=1), restart=True) == []

    lapsed = _to(run_at(c, DEADLINE, restart=True))
    assert [who for who, _ in lapsed] == ["ann", "bo"]
    assert "lapsed unpaid" in lapsed[0][1]
    assert (
        "freed up and is held for you" in lapsed[1][1] and "Pay by Sun 3 May 10:00" in lapsed[1][1]
    )
    assert run_at(c, DEADLINE + timedelta(minutes=1), restart=True) == []
    assert (_status(c, "ann"), _status(c, "bo")) == (Status.LAPSED, Status.UNPAID)
    [figures] = event_figures(store, c.runtime.community_id, c.clock.now())
    assert (figures.lapsed, figures.unpaid, figures.waitlisted) == (1, 1, 0)
    assert any(
        e.action == "event place lapsed unpaid" for e in store.audit_log(c.runtime.community_id)
    )

    # bo's own window: reminded, then he pays before it ends and keeps the place
    assert [who for who, _ in _to(run_at(c, DEADLINE + timedelta(hours=18)))] == ["bo"]
    bo_code = SqlBilling.on(store).reference_for("fake", "bo", "bo", store_clock.now()).code
    record_fee(store, stored(c), event_id, bo_code, "r-bo", "", "staff", c.clock.now())
    performed(c)
    assert run_at(c, DEADLINE + timedelta(hours=24), restart=True) == []
    assert _status(c, "bo") is Status.CONFIRMED
    # ann signs up again: the event is full, so the back of the waitlist
    assert "number 1 on the waitlist" in (say(c, "ann", "/rsvp tasting")[0].text or "")


def test_a_chinese_member_moved_up_by_a_lapse_is_not_told_someone_cancelled(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, _priced(), language="zh-CN")
    seat(c, "g1", "ann", "bo")
    assert "请在" in (say(c, "ann", "/报名 tasting")[0].text or "")
    assert "候补名单第 1 位" in (say(c, "bo", "/报名 tasting")[0].text or "")
    lapsed = _to(run_at(c, DEADLINE))
    assert [who for who, _ in lapsed] == ["ann", "bo"]
    assert "到期未付款" in lapsed[0][1]
    moved = lapsed[1][1]
    assert "为你保留了名额" in moved and "有名额空出" in moved
    assert "取消" not in moved  # ann did not cancel: her place lapsed unpaid


def test_a_fee_recorded_just_before_the_deadline_wins(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, _priced())
    event_id = _ann_holds_bo_waits(c)
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    store_clock.set(DEADLINE - timedelta(seconds=1))
    record_fee(store, stored(c), event_id, code, "r-ann", "", "staff", store_clock.now())
    performed(c)
    assert run_at(c, DEADLINE, restart=True) == []
    assert (_status(c, "ann"), _status(c, "bo")) == (Status.CONFIRMED, Status.WAITLISTED)


def test_a_fee_for_a_lapsed_place_is_taken_while_a_place_is_free_and_refused_when_full(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, _priced())
    event_id = _ann_holds_bo_waits(c)
    run_at(c, DEADLINE)  # ann lapses, bo holds the place
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    with pytest.raises(EventError, match=r"lapsed unpaid .* refund"):
        record_fee(store, stored(c), event_id, code, "r-ann", "", "staff", store_clock.now())
    say(c, "bo", "/unrsvp tasting")  # a place frees: ann's late fee now confirms her
    paid = record_fee(store, stored(c), event_id, code, "r-ann", "", "staff", store_clock.now())
    assert paid.signup.status is Status.CONFIRMED


def test_at_the_start_unpaid_places_lapse_and_nobody_moves_up(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, _priced("30d"))  # the start comes first
    seat(c, "g1", "ann", "bo")
    assert "Pay by Thu 7 May 19:00" in (say(c, "ann", "/rsvp tasting")[0].text or "")
    say(c, "bo", "/rsvp tasting")
    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    reminded = run_at(c, STARTS - (STARTS - SIGNED) / 4)  # a quarter of the hold before
    assert _to(reminded)[0][0] == "ann" and "lapses Thu 7 May 19:00" in _to(reminded)[0][1]
    run_at(c, STARTS - timedelta(hours=1))  # the event's own reminders
    lapsed = _to(run_at(c, STARTS, restart=True))
    assert [who for who, _ in lapsed] == ["ann"] and "lapsed unpaid" in lapsed[0][1]
    assert (_status(c, "ann"), _status(c, "bo")) == (Status.LAPSED, Status.WAITLISTED)
    # at the door staff take bo's fee for the place that freed, then let him in
    bo_code = SqlBilling.on(store).reference_for("fake", "bo", "bo", store_clock.now()).code
    paid = record_fee(store, stored(c), event_id, bo_code, "door-1", "", "staff", c.clock.now())
    assert paid.signup.status is Status.CONFIRMED
    door = staff.check_in(store, stored(c), paid.signup.code, "door", c.clock.now())
    assert door.verdict.value == "in"


def test_a_window_of_none_holds_the_place_until_paid(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, _priced("null"))
    seat(c, "g1", "ann", "bo")
    assert "Pay by" not in (say(c, "ann", "/rsvp tasting")[0].text or "")
    say(c, "bo", "/rsvp tasting")
    assert run_at(c, STARTS + timedelta(hours=1)) == []
    assert (_status(c, "ann"), _status(c, "bo")) == (Status.UNPAID, Status.WAITLISTED)


def test_staff_events_take_a_payment_window_within_the_duration_bounds(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, "")
    community, now = stored(c), store_clock.now()
    starts = now + timedelta(days=3)

    def make(window: str) -> timedelta | None:
        return staff.create_event(store, community, "Tasting", starts, place=None, capacity=1,
                                  price="45", currency="GBP", by="staff", now=now,
                                  pay_within=window).pay_within  # fmt: skip

    assert make("") == timedelta(hours=24)
    assert make("90m") == timedelta(minutes=90)
    assert make("none") is None
    for bad, said in (
        ("36501d", "too long"),
        ("soon", "not a duration"),
        ("0h", "longer than zero"),
    ):
        with pytest.raises(EventError, match=said):
            make(bad)


def test_a_capacity_beyond_what_the_store_holds_is_refused_saying_so(
    store: Store, store_clock: FrozenClock
) -> None:
    """On PostgreSQL 2147483648 places failed the insert: 'This is a bug' from the CLI, a
    500 from the console."""
    c = event_community(store, store_clock, "")
    community, now = stored(c), store_clock.now()
    before = len(SqlActivities.on(store).events(community.id))
    with pytest.raises(EventError, match="from 1 to 1000000000"):
        staff.create_event(store, community, "Stadium", now + timedelta(days=3), place=None,
                           capacity=2**31, price="", currency="GBP", by="staff", now=now)  # fmt: skip
    assert len(SqlActivities.on(store).events(community.id)) == before
    made = staff.create_event(store, community, "Stadium", now + timedelta(days=3), place=None,
                              capacity=10**9, price="", currency="GBP", by="staff", now=now)  # fmt: skip
    assert made.capacity == 10**9


def test_a_title_or_place_longer_than_the_store_keeps_is_refused_saying_so(
    store: Store, store_clock: FrozenClock
) -> None:
    """The store keeps names of up to 200 characters: a longer title or place was cut there
    silently, so members read a title staff never wrote. Now it is refused, saying so."""
    c = event_community(store, store_clock, "")
    community, now = stored(c), store_clock.now()
    before = len(SqlActivities.on(store).events(community.id))
    for title, place, what in (("夜" * 201, None, "title"), ("Night run", "路" * 201, "place")):
        with pytest.raises(EventError, match=f"the {what} is 201 characters long; keep it to 200"):
            staff.create_event(store, community, title, now + timedelta(days=3), place=place,
                               capacity=None, price="", currency="GBP", by="staff", now=now)  # fmt: skip
    assert len(SqlActivities.on(store).events(community.id)) == before
    made = staff.create_event(store, community, "夜" * 200, now + timedelta(days=3),
                              place="路" * 200, capacity=None, price="", currency="GBP",
                              by="staff", now=now)  # fmt: skip
    assert (len(made.title), len(made.place or "")) == (200, 200)


@pytest.mark.postgres
def test_a_fee_committing_while_the_lapse_waits_on_the_event_wins(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    """Two workers: the lapse falls due while staff's fee is being recorded in another
    transaction holding the event's lock; it waits, then finds the place paid."""
    from hearthkeeper.capabilities.activities.holds import hold_key

    if not database_url.startswith("postgresql"):
        pytest.skip("row locks across connections: PostgreSQL")
    c = event_community(store, store_clock, _priced())
    event_id = _ann_holds_bo_waits(c)
    store_clock.set(DEADLINE)
    member = c.member_id("ann")
    held = next(s for s in SqlActivities.on(store).signups(event_id) if s.member_id == member)
    worker = c.restart()  # another engine on the same database
    with store.transaction() as tx:
        repo = SqlActivities.on(tx)
        repo.lock_event(event_id)
        mine = next(s for s in repo.signups(event_id) if s.member_id == member)
        repo.set_status(mine.id, Status.CONFIRMED, DEADLINE)
        ran = threading.Thread(target=worker.tick)
        ran.start()
        _until_waiting_for_a_lock(store, ran)  # until the worker waits for the event's lock
        assert ran.is_alive(), "the lapse did not wait for the event's lock"
    ran.join()
    assert performed(c) == []
    assert (_status(c, "ann"), _status(c, "bo")) == (Status.CONFIRMED, Status.WAITLISTED)
    lapse = store.scheduled(hold_key(held, "lapse"))
    assert lapse is not None and lapse.status == "done"  # it ran, and let nothing go


@pytest.mark.postgres
def test_one_receipt_recorded_twice_at_once_says_recorded_already_not_paid_twice(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    """Two staff (or a double submit, a retried `hearth events pay`) record the same receipt
    at once: the second waited for the event while the first committed, then said "ann's fee
    for event 1 is recorded already (order 1); nothing was recorded: if they paid twice,
    refund the second payment in the shop" — there was one payment, and following that advice
    gives it back. It says the order was recorded already, as one run after the other does."""
    from decimal import Decimal

    from hearthkeeper.capabilities.activities.fees import plan_of_event
    from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider

    if not database_url.startswith("postgresql"):
        pytest.skip("row locks across connections: PostgreSQL")
    c = event_community(store, store_clock, _priced())
    event_id = _ann_holds_bo_waits(c)
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    member = c.member_id("ann")
    event = next(e for e in SqlActivities.on(store).events(c.runtime.community_id))
    done: list[object] = []

    def second() -> None:
        try:
            done.append(record_fee(store, stored(c), event_id, code, "r-ann", "", "bo",
                                   store_clock.now()))  # fmt: skip
        except EventError as exc:
            done.append(exc)

    with store.transaction() as tx:  # the first staff member, recording receipt r-ann
        repo = SqlActivities.on(tx)
        repo.lock_event(event_id)
        mine = next(s for s in repo.signups(event_id) if s.member_id == member)
        fee = NewOrder(plan_of_event(event_id), event.price or Decimal(0), event.currency,
                       Provider.MANUAL, "r-ann", "ann's host")  # fmt: skip
        order, _ = SqlBilling.on(tx).record(c.runtime.community_id, member, None, fee,
                                            OrderKind.EVENT_FEE, store_clock.now())  # fmt: skip
        repo.set_status(mine.id, Status.CONFIRMED, store_clock.now(), order_id=order.id)
        ran = threading.Thread(target=second)
        ran.start()
        _until_waiting_for_a_lock(store, ran)  # until the second waits for the event's lock
    ran.join(60)
    [answer] = done
    assert not isinstance(answer, EventError), str(answer)
    assert not answer.created and answer.order.id == order.id  # type: ignore[attr-defined]
    assert len(SqlBilling.on(store).orders(c.runtime.community_id)) == 1


@pytest.mark.postgres
def test_a_receipt_another_payment_records_at_the_same_moment_confirms_no_place(
    store: Store, store_clock: FrozenClock, database_url: str
) -> None:
    """A fee recorded with a receipt that another payment (a membership's, another event's)
    was recording at the same moment: the ledger kept the other order, and ann's place was
    confirmed with it as her fee, though she had paid nothing the ledger holds. Refused,
    naming the order, as a receipt recorded before is."""
    from decimal import Decimal

    from hearthkeeper.capabilities.billing.records import NewOrder, OrderKind, Provider

    if not database_url.startswith("postgresql"):
        pytest.skip("row locks across connections: PostgreSQL")
    c = event_community(store, store_clock, _priced())
    event_id = _ann_holds_bo_waits(c)
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    done: list[object] = []

    def fee() -> None:
        try:
            done.append(record_fee(store, stored(c), event_id, code, "r-1", "", "staff",
                                   store_clock.now()))  # fmt: skip
        except EventError as exc:
            done.append(exc)

    with store.transaction() as tx:  # another payment, receipt r-1, not committed yet
        other, _ = SqlBilling.on(tx).record(
            c.runtime.community_id, c.member_id("bo"), None,
            NewOrder("monthly", Decimal(30), "CNY", Provider.MANUAL, "r-1", "staff"),
            OrderKind.PURCHASE, store_clock.now())  # fmt: skip
        ran = threading.Thread(target=fee)
        ran.start()
        _until_waiting_for_a_lock(store, ran)  # until the fee waits for the receipt's row
    ran.join(60)
    [answer] = done
    assert isinstance(answer, EventError), answer
    assert f"receipt r-1 was recorded already (order {other.id}" in str(answer)
    assert _status(c, "ann") is Status.UNPAID


def _until_waiting_for_a_lock(store: Store, ran: threading.Thread) -> None:
    """Wait until a connection waits for a row or advisory lock (or `ran` has ended)."""
    with store.engine.connect() as look:
        while ran.is_alive() and not look.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar():  # fmt: skip
            look.rollback()
            time.sleep(0.01)


def test_a_payment_reference_for_an_event_is_shown_to_its_member_alone(
    store: Store, store_clock: FrozenClock
) -> None:
    """Every message quoting a member's payment reference for an event — the place held, the
    same sign-up again, the reminder before it lapses, a place held after moving up — is for
    their eyes alone where the carrier can (the web chat), as /membership and /ticket keep
    the same reference. Before, the web chat showed those four to the whole group; a carrier
    without private replies still says them in the group (`IN_GROUP`, the same words)."""
    c = event_community(store, store_clock, _priced())
    seat(c, "g1", "ann", "bo")
    ann = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    bo = SqlBilling.on(store).reference_for("fake", "bo", "bo", store_clock.now()).code
    [held] = say(c, "ann", "/rsvp tasting")
    [again] = say(c, "ann", "/rsvp tasting")
    assert "waitlist" in (say(c, "bo", "/rsvp tasting")[0].text or "")
    [reminded] = run_at(c, DEADLINE - timedelta(hours=6))
    moved = [a for a in say(c, "ann", "/unrsvp tasting") if a.member == "bo"]
    assert len(moved) == 1 and "freed up and is held for you" in (moved[0].text or "")
    for said, who, code in ((held, "ann", ann), (again, "ann", ann), (reminded, "ann", ann),
                            (moved[0], "bo", bo)):  # fmt: skip
        assert code in (said.text or "") and said.member == who, said
        assert said.extra.get(IN_GROUP) == said.text, f"said to the whole group: {said.text}"
