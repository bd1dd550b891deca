"""A member moderation puts out of the community — blacklisted by the ladder, banned or
blacklisted by staff — and their event sign-ups: the places they did not pay for go to the
first waiting, told in their group; a place they paid a fee for stays, and staff are told."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.capabilities.activities.fees import record_fee, refund_fee
from hearthkeeper.capabilities.activities.records import Status
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import SanctionKind, Store
from tests.capabilities.activities.activity_setup import (
    event_community,
    performed,
    run_at,
    say,
    seat,
    stored,
)
from tests.engine_setup import Community

EVENTS = """\
  violations:
    advertising: {strikes: 3}
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
ADVERT = "加我微信 abc12345 低价代购"


def _status(c: Community, event_id: int, user: str) -> Status:
    member = c.member_id(user)
    [mine] = [s for s in SqlActivities.on(c.store).signups(event_id) if s.member_id == member]
    return mine.status


def _signed_up(c: Community) -> tuple[int, int]:
    """Ann holds the night run's one place, Bo waits behind her; Ann paid for the tasting's
    one place, Cy waits behind her. The two events' ids."""
    seat(c, "g1", "ann", "bo", "cy")
    say(c, "ann", "/rsvp night-run")
    say(c, "bo", "/rsvp night-run")
    say(c, "ann", "/rsvp tasting")
    say(c, "cy", "/rsvp tasting")
    run, tasting = SqlActivities.on(c.store).events(c.runtime.community_id)
    code = SqlBilling.on(c.store).reference_for("fake", "ann", "ann", c.clock.now()).code
    record_fee(c.store, stored(c), tasting.id, code, "fee-1", "", "staff", c.clock.now())
    performed(c)
    assert (_status(c, run.id, "ann"), _status(c, run.id, "bo")) == (
        Status.CONFIRMED, Status.WAITLISTED)  # fmt: skip
    return run.id, tasting.id


def _only_paid_place_kept(c: Community, run: int, tasting: int, why: str) -> None:
    said = performed(c)
    assert _status(c, run, "ann") is Status.CANCELLED, "her free place went"
    assert _status(c, run, "bo") is Status.CONFIRMED, "to the first waiting"
    told = {a.member: a.text or "" for a in said if a.kind is ActionKind.SEND}
    assert set(told) == {"bo"} and "a place freed up" in told["bo"], told
    assert _status(c, tasting, "ann") is Status.CONFIRMED, "the place she paid for stays"
    assert _status(c, tasting, "cy") is Status.WAITLISTED
    [alert] = [a for a in c.store.staff_alerts(c.runtime.community_id)
               if "keeps the paid place" in a.text]  # fmt: skip
    assert f"ann is no longer in the community ({why})" in alert.text, alert.text
    assert f"event {tasting} 'Tasting night'" in alert.text


def test_a_member_the_ladder_blacklists_gives_up_their_free_event_place(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann's advert took her straight to the ladder's blacklisting: she was removed from the
    community for good, yet kept her place at the night run (her door code still valid)
    while Bo, waiting behind her, never moved up."""
    c = event_community(store, store_clock, EVENTS)
    run, tasting = _signed_up(c)
    c.engine.process([c.events.message("ann", ADVERT, group="g1", at=c.clock.now())])
    assert store.active_sanctions(member_id=c.member_id("ann"), kind=SanctionKind.BLACKLIST,
                                  now=store_clock.now()), "the ladder blacklisted her"  # fmt: skip
    _only_paid_place_kept(c, run, tasting, "blacklisted")


def test_a_member_staff_ban_gives_up_their_free_event_place(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff banned Ann (the console's Ban, /ban in the chat) from every group she was in:
    she kept her night-run place, and Bo behind her waited for nothing."""
    c = event_community(store, store_clock, EVENTS)
    run, tasting = _signed_up(c)
    [g1] = [g for g in store.list_groups(c.runtime.community_id) if g.name == "g1"]
    staff.ban_member(store, c.member_id("ann"), g1, "console:op", store_clock.now(),
                     key="staff-ban:test")  # fmt: skip
    _only_paid_place_kept(c, run, tasting, "banned from its groups")


TWO_PAID = """\
activities:
  - id: tasting
    name: Tasting night
    when: 2026-05-14 19:00
    capacity: 2
    price: 45
    currency: GBP
"""


def _both_paid(c: Community) -> int:
    """Ann and Dee, in g1, each paid their place at the tasting; its id."""
    seat(c, "g1", "ann", "dee")
    say(c, "ann", "/rsvp tasting")
    say(c, "dee", "/rsvp tasting")
    [tasting] = SqlActivities.on(c.store).events(c.runtime.community_id)
    for user in ("ann", "dee"):
        code = SqlBilling.on(c.store).reference_for("fake", user, user, c.clock.now()).code
        record_fee(c.store, stored(c), tasting.id, code, f"fee-{user}", "", "staff", c.clock.now())
    performed(c)
    return tasting.id


def _reminded_in_g1(c: Community, tasting: int) -> list[tuple[str, list[str]]]:
    """The tasting's reminder a day before, in g1: its text and whom it mentions."""
    [event] = [e for e in SqlActivities.on(c.store).events(c.runtime.community_id)
               if e.id == tasting]  # fmt: skip
    said = run_at(c, event.starts_at - timedelta(hours=24))
    return [(a.text or "", list(a.extra.get("mentions", []))) for a in said
            if a.kind is ActionKind.SEND and "Tasting night" in (a.text or "")]  # fmt: skip


def test_a_banned_member_keeping_a_paid_place_is_not_mentioned_by_the_events_reminder(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff banned Ann, who had paid her place at the tasting (so it stays hers): the
    reminder the day before still @-mentioned her by name in the group she was banned from."""
    c = event_community(store, store_clock, TWO_PAID)
    tasting = _both_paid(c)
    [g1] = [g for g in store.list_groups(c.runtime.community_id) if g.name == "g1"]
    staff.ban_member(store, c.member_id("ann"), g1, "console:op", store_clock.now(),
                     key="staff-ban:test")  # fmt: skip
    performed(c)
    assert _status(c, tasting, "ann") is Status.CONFIRMED, "the place she paid for stays"
    [(text, mentions)] = _reminded_in_g1(c, tasting)
    assert mentions == ["dee"] and "dee" in text and "ann" not in text, (text, mentions)
    # and her fee's refund is for staff to pass on, not said in g1
    refund_fee(store, stored(c), tasting, "fake:ann", "staff", c.clock.now())
    assert [a for a in performed(c) if a.kind is ActionKind.SEND] == []
    texts = [a.text for a in store.staff_alerts(c.runtime.community_id)]
    assert any("For ann (member:" in t and "45 GBP" in t for t in texts), texts


def test_a_member_who_left_the_group_is_not_mentioned_by_its_events_reminder(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann left g1 holding a paid place at the tasting: the reminder there still mentioned
    her, though she is no longer in the group to read it."""
    c = event_community(store, store_clock, TWO_PAID)
    tasting = _both_paid(c)
    c.engine.process([c.events.leave("ann", group="g1", at=c.clock.now())])
    performed(c)
    [(text, mentions)] = _reminded_in_g1(c, tasting)
    assert mentions == ["dee"] and "ann" not in text, (text, mentions)


def test_staff_are_reminded_of_a_banned_members_kept_paid_place_when_the_reminder_goes_out(
    store: Store, store_clock: FrozenClock
) -> None:
    """Ann, banned, keeps the place she paid for; the reminder a day before leaves her out of
    the group's words, and nothing reminded anyone of her place: staff heard of it only at
    the ban, days before. Now the reminder alerts staff of it, once (not again at 2 hours)."""
    c = event_community(store, store_clock, TWO_PAID)
    tasting = _both_paid(c)
    [g1] = [g for g in store.list_groups(c.runtime.community_id) if g.name == "g1"]
    staff.ban_member(store, c.member_id("ann"), g1, "console:op", store_clock.now(),
                     key="staff-ban:test")  # fmt: skip
    performed(c)
    _reminded_in_g1(c, tasting)
    [event] = [e for e in SqlActivities.on(store).events(c.runtime.community_id)
               if e.id == tasting]  # fmt: skip
    run_at(c, event.starts_at - timedelta(hours=2))
    texts = [a.text for a in store.staff_alerts(c.runtime.community_id)]
    kept = [t for t in texts if "is being reminded in g1" in t]
    assert len(kept) == 1, texts
    ann = c.member_id("ann")
    assert f"ann (member:{ann}) holds a paid place" in kept[0]
    assert "banned from the group" in kept[0] and "door code still lets them in" in kept[0]
    assert f"hearth events refund {tasting} member:{ann}" in kept[0]
