"""A member paid membership removes (a refund, an expiry) and their event sign-ups: the
places they did not pay for go to the waitlist, a paid place stays (staff told), and event
messages for them go to the staff inbox, not to a group they are no longer in."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hearthkeeper.capabilities.activities import staff
from hearthkeeper.capabilities.activities.fees import record_fee, refund_fee
from hearthkeeper.capabilities.activities.records import Status
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.billing.payments import record_payment, refund
from hearthkeeper.capabilities.billing.records import NewOrder, Provider
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.capabilities.activities.activity_setup import (
    event_community,
    performed,
    run_at,
    say,
    seat,
    stored,
)
from tests.engine_setup import Community

PAID_EVENTS = """\
joining:
  threshold: {kind: paid, plan: year}
monetisation:
  plans:
    - id: year
      name: Year membership
      price: 99
      currency: GBP
      period: 1 year
      refund_window: 7d
      renewal_reminder: none
      grace: none
activities:
  - id: night-run
    name: Night run
    when: 2026-05-10 19:00
    capacity: 1
  - id: tasting
    name: Tasting night
    when: 2026-05-14 19:00
    capacity: 1
    price: 45
    currency: GBP
"""


def _member_pays(c: Community, user: str) -> int:
    """Staff record `user`'s year membership; its subscription id."""
    with c.store.transaction() as tx:
        member = tx.member_for("fake", user, user)
        community = tx.get_community(c.runtime.slug)
        assert community is not None
        order = NewOrder("year", Decimal(99), "GBP", Provider.MANUAL, f"shop-{user}", "staff")
        done = record_payment(tx, community, c.runtime.playbook, member.id, order, c.clock.now())
    assert done.subscription is not None
    return done.subscription.id


def _status(c: Community, event_id: int, user: str) -> Status:
    member = c.member_id(user)
    [mine] = [s for s in SqlActivities.on(c.store).signups(event_id) if s.member_id == member]
    return mine.status


def test_a_member_refunded_out_of_the_community_frees_unpaid_places_and_keeps_paid_ones(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann's membership was refunded and she was removed from the group, yet she kept her
    free place (Bo waiting behind her never moved up), and the event's reminder, its
    cancellation and her fee's refund were said mentioning her in the group she had left."""
    c = event_community(store, store_clock, PAID_EVENTS)
    subs = {user: _member_pays(c, user) for user in ("ann", "bo", "cy")}
    seat(c, "g1", "ann", "bo", "cy")
    say(c, "ann", "/rsvp night-run")
    say(c, "bo", "/rsvp night-run")  # waiting behind ann
    say(c, "ann", "/rsvp tasting")
    say(c, "cy", "/rsvp tasting")  # waiting behind ann
    run, tasting = SqlActivities.on(store).events(c.runtime.community_id)
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    record_fee(store, stored(c), tasting.id, code, "fee-1", "", "staff", store_clock.now())
    performed(c)
    assert (_status(c, run.id, "bo"), _status(c, tasting.id, "ann")) == (
        Status.WAITLISTED, Status.CONFIRMED)  # fmt: skip

    with store.transaction() as tx:
        refund(tx, stored(c), c.runtime.playbook, subs["ann"], "staff", store_clock.now())
    said = performed(c)
    assert _status(c, run.id, "ann") is Status.CANCELLED, "her free place went"
    assert _status(c, run.id, "bo") is Status.CONFIRMED, "to the first waiting"
    told = {a.member: a.text or "" for a in said if a.kind is ActionKind.SEND}
    assert set(told) == {"bo"} and "a place freed up" in told["bo"]
    assert _status(c, tasting.id, "ann") is Status.CONFIRMED, "the place she paid for stays"
    assert _status(c, tasting.id, "cy") is Status.WAITLISTED
    [alert] = store.staff_alerts(c.runtime.community_id)
    assert "ann is no longer in the community (membership refunded)" in alert.text
    assert (
        f"event {tasting.id} 'Tasting night'" in alert.text and "hearth events refund" in alert.text
    )

    reminded = run_at(c, tasting.starts_at - timedelta(hours=24))
    said = [a for a in reminded if "Tasting night" in (a.text or "")]
    assert [a for a in said if a.kind is not ActionKind.ALERT_STAFF] == [], (
        "ann, the only one holding a place from g1, is not reminded in a group she left"
    )
    [kept] = [a for a in said if a.kind is ActionKind.ALERT_STAFF]  # staff are, of her place
    assert "holds a paid place" in (kept.text or "") and "membership ended" in (kept.text or "")

    staff.cancel_event(store, stored(c), tasting.id, "staff", store_clock.now())
    said = performed(c)  # the cancellation mentions cy, still in g1, not ann
    assert [a.extra.get("mentions") for a in said if "Tasting" in (a.text or "")] == [["cy"]]
    refund_fee(store, stored(c), tasting.id, "fake:ann", "staff", store_clock.now())
    said = performed(c)
    assert [a for a in said if a.kind is ActionKind.SEND] == [], (
        "nothing said to ann in a group she is no longer in"
    )
    texts = [a.text for a in store.staff_alerts(c.runtime.community_id)]
    assert any("For ann (member:" in t and "your fee of 45 GBP" in t for t in texts), texts


def test_a_member_whose_membership_expired_gives_up_a_waitlist_spot(
    store: Store, store_clock: FrozenClock
) -> None:
    """An expired member stayed on the waitlist: when the place freed up they were moved up
    to it and told in a group they had been removed from."""
    c = event_community(store, store_clock, PAID_EVENTS.replace("period: 1 year", "period: 2 days"))
    _member_pays(c, "ann")
    _member_pays(c, "bo")
    with store.transaction() as tx:  # bo renews: covered for 4 days, ann for 2
        member = tx.member_for("fake", "bo", "bo")
        order = NewOrder("year", Decimal(99), "GBP", Provider.MANUAL, "shop-bo-2", "staff")
        record_payment(tx, stored(c), c.runtime.playbook, member.id, order, store_clock.now())
    seat(c, "g1", "ann", "bo")
    say(c, "bo", "/rsvp night-run")
    say(c, "ann", "/rsvp night-run")  # waiting behind bo
    run, _ = SqlActivities.on(store).events(c.runtime.community_id)
    store_clock.set(store_clock.now() + timedelta(days=3))
    c.engine.tick()  # ann's membership expires: she is removed
    performed(c)
    assert _status(c, run.id, "ann") is Status.CANCELLED
    gone = say(c, "bo", "/unrsvp night-run")
    assert [a.member for a in gone if a.kind is ActionKind.SEND] == [], gone
    assert _status(c, run.id, "ann") is Status.CANCELLED, "not moved up to bo's place"
    assert store.staff_alerts(c.runtime.community_id) == [], "nothing paid kept: nothing to say"


def test_two_memberships_expiring_together_move_up_nobody_who_is_leaving(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann (holding the place) and Bo (first waiting) lapse at the same moment: Ann's expiry
    moved Bo up and told him "a place freed up", a moment before his own expiry removed him
    and gave the place to Cy. Bo is not moved up or told; Cy, still a member, is."""
    c = event_community(store, store_clock, PAID_EVENTS.replace("period: 1 year", "period: 2 days"))
    for user in ("ann", "bo", "cy"):
        _member_pays(c, user)
    with store.transaction() as tx:  # cy renews: covered for 4 days, ann and bo for 2
        member = tx.member_for("fake", "cy", "cy")
        order = NewOrder("year", Decimal(99), "GBP", Provider.MANUAL, "shop-cy-2", "staff")
        record_payment(tx, stored(c), c.runtime.playbook, member.id, order, store_clock.now())
    seat(c, "g1", "ann", "bo", "cy")
    say(c, "ann", "/rsvp night-run")
    say(c, "bo", "/rsvp night-run")  # waiting behind ann
    say(c, "cy", "/rsvp night-run")  # waiting behind bo
    run, _ = SqlActivities.on(store).events(c.runtime.community_id)
    said = run_at(c, store_clock.now() + timedelta(days=3))  # ann's and bo's expiries, one tick
    told = [(a.member, a.text or "") for a in said if a.kind is ActionKind.SEND]
    assert [who for who, _ in told] == ["cy"], told
    assert "a place freed up" in told[0][1]
    assert [_status(c, run.id, u) for u in ("ann", "bo", "cy")] == [
        Status.CANCELLED, Status.CANCELLED, Status.CONFIRMED]  # fmt: skip
    moved = [e.detail.get("moved_up") for e in store.audit_log(c.runtime.community_id)
             if e.action == "event place released"]  # fmt: skip
    assert sorted(moved, key=str) == [[c.member_id("cy")], []], moved  # once each, to cy
