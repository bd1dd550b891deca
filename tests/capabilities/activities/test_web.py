"""Offline events on the web side, on the skincare community (zh-CN, its monthly salon): the
console's events page and forms, the calendar listing them, a member's ticket page with its
QR code, and the door page a phone opens from that QR code — in once, a reused or wrong code
said so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from hearthkeeper.capabilities.activities.records import Event
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.web import MISSES_PER_HOUR
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.web.auth import SESSION_COOKIE, new_token, token_hash
from tests.console_setup import SLUG, Console

SALON = datetime(2026, 5, 9, 6, 0, tzinfo=UTC)  # second Saturday of May, 14:00 in Shanghai


@pytest.fixture
def c(console: Console) -> Console:
    """The console (the shared fixture), as this module's tests name it."""
    return console


def _mei_signs_up(c: Console) -> str:
    c.engine.process([c.events.message("mei", "/报名 沙龙", name="美美", at=c.clock.now())])
    signups = SqlActivities.on(c.store).signups(
        SqlActivities.on(c.store).events(c.community_id)[0].id
    )
    assert [(s.display_name, s.status.value) for s in signups] == [("美美", "confirmed")]
    return signups[0].code


def _tasting(c: Console, capacity: str, **more: str) -> Event:
    """Staff make 品鉴会 (88 CNY, `capacity` places) on the events page: the event made."""
    made = c.post("/events/create", {"title": "品鉴会", "at": "2026-05-06T20:30", "price": "88",
                                     "capacity": capacity, **more})  # fmt: skip
    assert made.headers["location"].endswith("notice=created")
    return next(e for e in SqlActivities.on(c.store).events(c.community_id) if e.title == "品鉴会")


def _mei_asks_for_the_tasting(c: Console) -> str:
    """美美 signs up for 品鉴会 in the chat: how the events page's forms name her."""
    c.engine.process([c.events.message("mei", "/报名 品鉴会", name="美美", at=c.clock.now())])
    return f"member:{c.member_id('mei')}"


def _sign_in_again(c: Console) -> None:
    operator = c.store.operator_by_name("ann")
    assert operator is not None
    token = new_token()
    c.store.create_session(operator.id, token_hash(token), new_token(),
                           c.clock.now() + timedelta(hours=12))  # fmt: skip
    c.client.cookies.set(SESSION_COOKIE, token)


def test_the_events_page_lists_the_salon_and_staff_make_and_cancel_an_event(c: Console) -> None:
    code = _mei_signs_up(c)
    page = c.get("/events")
    assert page.status_code == 200 and "线下肤质检测沙龙" in page.text
    # each sign-up's door code, for staff to give a member privately where the chat said
    # only its tail (a carrier without private replies)
    assert f"<code>{code[:4]}-{code[4:]}</code>" in page.text
    assert "杭州·颜学院工作室" in page.text and "/door" in page.text
    made = c.post("/events/create", {"title": "周六夜跑", "at": "2026-05-06T20:30",
                                     "place": "西湖断桥", "capacity": "10"})  # fmt: skip
    assert made.headers["location"].endswith("notice=created")
    events = SqlActivities.on(c.store).events(c.community_id)
    run = next(e for e in events if e.title == "周六夜跑")
    assert run.starts_at == datetime(2026, 5, 6, 12, 30, tzinfo=UTC) and run.capacity == 10
    calendar = c.get("/calendar").text
    assert "offline: 周六夜跑 @ 西湖断桥" in calendar  # the salon is 8 days ahead: not yet
    bad = c.post("/events/create", {"title": "昨天", "at": "2026-04-01T10:00"})
    assert bad.status_code == 400 and "past" in bad.text
    assert c.post(f"/events/{run.id}/cancel").headers["location"].endswith("notice=cancelled")
    assert c.post(f"/events/{run.id}/cancel").status_code == 409  # cancelled already


def test_a_ticket_shows_its_qr_code_and_the_door_lets_the_member_in_once(c: Console) -> None:
    code = _mei_signs_up(c)
    ticket = c.client.get(f"/ticket/{code}")
    assert ticket.status_code == 200 and "美美" in ticket.text and "<svg" in ticket.text
    assert "到场时请出示此二维码" in ticket.text and f"{code[:4]}-{code[4:]}" in ticket.text
    assert c.client.get("/ticket/ZZZZZZZZ").status_code == 404

    early = c.get(f"/door/{code}")
    assert early.status_code == 409 and "Not this event&#39;s door time" in early.text
    c.clock.set(SALON - timedelta(minutes=10))
    _sign_in_again(c)  # a week later: the session from setup has expired
    shown = c.get(f"/door/{code}")  # the QR's link: the member, and the button
    assert shown.status_code == 200 and "Valid ticket" in shown.text and "美美" in shown.text
    assert 'id="let-in"' in shown.text and f'name="code" value="{code}"' in shown.text
    first = c.post("/door", {"code": code})  # the one tap
    assert first.status_code == 200 and "Welcome in" in first.text and "美美" in first.text
    again = c.get(f"/door/{code.lower()}")
    assert again.status_code == 409 and "Code used already" in again.text
    assert 'id="let-in"' not in again.text
    assert c.post("/door", {"code": code.lower()}).status_code == 409
    typed = c.get("/door", code=f"{code[:4]}-{code[4:]}".lower())
    assert typed.status_code == 303 and typed.headers["location"].endswith(f"/door/{code}")
    wrong = c.post("/door", {"code": "abcd-0000"})
    assert wrong.status_code == 409 and "Unknown code" in wrong.text
    assert 'value="ABCD-0000"' in wrong.text  # kept in the field to correct
    assert SqlPoints.on(c.store).points_of(c.community_id, c.member_id("mei")) >= 10
    assert "已签到" in c.client.get(f"/ticket/{code}").text
    figures = c.get("/events").text
    assert 'class="attended">1/1 (100%)' in figures
    signups = figures.split("Sign-ups of ")[1].split("</details>")[0]  # folded under the event
    assert signups.index("Door code") < signups.index("美美") < signups.index(f"{code[:4]}-")
    assert '<th title="The member&#39;s ticket: give it to them privately' in signups


def test_the_door_says_when_it_opens_to_a_code_scanned_too_early(c: Console) -> None:
    """A ticket scanned before the door opened read only "Not this event's door time":
    staff at the entrance are told when it opens (community time), and after it closed,
    when it closed."""
    code = _mei_signs_up(c)
    early = c.get(f"/door/{code}")
    assert early.status_code == 409 and "Not this event&#39;s door time" in early.text
    assert "The door opens at Sat 2026-05-09 11:00, 3 hours before the start." in early.text
    c.clock.set(SALON + timedelta(hours=13))
    _sign_in_again(c)
    late = c.post("/door", {"code": code})
    assert late.status_code == 409
    assert "The door closed at Sun 2026-05-10 02:00, 12 hours after the start." in late.text


def test_the_door_needs_a_signed_in_operator(c: Console) -> None:
    code = _mei_signs_up(c)
    c.client.cookies.clear()
    page = c.client.get(f"/console/c/{SLUG}/door/{code}", follow_redirects=False)
    assert page.status_code in (303, 307, 401) or "sign" in page.text.lower()
    assert SqlActivities.on(c.store).by_code(code).attended_at is None  # type: ignore[union-attr]


def test_a_link_to_the_door_page_does_not_let_anyone_in(c: Console) -> None:
    """A signed-in staff browser made to fetch a ticket's door link (a link, an <img>)
    only shows the ticket; letting in takes the page's button (a POST with the session's
    CSRF token), and a POST from elsewhere without it is refused."""
    code = _mei_signs_up(c)
    c.clock.set(SALON - timedelta(minutes=10))
    _sign_in_again(c)
    for _ in range(2):
        page = c.get(f"/door/{code}")
        assert page.status_code == 200 and "Let in" in page.text
        assert "Welcome in" not in page.text
    forged = c.client.post(f"/console/c/{SLUG}/door", data={"code": code},
                           follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403
    signup = SqlActivities.on(c.store).by_code(code)
    assert signup is not None and signup.attended_at is None
    assert SqlPoints.on(c.store).points_of(c.community_id, c.member_id("mei")) < 10
    assert "已签到" not in c.client.get(f"/ticket/{code}").text


def test_a_mistyped_event_form_says_what_is_wrong_and_keeps_what_staff_typed(c: Console) -> None:
    """An event id that is not a number is a page saying so (not a JSON error), and both
    forms come back filled in with what was typed, to correct and send again."""
    pay = c.post("/events/pay", {"event": "salon", "who": "7KQ2-M9XD", "receipt": "WX-889",
                                 "amount": "88"})  # fmt: skip
    assert pay.status_code == 400 and "text/html" in pay.headers["content-type"]
    assert "event id" in pay.text.lower() and "salon" in pay.text
    assert 'value="7KQ2-M9XD"' in pay.text and 'value="WX-889"' in pay.text
    made = c.post("/events/create", {"title": "周六夜跑", "at": "2026-05-06T20:30",
                                     "place": "西湖断桥", "capacity": "ten"})  # fmt: skip
    assert made.status_code == 400 and "capacity" in made.text
    assert 'value="周六夜跑"' in made.text and 'value="西湖断桥"' in made.text
    assert 'value="2026-05-06T20:30"' in made.text and 'value="ten"' in made.text
    assert [e.title for e in SqlActivities.on(c.store).events(c.community_id)
            if e.title == "周六夜跑"] == []  # fmt: skip


def test_staff_give_a_payment_window_on_the_events_page_and_see_lapsed_places(
    c: Console,
) -> None:
    bad = c.post("/events/create", {"title": "品鉴会", "at": "2026-05-06T20:30", "price": "88",
                                    "pay_within": "2 fortnights"})  # fmt: skip
    assert bad.status_code == 400 and "payment window" in bad.text
    assert 'value="2 fortnights"' in bad.text
    event = _tasting(c, "1", pay_within="12h")
    assert event.pay_within == timedelta(hours=12)
    _mei_asks_for_the_tasting(c)
    c.clock.set(c.clock.now() + timedelta(hours=12))
    c.engine.tick()
    [mei] = SqlActivities.on(c.store).signups(event.id)
    assert mei.status.value == "lapsed"
    _sign_in_again(c)  # half a day later: the session from setup has expired
    page = c.get("/events").text
    assert "pay within 12h" in page and '<td class="lapsed">1</td>' in page


def test_numbers_too_large_for_the_store_are_said_on_the_form_that_keeps_them(c: Console) -> None:
    """A capacity or an event id beyond any the store holds is the events page saying so,
    with the form filled in, not a page about SQLite's integers that drops what was typed."""
    huge = "9" * 30
    made = c.post("/events/create", {"title": "周六夜跑", "at": "2026-05-06T20:30",
                                     "capacity": huge})  # fmt: skip
    assert made.status_code == 400 and "more places than an event can have" in made.text
    assert f'value="{huge}"' in made.text and 'value="周六夜跑"' in made.text
    assert "SQLite" not in made.text
    pay = c.post("/events/pay", {"event": huge, "who": "7KQ2-M9XD", "receipt": "WX-889"})
    assert pay.status_code == 409 and f"There is no event {huge}" in pay.text
    assert 'value="WX-889"' in pay.text


def test_staff_refund_a_fee_on_the_events_page_once(c: Console) -> None:
    event = _tasting(c, "1")
    who = _mei_asks_for_the_tasting(c)
    paid = c.post("/events/pay", {"event": str(event.id), "who": who, "receipt": "WX-1"})
    assert paid.headers["location"].endswith("notice=paid")
    assert "Refund a fee" in c.get("/events").text

    back = c.post("/events/refund", {"event": str(event.id), "who": who})
    assert back.status_code == 303 and back.headers["location"].endswith("notice=refunded")
    [mei] = SqlActivities.on(c.store).signups(event.id)
    assert mei.status.value == "cancelled" and mei.order_id is None
    again = c.post("/events/refund", {"event": str(event.id), "who": who})
    assert again.status_code == 409 and "was refunded already" in again.text
    assert f'value="{who}"' in again.text  # the refund form keeps what was typed
    amounts = [str(o.amount) for o in SqlBilling.on(c.store).orders(c.community_id)]
    assert amounts == ["88.00", "-88.00"]


def test_a_fee_below_the_events_on_the_events_page_needs_a_discount_reason(c: Console) -> None:
    """The *Record a fee* form confirmed a place for any amount typed (8 for 88, or -88,
    which also took 88 off the revenue); now it says what was paid against the fee and keeps
    the form filled in, and a discount reason confirms the place."""
    event = _tasting(c, "1")
    who = _mei_asks_for_the_tasting(c)
    form = {"event": str(event.id), "who": who, "receipt": "WX-8"}
    short = c.post("/events/pay", {**form, "amount": "8"})
    assert short.status_code == 409 and "8.00 CNY was paid, below the fee of event" in short.text
    assert "Discount reason" in short.text and 'value="8"' in short.text
    negative = c.post("/events/pay", {**form, "amount": "-88"})
    assert negative.status_code == 409 and "a fee cannot be negative" in negative.text
    assert SqlBilling.on(c.store).orders(c.community_id) == []
    [mei] = SqlActivities.on(c.store).signups(event.id)
    assert mei.status.value == "unpaid"

    unseen = c.post("/events/pay", {**form, "amount": "8", "discount": "\u200b\u200b"})
    assert unseen.status_code == 409 and "give the discount&#39;s reason" in unseen.text
    pasted = c.post("/events/pay", {**form, "amount": "8", "discount": "价" * 501})
    assert pasted.status_code == 409 and "reason is 501 characters long" in pasted.text
    assert SqlBilling.on(c.store).orders(c.community_id) == []

    agreed = c.post("/events/pay", {**form, "amount": "8", "discount": "老会员价"})
    assert agreed.headers["location"].endswith("notice=paid")
    [mei] = SqlActivities.on(c.store).signups(event.id)
    assert mei.status.value == "confirmed"
    assert [str(o.amount) for o in SqlBilling.on(c.store).orders(c.community_id)] == ["8.00"]


def test_cancelling_an_event_with_fees_paid_says_to_give_them_back(c: Console) -> None:
    """The page said only "members who signed up are told": the fees recorded for the
    event stayed in the revenue until staff thought of refunding each."""
    event = _tasting(c, "2")
    who = _mei_asks_for_the_tasting(c)
    c.post("/events/pay", {"event": str(event.id), "who": who, "receipt": "WX-1"})
    cancelled = c.post(f"/events/{event.id}/cancel")
    assert cancelled.headers["location"].endswith("notice=cancelled-fees")
    page = c.get("/events?notice=cancelled-fees").text
    assert "Fees recorded for it are not given back by themselves" in page
    assert "Refund a fee" in page


def test_guessing_door_codes_is_limited_per_client_network(c: Console) -> None:
    """Ticket codes are 40 random bits and `/ticket/<code>` answered every guess. Now one
    network gets `MISSES_PER_HOUR` unknown codes an hour; then every ticket page it asks for,
    a real one too, is refused with Retry-After, while other networks see theirs."""
    code = _mei_signs_up(c)
    guesser = TestClient(c.client.app, client=("203.0.113.5", 4000))
    for n in range(MISSES_PER_HOUR):
        assert guesser.get(f"/ticket/ZZZZ{n:04d}").status_code == 404
    refused = guesser.get("/ticket/ZZZZZZZZ")
    assert refused.status_code == 429 and "入场码" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    real = guesser.get(f"/ticket/{code}")
    assert real.status_code == 429 and "美美" not in real.text, "no hit shows past the limit"
    member = TestClient(c.client.app, client=("198.51.100.7", 4000))
    for _ in range(MISSES_PER_HOUR + 5):  # a member reopening their ticket is never limited
        assert member.get(f"/ticket/{code}").status_code == 200
    c.clock.advance(timedelta(hours=1))
    assert guesser.get(f"/ticket/{code}").status_code == 200
