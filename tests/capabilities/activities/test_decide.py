"""The pure rules of offline events, without a database: places and the waitlist, a priced
event's held place, promotion order, the door, reminders still ahead, rates, codes as typed,
and which event a member's words name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hearthkeeper.capabilities.activities import catalogue
from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.records import Event, EventStatus, SignUp, Status
from hearthkeeper.capabilities.activities.render import event_line
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.positioning import Language
from tests.playbook_samples import MINIMAL

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
START = datetime(2026, 5, 10, 18, 0, tzinfo=UTC)


def event(capacity: int | None = 2, price: str | None = None, **changes: object) -> Event:
    values: dict[str, object] = dict(
        id=1, community_id=1, activity_id="run", title="Night run", place=None,
        starts_at=START, capacity=capacity, price=Decimal(price) if price else None,
        currency="CNY", sign_up=True, status=EventStatus.SCHEDULED, created_by="playbook",
        created_at=NOW,
    )  # fmt: skip
    values.update(changes)
    return Event(**values)  # type: ignore[arg-type]


def signup(n: int, status: Status, attended: bool = False) -> SignUp:
    return SignUp(id=n, event_id=1, member_id=n, group_id=1, status=status, code=f"CODE000{n}",
                  order_id=None, signed_up_at=NOW + timedelta(minutes=n), changed_at=NOW,
                  attended_at=START if attended else None, checked_in_by=None,
                  display_name=f"m{n}")  # fmt: skip


def test_places_then_the_waitlist_in_order() -> None:
    two = [signup(1, Status.CONFIRMED), signup(2, Status.CONFIRMED)]
    assert d.decide_sign_up(event(), two[:1], 9, NOW) == d.Place(Status.CONFIRMED)
    assert d.decide_sign_up(event(), two, 9, NOW) == d.Place(Status.WAITLISTED, 1)
    waiting = [*two, signup(3, Status.WAITLISTED)]
    assert d.decide_sign_up(event(), waiting, 9, NOW) == d.Place(Status.WAITLISTED, 2)
    assert d.decide_sign_up(event(), waiting, 3, NOW) == d.Refuse("already_waitlisted", 1)
    assert d.decide_sign_up(event(capacity=None), two, 9, NOW) == d.Place(Status.CONFIRMED)


def test_a_priced_event_holds_an_unpaid_place_and_some_events_refuse() -> None:
    assert d.decide_sign_up(event(price="45"), [], 9, NOW) == d.Place(Status.UNPAID)
    held = [signup(1, Status.UNPAID), signup(2, Status.CONFIRMED)]
    assert d.decide_sign_up(event(price="45"), held, 9, NOW).status is Status.WAITLISTED  # type: ignore[union-attr]
    assert d.decide_sign_up(event(price="0"), [], 9, NOW) == d.Place(Status.CONFIRMED)
    assert d.decide_sign_up(event(status=EventStatus.CANCELLED), [], 9, NOW) == d.Refuse(
        "cancelled_event")  # fmt: skip
    assert d.decide_sign_up(event(sign_up=False), [], 9, NOW) == d.Refuse("no_sign_up")
    assert d.decide_sign_up(event(), [], 9, START) == d.Refuse("started")
    back = [signup(9, Status.CANCELLED)]
    assert d.decide_sign_up(event(), back, 9, NOW) == d.Place(Status.CONFIRMED)


def test_a_cancellation_moves_up_the_first_waiting_to_what_the_event_asks() -> None:
    after = [signup(1, Status.CANCELLED), signup(2, Status.CONFIRMED),
             signup(3, Status.WAITLISTED), signup(4, Status.WAITLISTED)]  # fmt: skip
    assert [(s.id, st) for s, st in d.promotions(event(), after)] == [(3, Status.CONFIRMED)]
    assert [(s.id, st) for s, st in d.promotions(event(price="9"), after)] == [(3, Status.UNPAID)]
    assert d.promotions(event(capacity=1), after[1:]) == []  # still full
    assert d.decide_withdraw(event(), after, 1) == d.Refuse("not_signed")
    assert d.decide_withdraw(event(), after, 2) == after[1]


def test_a_fee_confirms_an_unpaid_or_a_waitlisted_place_only_when_there_is_room() -> None:
    priced = event(capacity=1, price="45")
    unpaid = signup(1, Status.UNPAID)
    assert d.decide_payment(priced, [unpaid], unpaid) is Status.CONFIRMED
    waiting = signup(2, Status.WAITLISTED)
    assert "waitlist" in str(d.decide_payment(priced, [unpaid, waiting], waiting))
    assert d.decide_payment(priced, [waiting], waiting) is Status.CONFIRMED
    assert "free" in str(d.decide_payment(event(), [unpaid], unpaid))


def test_the_door_admits_a_confirmed_code_once_and_in_its_hours() -> None:
    ok = signup(1, Status.CONFIRMED)
    at = START - timedelta(minutes=20)
    assert d.decide_door(event(), ok, 1, at) is d.DoorVerdict.IN
    assert d.decide_door(event(), signup(1, Status.CONFIRMED, attended=True), 1, at) is (
        d.DoorVerdict.AGAIN)  # fmt: skip
    assert d.decide_door(event(), ok, 2, at) is d.DoorVerdict.UNKNOWN  # another community's
    assert d.decide_door(None, None, 1, at) is d.DoorVerdict.UNKNOWN
    assert d.decide_door(event(), signup(1, Status.UNPAID), 1, at) is d.DoorVerdict.NOT_CONFIRMED
    assert d.decide_door(event(status=EventStatus.CANCELLED), ok, 1, at) is d.DoorVerdict.CANCELLED
    assert d.decide_door(event(), ok, 1, START - timedelta(days=1)) is d.DoorVerdict.NOT_NOW
    assert d.decide_door(event(), ok, 1, START + timedelta(days=1)) is d.DoorVerdict.NOT_NOW


def test_reminders_ahead_rates_and_codes_as_typed() -> None:
    assert d.reminder_moments(START, NOW) == [timedelta(hours=24), timedelta(hours=2)]
    assert d.reminder_moments(START, START - timedelta(hours=3)) == [timedelta(hours=2)]
    assert d.reminder_moments(START, START - timedelta(hours=1)) == []
    rates = d.rates([signup(1, Status.CONFIRMED, True), signup(2, Status.CONFIRMED),
                     signup(3, Status.CONFIRMED, True), signup(4, Status.WAITLISTED),
                     signup(5, Status.CANCELLED)])  # fmt: skip
    assert (rates.confirmed, rates.attended, rates.no_shows) == (3, 2, 1)
    assert (rates.attendance_rate, rates.no_show_rate) == (0.6667, 0.3333)
    assert d.rates([]).attendance_rate is None
    assert d.normal_code(" 7kq2-m9xo ") == "7KQ2M9X0" and d.shown_code("7KQ2M9X0") == "7KQ2-M9X0"
    assert d.normal_code("7KQ2-M9") is None and d.normal_code("UUUUUUUU") is None
    assert d.normal_code("７ｋｑ２－ｍ９ｘｏ") == "7KQ2M9X0"  # typed on a full-width keyboard


PLAYBOOK = (
    MINIMAL
    + """\
activities:
  - {id: salon, name: Tea salon, when: 2026-05-16 15:00, place: The shop}
  - {id: run, name: Night run, schedule: "0 19 * * 2"}
"""
)


def test_occurrences_in_the_community_zone_and_which_event_words_name() -> None:
    pb = parse_playbook(PLAYBOOK).playbook
    found = catalogue.occurrences(pb, NOW, NOW + timedelta(days=16))
    assert [(o.activity.id, o.starts_at.isoformat()) for o in found] == [
        ("run", "2026-05-05T18:00:00+00:00"), ("run", "2026-05-12T18:00:00+00:00"),
        ("salon", "2026-05-16T14:00:00+00:00"),  # 15:00 London summer time
    ]  # fmt: skip
    assert found[-1].line == "offline: Tea salon @ The shop"
    salon = event(id=7, activity_id="salon", title="Tea salon")
    run = event(id=8, activity_id="run", title="Night run")
    assert catalogue.pick([salon], "") == salon
    assert catalogue.pick([salon, run], "") == "which"
    assert catalogue.pick([salon, run], "#8") == run and catalogue.pick([salon, run], "8") == run
    assert catalogue.pick([salon, run], "RUN") == run
    assert (
        catalogue.pick([salon, run], "salon") == salon
        and catalogue.pick([salon, run], "tea") == salon
    )
    assert catalogue.pick([salon, run], "dinner") == "unknown"
    assert catalogue.pick([], "x") == "none"


def test_words_typed_in_full_width_name_the_same_event() -> None:
    # a Chinese keyboard in full-width mode types `/报名 ８`: before, "there is no event '８'"
    salon = event(id=7, activity_id="salon", title="Tea salon")
    run = event(id=8, activity_id="night-run", title="Night run")
    assert catalogue.pick([salon, run], "８") == run and catalogue.pick([salon, run], "＃８") == run
    assert catalogue.pick([salon, run], "ｎｉｇｈｔ－ｒｕｎ") == run
    assert catalogue.pick([salon, run], "Ｔｅａ") == salon


@pytest.mark.parametrize("words", ["9", "#99", "⑨"])
def test_a_number_nobody_has_is_unknown(words: str) -> None:
    assert catalogue.pick([event()], words) == "unknown"


def test_an_unpaid_place_is_held_for_the_window_at_most_until_the_start() -> None:
    day = event(price="45", pay_within=timedelta(hours=24))
    unpaid = signup(1, Status.UNPAID)  # held since NOW
    assert d.pay_deadline(day, unpaid) == NOW + timedelta(hours=24)
    month = event(price="45", pay_within=timedelta(days=30))
    assert d.pay_deadline(month, unpaid) == START  # the start comes first
    assert d.pay_deadline(event(price="45", pay_within=None), unpaid) is None  # until paid
    assert d.pay_deadline(event(pay_within=timedelta(hours=1)), unpaid) is None  # free event
    assert d.pay_deadline(day, signup(1, Status.CONFIRMED)) is None  # paid
    assert not d.due_to_lapse(day, unpaid, NOW + timedelta(hours=23, minutes=59))
    assert d.due_to_lapse(day, unpaid, NOW + timedelta(hours=24))
    assert not d.due_to_lapse(day, signup(1, Status.CONFIRMED), NOW + timedelta(days=2))
    cancelled = event(price="45", pay_within=timedelta(hours=24), status=EventStatus.CANCELLED)
    assert not d.due_to_lapse(cancelled, unpaid, NOW + timedelta(days=2))


def test_the_payment_reminder_comes_a_quarter_of_the_hold_before_it_lapses() -> None:
    deadline = NOW + timedelta(hours=24)
    assert d.pay_reminder_at(NOW, deadline) == NOW + timedelta(hours=18)
    assert d.pay_reminder_at(NOW, NOW + timedelta(hours=2)) == NOW + timedelta(hours=1, minutes=30)
    assert d.pay_reminder_at(NOW, NOW + timedelta(minutes=59)) is None  # too short to remind


def test_nobody_moves_up_to_an_unpaid_place_once_the_event_started() -> None:
    held = [signup(1, Status.LAPSED), signup(2, Status.WAITLISTED)]
    priced = event(capacity=1, price="45")
    assert d.promotions(priced, held, START - timedelta(minutes=1)) == [(held[1], Status.UNPAID)]
    assert d.promotions(priced, held, START) == []
    free = event(capacity=1)  # a free place still goes to the first waiting, at the door too
    assert d.promotions(free, held, START) == [(held[1], Status.CONFIRMED)]


def test_a_lapsed_place_is_signed_up_again_or_paid_while_a_place_is_free() -> None:
    priced = event(capacity=1, price="45")
    lapsed = signup(1, Status.LAPSED)
    assert d.decide_sign_up(priced, [lapsed], 1, NOW) == d.Place(Status.UNPAID)
    assert d.decide_withdraw(priced, [lapsed], 1) == d.Refuse("not_signed")
    assert d.decide_payment(priced, [lapsed], lapsed) is Status.CONFIRMED
    full = [lapsed, signup(2, Status.UNPAID)]
    said = d.decide_payment(priced, full, lapsed)
    assert isinstance(said, str) and "lapsed" in said and "refund" in said


def test_a_fee_reads_in_yuan_for_chinese_members_and_by_its_code_in_english() -> None:
    """`/活动` listed `费用 39 CNY`: members of a Chinese community read 元 (美元 for USD); a
    currency without a Chinese name keeps its code, and English keeps the code."""
    zone = ZoneInfo("Asia/Shanghai")
    priced = event(price="39", title="线下交流会")
    assert "，费用 39 元，" in event_line(priced, [], zone, Language.ZH_CN)
    assert "费用 39 美元" in event_line(event(price="39", currency="USD"), [], zone, Language.ZH_CN)
    assert "费用 39 CHF" in event_line(event(price="39", currency="CHF"), [], zone, Language.ZH_CN)
    assert ", fee 39 CNY" in event_line(priced, [], zone, Language.EN)
