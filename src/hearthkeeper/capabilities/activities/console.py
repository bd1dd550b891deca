"""The console's events page, `/console/c/{slug}/events` (every event with its sign-ups,
attendance and no-show rates and feedback, per activity too; make, cancel, record a fee), and
the door, `/console/c/{slug}/door`: a phone-sized page where a scanned ticket's link shows
the member with one button that lets them in (a POST with the session's CSRF token: a link
alone changes nothing), and a typed code lets them in at once; each code once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.capabilities.activities import staff
from hearthkeeper.capabilities.activities.catalogue import currency_of, zone_of
from hearthkeeper.capabilities.activities.decide import DoorVerdict, normal_code, shown_code
from hearthkeeper.capabilities.activities.door import DOOR_TEXT, door_detail
from hearthkeeper.capabilities.activities.effects import upcoming
from hearthkeeper.capabilities.activities.fees import EventError, record_fee, refund_fee
from hearthkeeper.capabilities.activities.stats import activity_figures, event_figures
from hearthkeeper.capabilities.calendar.firings import to_instant
from hearthkeeper.playbook.base import format_duration
from hearthkeeper.playbook.business import PAY_WITHIN
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.text.controls import shown_input
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import CommunityView, ConsoleRoute, Pages, SignedIn
from hearthkeeper.web.templates import render

_NOTICES = {
    "created": "Event created; members sign up in their groups with /rsvp (/报名).",
    "cancelled": "Event cancelled; reminders called off, members who signed up are told.",
    "cancelled-fees": "Event cancelled; reminders called off, members who signed up are told. "
    "Fees recorded for it are not given back by themselves: give each back "
    "with Refund a fee (its Sign-ups say who paid).",
    "paid": "Fee recorded; the place is confirmed and the member gets their door code.",
    "again": "That receipt was recorded already; nothing new.",
    "refunded": "Fee refunded; the place is freed for the next in line and the member is told.",
}
MAX_PLACES = 2**31 - 1  # an event's capacity column (INTEGER on PostgreSQL)
READY_TEXT = "Valid ticket: not in yet"


def router(pages: Pages) -> APIRouter:
    """The events page, its forms, and the door."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    def page(request: Request, view: CommunityView, operator: Any, problem: str = "",
             status: int = 200, typed: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
        """The events page; after a refused form, `problem` says why and `typed` (that
        form's fields) fills it in again."""
        now = web.clock.now()
        if view.playbook is not None:
            with store.transaction() as tx:
                upcoming(tx, view.community.id, view.playbook, now)
        figures = event_figures(store, view.community.id, now)
        return render(
            request, "console/events.html", status_code=status, operator=operator,
            active="events", events=list(reversed(figures)),
            activities=activity_figures(figures), now=now, problem=problem, typed=typed or {},
            notice=_NOTICES.get(request.query_params.get("notice", ""), ""), **view.context(),
            duration=format_duration, pay_within_default=format_duration(PAY_WITHIN),
            currency=currency_of(view.playbook),
        )  # fmt: skip

    def done(view: CommunityView, notice: str) -> Response:
        return RedirectResponse(f"{view.path}/events?notice={notice}", status_code=303)

    @routes.get("/console/c/{slug}/events", response_class=HTMLResponse)
    def events(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        return page(request, pages.community(slug), operator)

    @routes.post("/console/c/{slug}/events/create", dependencies=[Depends(require_csrf)])
    def create(request: Request, slug: str, operator: SignedIn, title: Annotated[str, Form()],
               at: Annotated[str, Form()], place: Annotated[str, Form()] = "",
               capacity: Annotated[str, Form()] = "", price: Annotated[str, Form()] = "",
               currency: Annotated[str, Form()] = "",
               pay_within: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        view = pages.community(slug)
        typed = {"title": title, "at": at, "place": place, "capacity": capacity,
                 "price": price, "currency": currency, "pay_within": pay_within}  # fmt: skip
        try:
            local = datetime.fromisoformat(at.strip().replace("T", " "))
        except ValueError:
            return page(request, view, operator, f"The start “{shown_input(at)}” is not a date and time; "
                        "give it as YYYY-MM-DD HH:MM.", 400, typed)  # fmt: skip
        try:
            places = int(capacity) if capacity.strip() else None
        except ValueError:
            return page(request, view, operator, f"The capacity “{shown_input(capacity)}” is not a whole "
                        "number; write one, or leave it empty for no limit.", 400, typed)  # fmt: skip
        if places is not None and places > MAX_PLACES:  # the store's INTEGER column
            return page(request, view, operator, f"The capacity {places} is more places than "
                        f"an event can have (at most {MAX_PLACES}); leave it empty for no "
                        "limit.", 400, typed)  # fmt: skip
        try:  # a time typed with its offset (…+08:00, …Z) is that instant, else community time
            starts = (local.astimezone(UTC) if local.tzinfo is not None
                      else to_instant(local, zone_of(view.playbook)))  # fmt: skip
        except OverflowError:
            return page(request, view, operator, f"The start {at!r} is out of range: give a "
                        "date and time ahead, YYYY-MM-DD HH:MM.", 400, typed)  # fmt: skip
        try:
            staff.create_event(store, view.community, title, starts, place=place,
                               capacity=places, price=price,
                               currency=currency.strip() or currency_of(view.playbook),
                               by=f"console:{operator.username}", now=web.clock.now(),
                               pay_within=pay_within[:64])  # fmt: skip
        except EventError as exc:
            return page(request, view, operator, str(exc), 400, typed)
        return done(view, "created")

    @routes.post("/console/c/{slug}/events/{event_id}/cancel",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def cancel(request: Request, slug: str, event_id: int, operator: SignedIn) -> Response:
        view = pages.community(slug)
        try:
            staff.cancel_event(store, view.community, event_id, f"console:{operator.username}",
                               web.clock.now())  # fmt: skip
        except EventError as exc:
            return page(request, view, operator, str(exc), 409)
        paid = staff.fees_to_give_back(store, view.community, event_id)
        return done(view, "cancelled-fees" if paid else "cancelled")

    @routes.post("/console/c/{slug}/events/pay", dependencies=[Depends(require_csrf)])
    def pay(request: Request, slug: str, operator: SignedIn, event: Annotated[str, Form()],
            who: Annotated[str, Form()], receipt: Annotated[str, Form()] = "",
            amount: Annotated[str, Form()] = "",
            discount: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        view = pages.community(slug)
        typed = {"event": event, "who": who, "receipt": receipt, "amount": amount,
                 "discount": discount}  # fmt: skip
        if not event.strip().isdecimal():
            return page(request, view, operator, f"The event id {event!r} is not a number: "
                        "give the id from the Id column of the events above.", 400, typed)  # fmt: skip
        if int(event) > MAX_ID:
            return page(request, view, operator, f"There is no event {event.strip()}: give the "
                        "id from the Id column of the events above.", 409, typed)  # fmt: skip
        try:
            recorded = record_fee(store, view.community, int(event), who, receipt, amount,
                                  f"console:{operator.username}", web.clock.now(),
                                  discount=discount)  # fmt: skip
        except EventError as exc:
            return page(request, view, operator, str(exc), 409, typed)
        return done(view, "paid" if recorded.created else "again")

    @routes.post("/console/c/{slug}/events/refund", dependencies=[Depends(require_csrf)])
    def refund(request: Request, slug: str, operator: SignedIn, event: Annotated[str, Form()],
               who: Annotated[str, Form()]) -> Response:  # fmt: skip
        view = pages.community(slug)
        typed = {"refund_event": event, "refund_who": who}
        if not event.strip().isdecimal() or int(event) > MAX_ID:
            return page(request, view, operator, f"There is no event {event.strip()!r}: give "
                        "the id from the Id column of the events above.", 409, typed)  # fmt: skip
        try:
            refund_fee(store, view.community, int(event), who, f"console:{operator.username}",
                       web.clock.now())  # fmt: skip
        except EventError as exc:
            return page(request, view, operator, str(exc), 409, typed)
        return done(view, "refunded")

    def shown(request: Request, view: CommunityView, operator: Any, code: str,
              result: staff.DoorResult, ready: bool = False) -> HTMLResponse:  # fmt: skip
        """The door page with what a code met: let in, refused (409), or (`ready`) a valid
        ticket not yet let in, with the button that does."""
        ok = result.verdict is DoorVerdict.IN
        shown_as = shown_code(code[:8].upper())
        detail = door_detail(result.verdict, result.event, result.signup, shown_as,
                             view.zone, web.clock.now())  # fmt: skip
        return render(request, "console/door.html", status_code=200 if ok else 409,
                      operator=operator, active="events", result=result, ok=ok, ready=ready,
                      verdict=READY_TEXT if ready else DOOR_TEXT[result.verdict], detail=detail,
                      code=shown_as, plain=normal_code(code) or "",
                      typed=_as_typed(code), **view.context())  # fmt: skip

    @routes.get("/console/c/{slug}/door", response_class=HTMLResponse, response_model=None)
    def door(request: Request, slug: str, operator: SignedIn, code: str = "") -> Response:
        view = pages.community(slug)
        if code.strip():  # an old bookmark's typed code: shown, not let in (that is a POST)
            return RedirectResponse(f"{view.path}/door/{_plain(code)}", status_code=303)
        return render(request, "console/door.html", operator=operator, active="events",
                      result=None, **view.context())  # fmt: skip

    @routes.get("/console/c/{slug}/door/{code}", response_class=HTMLResponse)
    def scanned(request: Request, slug: str, code: str, operator: SignedIn) -> HTMLResponse:
        # A GET changes nothing (a link or an <img> in a staff browser must not let anyone
        # in): a ticket that would open the door is shown with the one button that does.
        view = pages.community(slug)
        result = staff.look_up(store, view.community, code[:32], web.clock.now())
        return shown(request, view, operator, code, result,
                     ready=result.verdict is DoorVerdict.IN)  # fmt: skip

    @routes.post("/console/c/{slug}/door", response_class=HTMLResponse,
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def let_in(request: Request, slug: str, operator: SignedIn,
               code: Annotated[str, Form()] = "") -> HTMLResponse:  # fmt: skip
        view = pages.community(slug)
        typed = code.strip()[:64]
        result = staff.check_in(store, view.community, typed[:32],
                                f"console:{operator.username}", web.clock.now())  # fmt: skip
        return shown(request, view, operator, _plain(typed) if typed else "-", result)

    return routes


def _plain(code: str) -> str:
    """A typed code as the door's address takes it: a door code's shape normalised, any
    other shape as its letters, digits and dashes."""
    return normal_code(code) or "".join(c for c in code if c.isascii() and
                                        (c.isalnum() or c == "-"))[:16] or "-"  # fmt: skip


def _as_typed(code: str) -> str:
    """A refused code for the door's field again: as people read it when it has a door
    code's shape (`7KQ2-M9XD`), else as it came (so a slip can be corrected, not retyped)."""
    plain = normal_code(code)
    return shown_code(plain) if plain else code[:32]
