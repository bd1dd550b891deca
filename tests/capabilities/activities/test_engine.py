"""An offline event through the engine: sign-up with a waitlist, a cancellation that moves
the first waiting up, reminders, the door, the photo round and attendance — each said once
across restarts (counted on the carrier)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.analytics.report import build_report
from hearthkeeper.analytics.report_html import render_html
from hearthkeeper.capabilities.activities import staff
from hearthkeeper.capabilities.activities.decide import DoorVerdict
from hearthkeeper.capabilities.activities.fees import EventError, record_fee, refund_fee
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.stats import activity_figures, event_figures
from hearthkeeper.capabilities.billing.records import OrderKind
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.capabilities.activities.activity_setup import (
    PRICED,
    code_of,
    event_community,
    performed,
    run_at,
    say,
    seat,
    stored,
)

STARTS = datetime(2026, 5, 10, 18, 0, tzinfo=UTC)  # 19:00 in London (BST)


def _texts(actions: list) -> list[str]:  # type: ignore[type-arg]
    return [a.text or "" for a in actions]


def test_sign_up_waitlist_reminders_door_and_attendance_each_once_across_restarts(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock)
    seat(c, "g1", "ann", "bo", "cy")
    seat(c, "g2", "dee")

    listed = say(c, "ann", "/events")
    assert "Night run" in listed[0].text and "2 of 2 places left" in listed[0].text  # type: ignore[operator]
    ann = say(c, "ann", "/rsvp night-run")
    assert "you're in: 'Night run'" in ann[0].text and "/ticket/" in ann[0].text  # type: ignore[operator]
    bo = say(c, "bo", "/报名")  # the Chinese name, no words: the only event
    assert "you're in" in bo[0].text  # type: ignore[operator]
    cy = say(c, "cy", "/rsvp")
    assert "number 1 on the waitlist" in cy[0].text  # type: ignore[operator]
    assert "you are number 1 on the waitlist" in (say(c, "cy", "/rsvp night")[0].text or "")

    gone = say(c, "ann", "/unrsvp")
    assert "no longer signed up" in gone[0].text  # type: ignore[operator]
    moved = [a for a in gone if a.kind is ActionKind.SEND]
    assert len(moved) == 1 and moved[0].member == "cy" and moved[0].extra["mentions"] == ["cy"]
    assert "a place freed up" in moved[0].text and "/ticket/" in moved[0].text  # type: ignore[operator]

    assert run_at(c, STARTS - timedelta(hours=25)) == []
    reminded = run_at(c, STARTS - timedelta(hours=24), restart=True)
    assert [(a.group, sorted(a.extra["mentions"])) for a in reminded] == [("g1", ["bo", "cy"])]
    names = reminded[0].extra["mention_names"]
    assert sorted(names) == ["bo", "cy"], names
    assert all(name in (reminded[0].text or "") for name in names.values()), names
    assert "Reminder: 'Night run'" in reminded[0].text  # type: ignore[operator]
    assert run_at(c, STARTS - timedelta(hours=23), restart=True) == []
    assert len(run_at(c, STARTS - timedelta(hours=2))) == 1
    assert run_at(c, STARTS - timedelta(hours=1), restart=True) == []

    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    community = stored(c)
    door = STARTS + timedelta(minutes=5)
    came = staff.check_in(store, community, code_of(c, "bo", event_id).lower(), "door", door)
    assert came.verdict is DoorVerdict.IN and came.points == 10
    again = staff.check_in(store, community, code_of(c, "bo", event_id), "door", door)
    assert again.verdict is DoorVerdict.AGAIN
    assert (
        staff.check_in(store, community, "ZZZZ-ZZZZ", "door", door).verdict is DoorVerdict.UNKNOWN
    )
    ann_code = code_of(c, "ann", event_id)  # ann cancelled: her code opens nothing
    assert staff.check_in(store, community, ann_code, "door", door).verdict is (
        DoorVerdict.NOT_CONFIRMED
    )
    assert SqlPoints.on(store).points_of(c.runtime.community_id, c.member_id("bo")) == 10

    rounds = run_at(c, STARTS + timedelta(hours=3), restart=True)
    assert [a.group for a in rounds] == ["g1"]
    assert "Thank you to the 1 of you who came to 'Night run'" in rounds[0].text  # type: ignore[operator]
    assert run_at(c, STARTS + timedelta(hours=4), restart=True) == []
    say(c, "bo", "Great run, photos coming")
    c.engine.process([c.events.message("cy", "", kind="picture", group="g1", at=c.clock.now())])
    performed(c)

    figures = event_figures(store, c.runtime.community_id, c.clock.now())
    held = figures[0].attendance
    assert held is not None and (held.confirmed, held.attended) == (2, 1)
    assert (held.attendance_rate, held.no_show_rate) == (0.5, 0.5)
    assert (figures[0].feedback, figures[0].photos) == (2, 1)
    per_activity = activity_figures(figures)
    assert [(a.activity_id, a.attendance.attended) for a in per_activity] == [("night-run", 1)]

    report = build_report(store, c.runtime.community_id, now=c.clock.now()).to_json()
    assert report["overall"]["segments"]["met_offline"] == 1  # bo came
    by_group = {g["name"]: g["segments"]["met_offline"] for g in report["groups"]}
    assert by_group == {"g1": 1, "g2": 0}
    belonging = {g["name"]: next(c for c in g["health"]["components"] if c["key"] == "belonging")
                 for g in report["groups"]}  # fmt: skip
    assert belonging["g1"]["score"] is not None and "1 of" in belonging["g1"]["explanation"]
    [held_json] = report["attendance"]["events"]
    assert (held_json["attended"], held_json["no_show_rate"], held_json["photos"]) == (1, 0.5, 1)
    assert report["attendance"]["activities"][0]["attendance_rate"] == 0.5
    page = render_html(build_report(store, c.runtime.community_id, now=c.clock.now()))
    assert "Offline events: attendance" in page and 'id="attendance-events"' in page


def test_a_priced_event_holds_the_place_until_the_fee_is_recorded_in_the_ledger(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, PRICED)
    seat(c, "g1", "ann", "bo")
    held = say(c, "ann", "/rsvp tasting")[0].text or ""
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    assert "45 GBP" in held and code in held and "/ticket/" not in held
    assert "waitlist" in (say(c, "bo", "/rsvp tasting")[0].text or "")  # the held place counts
    # /ticket for the place held unpaid: said only "no confirmed sign-up", not how to pay
    unpaid = say(c, "ann", "/ticket")[0].text or ""
    assert "no confirmed sign-up" in unpaid, unpaid
    assert "'Tasting night'" in unpaid and "not paid yet" in unpaid, unpaid
    assert f"Pay 45 GBP and quote the payment reference {code} when paying" in unpaid, unpaid

    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    community = stored(c)
    paid = record_fee(store, community, event_id, code, "shop-7", "", "staff", store_clock.now())
    assert paid.created and paid.signup.status.value == "confirmed"
    assert paid.order.kind is OrderKind.EVENT_FEE and paid.order.plan_id == f"event:{event_id}"
    assert str(paid.order.amount) == "45.00"
    told = performed(c)
    assert len(told) == 1 and told[0].member == "ann" and "/ticket/" in (told[0].text or "")
    assert record_fee(store, community, event_id, code, "shop-7", "", "staff",
                      store_clock.now()).created is False  # fmt: skip
    assert performed(c) == []
    with pytest.raises(EventError, match="recorded already"):  # ann's receipt typed for bo
        record_fee(store, community, event_id, "fake:bo", "shop-7", "", "staff", store_clock.now())
    assert "door code for 'Tasting night'" in (say(c, "ann", "/入场码")[0].text or "")
    # bo waits: /ticket said only "no confirmed sign-up yet", as if bo had never signed up
    waiting = say(c, "bo", "/ticket")[0].text or ""
    assert "no confirmed sign-up yet" in waiting, waiting
    assert "'Tasting night'" in waiting and "you are number 1 on the waitlist" in waiting, waiting
    try:
        record_fee(store, community, event_id, "fake:bo", "shop-8", "", "staff", store_clock.now())
    except EventError as exc:
        assert "waitlist" in str(exc)
    else:
        raise AssertionError("a waitlisted member's fee on a full event is refused")


def test_cancelling_an_event_tells_each_group_once_and_calls_off_its_reminders(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock)
    seat(c, "g1", "ann")
    seat(c, "g2", "dee")
    say(c, "ann", "/rsvp")
    say(c, "dee", "/rsvp", group="g2")
    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    told = staff.cancel_event(store, stored(c), event_id, "staff", store_clock.now())
    assert len(told) == 2
    sent = performed(c)
    assert sorted(a.group for a in sent) == ["g1", "g2"]
    assert all("is cancelled" in (a.text or "") for a in sent)
    assert run_at(c, STARTS - timedelta(hours=2), restart=True) == []
    assert "not signed up" in (say(c, "ann", "/unrsvp")[0].text or "")


def test_giving_up_a_place_when_signed_up_for_nothing_says_so_in_words(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/unrsvp` alone from a member signed up for nothing answered "you are not signed up
    for '…'": a literal ellipsis where an event's title belongs."""
    c = event_community(store, store_clock)
    seat(c, "g1", "ann")
    [said] = _texts(say(c, "ann", "/unrsvp"))
    assert "'…'" not in said
    assert "ann, you are not signed up for any event coming up: nothing to cancel." in said
    # naming an event gets the same answer: the words are not repeated
    named = _texts(say(c, "ann", "/unrsvp night run"))[0]
    assert "you are not signed up for any event coming up" in named and "night run" not in named


def test_a_cancelled_event_mentions_everyone_signed_up_from_the_group_in_its_one_notice(
    store: Store, store_clock: FrozenClock
) -> None:
    """Two members of one group signed up: the group's one notice @-mentioned the first
    only, so the second was never notified that the evening was off."""
    c = event_community(store, store_clock)
    seat(c, "g1", "ann", "bo")
    say(c, "ann", "/rsvp")
    say(c, "bo", "/rsvp")
    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    staff.cancel_event(store, stored(c), event_id, "staff", store_clock.now())
    [notice] = performed(c)
    assert notice.group == "g1" and "is cancelled" in (notice.text or "")
    assert sorted(notice.extra.get("mentions", [])) == ["ann", "bo"]


def test_nobody_is_a_no_show_before_the_event_begins(
    store: Store, store_clock: FrozenClock
) -> None:
    """The door opens 3 hours early: the first member let in at 16:00 for a 19:00 run made
    the other, on their way, a "no-show" (1 of 2, 50%) on the events page, in `hearth events
    list` and in the report, and in the activity's rate."""
    from hearthkeeper.capabilities.activities.stats import attendance_json

    c = event_community(store, store_clock)
    seat(c, "g1", "ann", "bo")
    say(c, "ann", "/rsvp")
    say(c, "bo", "/rsvp")
    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    early = STARTS - timedelta(hours=1)
    assert staff.check_in(store, stored(c), code_of(c, "bo", event_id), "door",
                          early).verdict is DoorVerdict.IN  # fmt: skip
    [figures] = event_figures(store, c.runtime.community_id, early)
    door_open = figures.attendance
    assert door_open is not None and (door_open.confirmed, door_open.attended) == (2, 1)
    assert door_open.no_shows is None and door_open.no_show_rate is None
    assert activity_figures([figures]) == []  # no rate of the activity from a run not begun
    [shown] = attendance_json([figures])["events"]
    assert (shown["attended"], shown["no_shows"], shown["no_show_rate"]) == (1, None, None)

    [figures] = event_figures(store, c.runtime.community_id, STARTS + timedelta(minutes=30))
    begun = figures.attendance
    assert begun is not None and (begun.no_shows, begun.no_show_rate) == (1, 0.5)


def test_rsvp_with_a_superscript_or_a_huge_number_says_no_such_event(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/rsvp ²` (a digit to str.isdigit, not to int()) and a 5,000-digit number (past what
    int() converts) failed the whole batch, every message in it unhandled."""
    c = event_community(store, store_clock)
    seat(c, "g1", "ann")
    for text in ("/rsvp ²", "/rsvp ⑤", "/rsvp " + "9" * 5000, "/rsvp 99999999999999999999"):
        [answer] = say(c, "ann", text)
        assert "there is no event" in (answer.text or "") and "#1 Night run" in (answer.text or "")
    assert "you're in: 'Night run'" in (say(c, "ann", "/rsvp night-run")[0].text or "")


def test_an_unknown_event_is_not_echoed(store: Store, store_clock: FrozenClock) -> None:
    """`/rsvp` (`/报名`) and `/unrsvp` echoed the words as typed: a right-to-left override
    reversed the rest of the bot's line in the group, and 5,000 characters came back whole."""
    c = event_community(store, store_clock)
    seat(c, "g1", "ann")
    [unknown] = say(c, "ann", "/报名 \u202enur-gnol\u200b")
    assert "there is no event by that name" in (unknown.text or ""), unknown.text
    assert "nur-gnol" not in (unknown.text or "") and "\u202e" not in (unknown.text or "")
    [long] = say(c, "ann", "/rsvp " + "z" * 5000)
    assert "there is no event by that name" in (long.text or "") and "z" not in (long.text or "")
    [gone] = say(c, "ann", "/unrsvp \u202eabc")
    assert "not signed up for any event" in (gone.text or "") and "abc" not in (gone.text or "")


def test_words_that_name_no_event_are_not_repeated_by_the_bot(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/报名 <an ad>` came back in the bot's answer, 40 characters of it, under the bot's
    name: the bot spread the ad. Then a short name was still repeated (`/报名 找我代购` is
    one). Words that name no event are never repeated: the answer lists the events."""
    c = event_community(store, store_clock, language="zh-CN")
    seat(c, "g1", "ann")
    # what moderation lets stand (an ad it flags is deleted before any answer)
    for pitch in ("周末有空的朋友一起来聊聊天吧", "问问 8823", "ask @bob"):
        [unknown] = say(c, "ann", f"/报名 {pitch}")
        assert "没有找到这个活动" in (unknown.text or ""), unknown.text
        assert "#1 Night run" in (unknown.text or "")
        for word in pitch.split():
            assert word not in (unknown.text or ""), (pitch, unknown.text)
    [typo] = say(c, "ann", "/报名 nightrun")
    assert "没有找到这个活动" in (typo.text or "") and "nightrun" not in (typo.text or "")
    [gone] = say(c, "ann", "/不去了 问问 8823")
    assert "8823" not in (gone.text or "") and "问问" not in (gone.text or ""), gone.text


def test_a_member_who_paid_gave_the_place_up_and_signs_up_again_is_not_asked_to_pay_twice(
    store: Store, store_clock: FrozenClock
) -> None:
    """The fee stayed in the ledger (Hearthkeeper records no event-fee refund), yet signing
    up again held an unpaid place and asked for the fee again; moving up from the waitlist
    likewise."""
    c = event_community(store, store_clock, PRICED)  # one place
    seat(c, "g1", "ann", "bo")
    say(c, "ann", "/rsvp tasting")
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    record_fee(store, stored(c), event_id, code, "shop-7", "", "staff", store_clock.now())
    performed(c)
    gone = say(c, "ann", "/unrsvp")[0].text or ""
    assert "Your fee of 45 GBP stays recorded" in gone and "ask staff" in gone
    assert "you're in" in (say(c, "ann", "/rsvp tasting")[0].text or "")
    say(c, "ann", "/unrsvp")
    assert "is held for you" in (say(c, "bo", "/rsvp tasting")[0].text or "")  # bo owes
    assert "waitlist" in (say(c, "ann", "/rsvp tasting")[0].text or "")
    [told] = [a for a in say(c, "bo", "/unrsvp") if a.member == "ann"]
    assert "you're in for 'Tasting night'" in (told.text or "") and "/ticket/" in (told.text or "")
    [mine] = [s for s in SqlActivities.on(store).signups(event_id) if s.display_name == "ann"]
    assert mine.status.value == "confirmed"
    assert len(SqlBilling.on(store).orders(c.runtime.community_id)) == 1  # one fee, paid once


def test_a_paid_place_given_back_before_the_start_is_refunded_once_and_goes_to_the_next(
    store: Store, store_clock: FrozenClock
) -> None:
    """There was no way to give an event's fee back: the member who gave up a paid place kept
    only "ask staff", and staff had nothing to record it with."""
    c = event_community(store, store_clock, PRICED)  # one place
    seat(c, "g1", "ann", "bo")
    say(c, "ann", "/rsvp tasting")
    say(c, "bo", "/rsvp tasting")  # the waitlist
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    fee = record_fee(store, stored(c), event_id, code, "shop-7", "", "staff", store_clock.now())
    performed(c)

    done = refund_fee(store, stored(c), event_id, "fake:ann", "staff", store_clock.now())
    assert done.refund.kind is OrderKind.REFUND and done.refund.refund_of == fee.order.id
    assert str(done.refund.amount) == "-45.00" and done.signup.status.value == "cancelled"
    assert [m.display_name for m in done.moved_up] == ["bo"]
    told = {a.member: a.text or "" for a in performed(c)}
    assert "your fee of 45 GBP for 'Tasting night' was refunded" in told["ann"]
    assert "is held for you" in told["bo"]  # bo moves up, owing the fee

    with pytest.raises(EventError, match=rf"the fee for event {event_id} \(order "
                       rf"{fee.order.id}\) was refunded already \(order {done.refund.id}\)"):  # fmt: skip
        refund_fee(store, stored(c), event_id, "fake:ann", "staff", store_clock.now())
    amounts = [str(o.amount) for o in SqlBilling.on(store).orders(c.runtime.community_id)]
    assert amounts == ["45.00", "-45.00"], "given back once"
    assert "waitlist" in (say(c, "ann", "/rsvp tasting")[0].text or "")  # no free place now
    [mine] = [s for s in SqlActivities.on(store).signups(event_id) if s.display_name == "ann"]
    assert mine.order_id is None, "signing up again owes the fee anew"


def test_a_fee_is_refunded_after_the_start_only_when_the_event_was_cancelled(
    store: Store, store_clock: FrozenClock
) -> None:
    c = event_community(store, store_clock, PRICED)
    seat(c, "g1", "ann", "bo")
    say(c, "ann", "/rsvp tasting")
    code = SqlBilling.on(store).reference_for("fake", "ann", "ann", store_clock.now()).code
    event = SqlActivities.on(store).events(c.runtime.community_id)[0]
    record_fee(store, stored(c), event.id, code, "shop-7", "", "staff", store_clock.now())
    performed(c)
    with pytest.raises(EventError, match="has not signed up"):
        refund_fee(store, stored(c), event.id, "fake:bo", "staff", store_clock.now())
    store_clock.set(event.starts_at + timedelta(minutes=5))
    with pytest.raises(EventError, match=r"started at .*: its fees are refunded before the start"):
        refund_fee(store, stored(c), event.id, "fake:ann", "staff", store_clock.now())
    staff.cancel_event(store, stored(c), event.id, "staff", store_clock.now())
    performed(c)
    done = refund_fee(store, stored(c), event.id, "fake:ann", "staff", store_clock.now())
    assert str(done.refund.amount) == "-45.00"
    [told] = performed(c)
    assert "'Tasting night' was cancelled: your fee of 45 GBP was refunded" in (told.text or "")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_door_code_is_not_said_in_full_where_the_carrier_cannot_show_it_to_one_member(
    store: Store, store_clock: FrozenClock
) -> None:
    """On a carrier without private replies (QQ, Matrix, Telegram) the group reads only a
    door code's last two characters: anyone who read the whole code could be let in with it.
    Before, the sign-up's and /ticket's replies gave every reader the code and its link."""
    c = event_community(store, store_clock, private_replies=False)
    seat(c, "g1", "ann", "bo", "cy")
    [said] = say(c, "ann", "/rsvp night-run")
    event_id = SqlActivities.on(store).events(c.runtime.community_id)[0].id
    code = code_of(c, "ann", event_id)
    shown = f"{code[:4]}-{code[4:]}"
    text = said.text or ""
    assert "you're in: 'Night run'" in text and f"(ending …{code[-2:]})" in text
    assert "ask staff for it privately" in text
    assert code not in text and shown not in text and "/ticket/" not in text
    ticket = say(c, "ann", "/ticket")[0].text or ""
    assert f"ends in …{code[-2:]}" in ticket
    assert code not in ticket and shown not in ticket and "/ticket/" not in ticket
    say(c, "bo", "/rsvp")
    say(c, "cy", "/rsvp")  # waits
    moved = [a for a in say(c, "bo", "/unrsvp") if a.member == "cy"]
    cy_code = code_of(c, "cy", event_id)
    assert len(moved) == 1 and "a place freed up" in (moved[0].text or "")
    assert cy_code not in (moved[0].text or "") and "/ticket/" not in (moved[0].text or "")
