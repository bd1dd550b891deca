"""What staff do by hand, from the CLI or the console, each in one transaction: make an
event, cancel one (members who signed up are told in their groups), and let a member in at
the door by their code (once; points for attending where the playbook gives them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.catalogue import zone_of
from hearthkeeper.capabilities.activities.fees import EventError, event_of
from hearthkeeper.capabilities.activities.moments import tell_group
from hearthkeeper.capabilities.activities.records import Event, NewEvent, SignUp
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.activities.texts import TEXTS
from hearthkeeper.capabilities.billing.amounts import MAX_AMOUNT, typed_amount
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.format import when_text
from hearthkeeper.playbook.base import MAX_COUNT, MAX_NAME, parse_duration
from hearthkeeper.playbook.business import PAY_WITHIN
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Community, Store
from hearthkeeper.store.points import PointsQueries
from hearthkeeper.text.controls import hidden_character

POINTS_REASON = "attended an event"
MAX_CAPACITY = MAX_COUNT  # as a playbook activity's; the column is an INTEGER on PostgreSQL


def create_event(store: Store, community: Community, title: str, starts_at: datetime, *,
                 place: str | None, capacity: int | None, price: str, currency: str,
                 by: str, now: datetime, pay_within: str = "") -> Event:  # fmt: skip
    """A new event staff made; `EventError` for a title, time, capacity, price or payment
    window that cannot be (`pay_within` "": the default, `PAY_WITHIN`; "none": held until
    paid)."""
    if not title.strip():
        raise EventError("give the event a title")
    for what, text in (("title", title), ("place", place or "")):
        if len(text.strip()) > MAX_NAME:
            raise EventError(f"the {what} is {len(text.strip())} characters long; keep it to "
                             f"{MAX_NAME}")  # fmt: skip
        hidden = hidden_character(text.strip())
        if hidden is not None:  # members read it in their groups: it must read as it is
            raise EventError(f"the {what} carries {hidden}, which would hide or reorder "
                             "what members read; remove it")  # fmt: skip
    if starts_at <= now:
        raise EventError(f"the event would start at {starts_at.isoformat(timespec='minutes')}, "
                         "which is past: give a time ahead")  # fmt: skip
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise EventError(f"capacity is a number of places, from 1 to {MAX_CAPACITY} (leave it "
                         "out: unlimited)")  # fmt: skip
    if len(currency) != 3 or not currency.isalpha():
        raise EventError(f"{currency!r} is not a currency code (ISO 4217, e.g. CNY)")
    fee = _price(price, currency.upper())
    window = pay_window(pay_within)
    new = NewEvent(activity_id=None, title=title.strip(), place=(place or "").strip() or None,
                   starts_at=starts_at, capacity=capacity, price=fee, currency=currency.upper(),
                   pay_within=window)  # fmt: skip
    with store.transaction() as tx:
        event = SqlActivities.on(tx).create(community.id, new, by, now)
        tx.audit(by, "event created", community.id, target=f"event {event.id}",
                 detail={"title": event.title, "starts_at": event.starts_at.isoformat()})  # fmt: skip
        return event


def cancel_event(store: Store, community: Community, event_id: int, by: str,
                 now: datetime) -> list[SignUp]:  # fmt: skip
    """Cancel an event: its reminders and round are called off and each group with
    sign-ups is told once, mentioning them; the sign-ups told: those that held a place or
    waited, and those that gave a paid place up (their fee kept)."""
    playbook = playbook_of(store, community)
    lang = playbook.community.language if playbook else Language.EN
    with store.transaction() as tx:
        repo = SqlActivities.on(tx)
        event = event_of(repo, community, event_id)
        if not repo.cancel_event(event.id):
            raise EventError(f"event {event.id} was cancelled already")
        live = [s for s in repo.signups(event.id) if s.live]
        text = TEXTS.say("event_cancelled", lang, title=event.title,
                         when=when_text(event.starts_at, zone_of(playbook), lang))  # fmt: skip
        # one notice per group, mentioning everyone signed up from it (and whoever gave a
        # paid place up: the fee they kept for signing up again is now staff's to give back)
        told = live + [s for s in fees_held(repo.signups(event.id)) if not s.live]
        by_group: dict[int, list[SignUp]] = {}
        for signup in told:
            by_group.setdefault(signup.group_id, []).append(signup)
        for group_id, here in by_group.items():
            tell_group(tx, here, text, f"activity:{event.id}:cancelled:{group_id}", now)
        tx.audit(by, "event cancelled", community.id, target=f"event {event.id}",
                 detail={"signups": len(told)})  # fmt: skip
        return told


def fees_held(signups: Sequence[SignUp]) -> list[SignUp]:
    """The sign-ups holding a recorded fee not given back (a place paid, or given up with
    its fee kept): once the event is cancelled, staff give each back."""
    return [s for s in signups if s.order_id is not None]


def fees_to_give_back(store: Store, community: Community, event_id: int) -> list[SignUp]:
    """The sign-ups of a cancelled event whose fee is recorded and not given back yet."""
    repo = SqlActivities.on(store)
    return fees_held(repo.signups(event_of(repo, community, event_id).id))


@dataclass(frozen=True)
class DoorResult:
    """What the door page shows for a code: the verdict, and whose code it was."""

    verdict: d.DoorVerdict
    event: Event | None = None
    signup: SignUp | None = None
    points: int = 0


def look_up(store: Store, community: Community, typed: str, now: datetime) -> DoorResult:
    """What a code would meet at the door now, changing nothing: `IN` means it would let
    the member in (the door page then offers the button that does)."""
    code = d.normal_code(typed)
    if code is None:
        return DoorResult(d.DoorVerdict.UNKNOWN)
    with store.transaction() as tx:
        repo = SqlActivities.on(tx)
        signup = repo.by_code(code)
        event = None if signup is None else repo.event(signup.event_id)
        verdict = d.decide_door(event, signup, community.id, now)
        if verdict is d.DoorVerdict.UNKNOWN:
            return DoorResult(verdict)
        return DoorResult(verdict, event, signup)


def check_in(store: Store, community: Community, typed: str, by: str,
             now: datetime) -> DoorResult:  # fmt: skip
    """Let the member whose code this is in, once: a wrong code, one used already, one of a
    cancelled, unpaid or waitlisted sign-up, or at the wrong time, says so."""
    code = d.normal_code(typed)
    if code is None:
        return DoorResult(d.DoorVerdict.UNKNOWN)
    playbook = playbook_of(store, community)
    with store.transaction() as tx:
        repo = SqlActivities.on(tx)
        signup = repo.by_code(code)
        event = None if signup is None else repo.event(signup.event_id)
        verdict = d.decide_door(event, signup, community.id, now)
        if verdict is not d.DoorVerdict.IN:
            return DoorResult(verdict, event if verdict is not d.DoorVerdict.UNKNOWN else None,
                              signup if verdict is not d.DoorVerdict.UNKNOWN else None)  # fmt: skip
        assert signup is not None and event is not None
        if not repo.mark_attended(signup.id, by, now):  # a second scanner was faster
            return DoorResult(d.DoorVerdict.AGAIN, event, repo.by_code(code))
        points = 0
        settings = playbook.mechanisms.points if playbook else None
        if settings is not None and settings.enabled and settings.event:
            points = settings.event
            PointsQueries.on(tx).award_points(community.id, signup.member_id, points,
                                              f"{POINTS_REASON} ({event.title})", now)  # fmt: skip
        return DoorResult(d.DoorVerdict.IN, event, repo.by_code(code), points)


def pay_window(text: str) -> timedelta | None:
    """A payment window as staff type it (`24h`, `2d`, `90m`): "" the default, "none" held
    until paid; `EventError` saying what is wrong, bounded like a playbook's durations."""
    plain = text.strip()
    if not plain:
        return PAY_WITHIN
    if plain.lower() in ("none", "no", "never"):
        return None
    try:
        return parse_duration(plain)
    except ValueError as exc:
        raise EventError(f"payment window: {exc} (or 'none': held until paid)") from None


MAX_PRICE = MAX_AMOUNT  # an event's fee is kept in the ledger's NUMERIC(12, 2)


def _price(text: str, currency: str) -> Decimal | None:
    """The fee staff typed (`45`, `¥45`, `45元`), read as `amount_of` reads a payment."""
    if not text.strip():
        return None
    try:
        value = typed_amount(text, currency, f"the event's currency is {currency}")
    except BillingError as exc:
        raise EventError(str(exc)) from None
    # Finite first: comparing NaN raises. Then what the events' NUMERIC(12, 2) keeps.
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise EventError(f"{text!r} is not an amount: write e.g. 45 or 45.50")
    if value > MAX_PRICE:
        raise EventError(f"the fee {text!r} is larger than an event's fee can be ({MAX_PRICE:f})")
    return value
