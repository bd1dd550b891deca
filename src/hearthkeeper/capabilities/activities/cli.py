"""`hearth events ...`: make, list and cancel offline events, record a member's fee and give
it back, let a member in by their door code."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.capabilities.activities import staff
from hearthkeeper.capabilities.activities.addresses import serve_tickets
from hearthkeeper.capabilities.activities.catalogue import currency_of, zone_of
from hearthkeeper.capabilities.activities.decide import DoorVerdict, normal_code, shown_code
from hearthkeeper.capabilities.activities.door import DOOR_TEXT, door_detail
from hearthkeeper.capabilities.activities.effects import upcoming
from hearthkeeper.capabilities.activities.fees import EventError, record_fee, refund_fee
from hearthkeeper.capabilities.activities.records import Event
from hearthkeeper.capabilities.activities.render import amount_text
from hearthkeeper.capabilities.activities.stats import activity_figures, event_figures
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.calendar.firings import to_instant
from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    clock_of,
    community_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.days import DayError, parse_minute
from hearthkeeper.cli.output import console, fail
from hearthkeeper.cli.zones import named_time, times_in
from hearthkeeper.clock import Clock
from hearthkeeper.listening import site_url
from hearthkeeper.playbook.base import format_duration
from hearthkeeper.store import Community, Store
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.text.counts import percent

events_app = typer.Typer()  # its help: capabilities/activities/__init__.py
CommunityOption = Annotated[
    str | None,
    typer.Option(
        "--community",
        help="The community (its slug or name); default: the --group's, else "
        "the only one with events or activities.",
    ),
]
GroupOption = Annotated[
    str | None,
    typer.Option(
        "--group",
        help="A group of the community (its name or its chat's id): says "
        "which community, with several on the server.",
    ),
]


EventCommunityOption = Annotated[
    str | None,
    typer.Option("--community", help="The community (its slug or name); default: the event's."),
]


def _store(clock: Clock, config: ConfigOption) -> Store:
    """The store; a member confirmed or moved up by this command is told their ticket's full
    link, as when staff do it in the console (a bare /ticket/… path is no link in the chat)."""
    settings = settings_from(config)
    store = open_store(settings, clock)
    serve_tickets(store, site_url(settings).url)
    return store


def _open(clock: Clock, config: ConfigOption, slug: str | None,
          group: str | None = None) -> tuple[Store, Community]:  # fmt: skip
    """The store and the community: the one `--community` names; else the one `--group` is
    of; else the only community, or, with several, the only one with events or activities
    in its playbook (exit naming them when that is not one)."""
    store = _store(clock, config)
    if slug is not None:
        return store, pick_community(store, slug)
    communities = store.list_communities()
    if group is not None:
        return store, _of_group(store, communities, group.strip())
    if len(communities) <= 1:
        return store, pick_community(store, None)
    from hearthkeeper.capabilities.activities.repository import SqlActivities

    with_events = SqlActivities.on(store).communities_with_events()
    having = [c for c in communities if c.id in with_events or _plans_activities(store, c)]
    if len(having) == 1:
        return store, having[0]
    names = ", ".join(c.shown for c in communities)
    if not having:
        fail(f"say which community with --community (there are: {names}; none has events or "
             "activities yet)")  # fmt: skip
    fail(f"say which community with --community: {', '.join(c.shown for c in having)} have "
         f"events or activities (all: {names})")  # fmt: skip


def _plans_activities(store: Store, community: Community) -> bool:
    playbook = playbook_of(store, community)
    return playbook is not None and bool(playbook.activities)


def _of_group(store: Store, communities: list[Community], group: str) -> Community:
    """The community whose group is named `group` (or whose chat id it is); exit naming the
    communities when several have such a group, or saying none has."""
    found = {g.community_id for c in communities for g in store.list_groups(c.id)
             if group in (g.name, g.carrier_group_id)}  # fmt: skip
    matching = [c for c in communities if c.id in found]
    if not matching:
        fail(f"no community on this server has a group {group!r} (a group's name or its chat's id)")
    if len(matching) > 1:
        fail(f"several communities have a group {group!r} ("
             f"{', '.join(c.shown for c in matching)}): say which with --community")  # fmt: skip
    return matching[0]


def _open_for(
    clock: Clock, config: ConfigOption, slug: str | None, event_id: int
) -> tuple[Store, Community]:
    """The store and the community of event `event_id`: the one `--community` names, else the
    event's own (its id is unique on the server), else the only one."""
    from hearthkeeper.capabilities.activities.repository import SqlActivities

    store = _store(clock, config)
    event = SqlActivities.on(store).event(event_id) if slug is None else None
    return store, community_of(store, slug, event.community_id if event else None,
                               f"there is no event {event_id} on this server (`hearth events "
                               "list --community SLUG` lists a community's)")  # fmt: skip


def _open_at_door(
    clock: Clock, config: ConfigOption, slug: str | None, typed: str
) -> tuple[Store, Community]:
    """The store and the community of the event door code `typed` is for (the one
    `--community` names, else the code's event's, else the only one)."""
    from hearthkeeper.capabilities.activities.decide import normal_code
    from hearthkeeper.capabilities.activities.repository import SqlActivities

    store = _store(clock, config)
    community_id = None
    code = normal_code(typed) if slug is None else None
    if code is not None:
        repo = SqlActivities.on(store)
        signup = repo.by_code(code)
        event = None if signup is None else repo.event(signup.event_id)
        community_id = None if event is None else event.community_id
    return store, community_of(store, slug, community_id,
                               f"{DOOR_TEXT[DoorVerdict.UNKNOWN]}: no sign-up on this server has "
                               f"the door code {typed.strip()[:64]!r}; check it and try again")  # fmt: skip


@events_app.command("create")
def create(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What it is: '周六夜跑', 'Tasting night'.")],
    at: Annotated[str, typer.Option("--at", help="Start, YYYY-MM-DD HH:MM, community time.")],
    place: Annotated[str | None, typer.Option("--place", help="Where.")] = None,
    capacity: Annotated[
        int | None,
        typer.Option(
            "--capacity", min=1, max=staff.MAX_CAPACITY, help="Places; beyond: the waitlist."
        ),
    ] = None,
    price: Annotated[str, typer.Option("--price", help="Fee per person; none: free.")] = "",
    currency: Annotated[
        str | None,
        typer.Option("--currency", help="ISO 4217; default: the community's plans' currency."),
    ] = None,
    pay_within: Annotated[
        str,
        typer.Option(
            "--pay-within",
            help="A priced event: an unpaid place is held this long (at most until the start), "
            "then goes to the next in line: '24h', '2d', '90m'; 'none': until paid. Default 24h.",
        ),
    ] = "",
    community: CommunityOption = None,
    group: GroupOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Make an event members sign up for in their groups (/rsvp, /报名)."""
    store, found = _open(clock_of(ctx), config, community, group)
    playbook = playbook_of(store, found)
    zone = zone_of(playbook)
    try:
        local = parse_minute(at, "--at")
    except DayError as exc:
        fail(f"{exc} (community time)")
    starts = to_instant(local, zone)
    try:
        event = staff.create_event(store, found, title, starts, place=place, capacity=capacity,
                                   price=price, currency=currency or currency_of(playbook),
                                   by=actor, now=clock_of(ctx).now(),
                                   pay_within=pay_within)  # fmt: skip
    except EventError as exc:
        fail(str(exc))
    console.print(f"Event {event.id}: {escape(event.title)} at "
                  f"{named_time(event.starts_at, zone)}{_fee(event)}")  # fmt: skip
    if not event.priced and pay_within.strip():
        console.print("It is free: --pay-within applies to priced events only.")


@events_app.command("list")
def list_events(ctx: typer.Context, community: CommunityOption = None, group: GroupOption = None,
                config: ConfigOption = None) -> None:  # fmt: skip
    """Events with their sign-ups, attendance and no-show rates, then per activity."""
    store, found = _open(clock_of(ctx), config, community, group)
    playbook, now = playbook_of(store, found), clock_of(ctx).now()
    zone = zone_of(playbook)
    if playbook is not None:
        with store.transaction() as tx:  # the playbook's next occurrences, made events
            upcoming(tx, found.id, playbook, now)
    figures = event_figures(store, found.id, now)
    if not figures:
        console.print("No events yet.")
        return
    console.print(times_in(zone))
    for f in figures:
        e = f.event
        state = ("cancelled" if e.cancelled else "upcoming" if f.attendance is None
                 else "door open" if not f.attendance.started else "held")  # fmt: skip
        places = f"/{e.capacity}" if e.capacity else ""
        line = (f"{e.id}\t{e.starts_at.astimezone(zone):%Y-%m-%d %H:%M}\t{e.title}\t{state}\t"
                f"{f.confirmed}{places} confirmed, {f.unpaid} unpaid, {f.waitlisted} waiting, "
                f"{f.lapsed} lapsed unpaid{_fee(e)}")  # fmt: skip
        if f.attendance is not None:
            a = f.attendance
            line += (f"\tattended {a.attended}/{a.confirmed} ({_pct(a.attendance_rate)}), "
                     + ("no-shows — (not started), " if a.no_shows is None else
                        f"no-shows {a.no_shows} ({_pct(a.no_show_rate)}), ")
                     + f"feedback {f.feedback} ({f.photos} photos)")  # fmt: skip
        console.print(escape(line))
    for act in activity_figures(figures):
        r = act.attendance
        console.print(escape(f"activity {act.activity_id}: {act.events} event(s), attended "
                             f"{r.attended}/{r.confirmed} ({_pct(r.attendance_rate)}), no-shows "
                             f"{_pct(r.no_show_rate)}"))  # fmt: skip


@events_app.command("cancel")
def cancel(
    ctx: typer.Context,
    event_id: Annotated[
        int, typer.Argument(min=1, max=MAX_ID, help="The event (its id in `hearth events list`).")
    ],
    community: EventCommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Cancel an event: reminders called off, members who signed up told in their groups."""
    store, found = _open_for(clock_of(ctx), config, community, event_id)
    try:
        told = staff.cancel_event(store, found, event_id, actor, clock_of(ctx).now())
    except EventError as exc:
        fail(str(exc))
    console.print(f"Event {event_id} cancelled; {len(told)} sign-up(s) told.")
    paid = staff.fees_to_give_back(store, found, event_id)
    if paid:
        console.print(f"{len(paid)} fee(s) recorded for it, not given back by themselves: "
                      f"give each back with `hearth events refund {event_id} WHO`:")  # fmt: skip
    for signup in paid:
        name = escape(signup.display_name or f"member {signup.member_id}")
        console.print(f"  {name}\tmember:{signup.member_id}\torder {signup.order_id}")


@events_app.command("pay")
def pay(
    ctx: typer.Context,
    event_id: Annotated[
        str,
        typer.Argument(
            metavar="EVENT_ID",
            help="The event (its id in `hearth events list`); or, alone, who paid (payment "
            "reference, member:ID or CARRIER:USER_ID): the event of their one unpaid place.",
        ),
    ],
    receipt: Annotated[str, typer.Option("--receipt", help="Receipt or order number: once.")],
    who: Annotated[
        str | None, typer.Argument(help="Payment reference, member:ID or CARRIER:USER_ID.")
    ] = None,
    amount: Annotated[str, typer.Option("--amount", help="Default: the event's fee.")] = "",
    discount: Annotated[
        str, typer.Option("--discount", help="Why an amount below the fee confirms the place.")
    ] = "",
    community: EventCommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Record a member's fee for a priced event (an order): their place is confirmed.
    `hearth events pay WHO --receipt …` finds the event by the member's one unpaid place."""
    number = _event_number(event_id)
    clock = clock_of(ctx)
    if number is not None and who is None and _reads_as_reference(clock, config, community,
                                                                  number, event_id):  # fmt: skip
        number = None
    if number is None:
        if who is not None:
            raise typer.BadParameter(f"{event_id.strip()[:32]!r} is not an event number: the "
                                     "event comes first (hearth events pay EVENT_ID WHO)",
                                     param_hint="'EVENT_ID'")  # fmt: skip
        store, found, number = _open_by_payer(clock, config, community, event_id, receipt)
        who = event_id
    elif who is None:
        raise typer.BadParameter("say who paid: their payment reference, member:ID or "
                                 f"CARRIER:USER_ID (hearth events pay {number} WHO)",
                                 param_hint="'WHO'")  # fmt: skip
    else:
        store, found = _open_for(clock, config, community, number)
    try:
        done = record_fee(store, found, number, who, receipt, amount, actor,
                          clock.now(), discount=discount)  # fmt: skip
    except EventError as exc:
        fail(str(exc))
    what = "recorded" if done.created else "was recorded already"
    console.print(f"Order {done.order.id} {what}: {done.order.amount} {done.order.currency}; "
                  f"{escape(done.signup.display_name)} is {done.signup.status.value}.")  # fmt: skip


def _event_number(typed: str) -> int | None:
    """The event number typed, or None for a payment reference; a usage error for neither."""
    from hearthkeeper.capabilities.billing.references import normalise_code
    from hearthkeeper.store.ids import split_reference, typed_id
    from hearthkeeper.text.controls import shown_input

    text = typed.strip()
    if text.isdecimal():  # a keyboard's full-width digits too; thousands of them are not read
        number = typed_id(text)
        if number is None or number < 1:
            raise typer.BadParameter(f"there is no event {shown_input(text)}",
                                     param_hint="'EVENT_ID'")  # fmt: skip
        return number
    if normalise_code(text) is None and not split_reference(text)[2]:  # no colon, : or ：
        raise typer.BadParameter(f"{text[:32]!r} is neither an event number (its id in `hearth "
                                 "events list`) nor who paid (a payment reference XXXX-XXXX, "
                                 "member:ID or CARRIER:USER_ID)",
                                 param_hint="'EVENT_ID'")  # fmt: skip
    return None


def _reads_as_reference(clock: Clock, config: ConfigOption, slug: str | None, number: int,
                        typed: str) -> bool:  # fmt: skip
    """Whether `typed`, all digits and alone, is a payment reference typed without its dash
    (one reference in ~10,000 is all digits): yes when someone was given that reference and
    there is no event `number`; no when nobody was (the usual "say who paid" follows); both
    existing, it fails asking which was meant."""
    from hearthkeeper.capabilities.activities.repository import SqlActivities
    from hearthkeeper.capabilities.billing.references import normalise_code
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    code = normalise_code(typed)
    if code is None:
        return False
    store = _store(clock, config)
    try:
        given = SqlBilling.on(store).resolve(code)
        event = None if given is None else SqlActivities.on(store).event(number)
        if event is not None and slug is not None:
            event = event if event.community_id == pick_community(store, slug).id else None
    finally:
        store.engine.dispose()
    if given is None:
        return False
    if event is None:
        return True
    fail(f"{typed.strip()} is both event {number} ({event.title}) and the payment reference "
         f"{code} given to {given.display_name or given.carrier_user_id}: for that member's "
         f"unpaid place write the reference with its dash, hearth events pay {code}; for event "
         f"{number}, say who paid: hearth events pay {number} WHO")  # fmt: skip


def _open_by_payer(clock: Clock, config: ConfigOption, slug: str | None, who: str,
                   receipt: str) -> tuple[Store, Community, int]:  # fmt: skip
    """The store, community and event of the one unpaid place of the member `who` names (a
    payment reference, member:ID or CARRIER:USER_ID; among the `--community`'s events if
    named), or of the fee `receipt` recorded for them already (the same command run again: it
    says so, as with the event's number); fails giving the command for each place to choose
    from when there are several, and how to find the event when there is none."""
    from hearthkeeper.capabilities.activities.records import Status
    from hearthkeeper.capabilities.activities.repository import SqlActivities
    from hearthkeeper.capabilities.billing.ledger import BillingError
    from hearthkeeper.capabilities.billing.payments import known_payer

    store = _store(clock, config)
    try:
        member_id = known_payer(store, who)
    except BillingError as exc:
        fail(str(exc))
    repo = SqlActivities.on(store)
    # `--community` found as every command finds it (any case; a misspelt one is named)
    communities = store.list_communities() if slug is None else [pick_community(store, slug)]
    places: list[tuple[Community, Event]] = []
    for each in communities if member_id is not None else []:
        for event in repo.events(each.id):
            if not event.cancelled and any(
                s.member_id == member_id and s.status is Status.UNPAID
                for s in repo.signups(event.id)
            ):
                places.append((each, event))
    who = who.strip()
    how = "`hearth events list` gives the event numbers: hearth events pay EVENT_ID " + who
    if not places and member_id is not None:
        places = _paid_with(store, communities, member_id, receipt)
        if not places:
            _fail_if_paid(store, communities, member_id, who)
    if not places:
        fail(f"{who} has no unpaid place in an event; {how}")
    if len(places) > 1:
        fail(
            f"{who} has unpaid places in {len(places)} events; say which, one of:\n"
            + "\n".join(_pay_line(store, c, e, who, receipt) for c, e in places)
        )
    [(found, event)] = places
    return store, found, event.id


def _fail_if_paid(store: Store, communities: list[Community], member_id: int, who: str) -> None:
    """Fail saying the fee is recorded already (the event, order and its receipt) when
    `member_id` has no unpaid place but a paid one: "no unpaid place" read as if the member
    had none at all, where `hearth events pay EVENT_ID WHO` names the order."""
    from hearthkeeper.capabilities.activities.records import Status
    from hearthkeeper.capabilities.activities.repository import SqlActivities
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    repo, billing = SqlActivities.on(store), SqlBilling.on(store)
    paid = []
    for each in communities:
        for event in repo.events(each.id):
            for signup in repo.signups(event.id):
                if (
                    event.cancelled
                    or signup.member_id != member_id
                    or signup.status is not Status.CONFIRMED
                    or signup.order_id is None
                ):
                    continue
                order = billing.order_by_id(signup.order_id)
                receipt = f", receipt {order.provider_ref}" if order and order.provider_ref else ""
                paid.append(f"event {event.id} ({event.title}): order {signup.order_id}{receipt}")
    if paid:
        fail(f"{who}'s fee is recorded already for " + "; ".join(paid) + ": nothing was "
             "recorded; if they paid twice, refund the second payment in the shop")  # fmt: skip


def _paid_with(store: Store, communities: list[Community], member_id: int,
               receipt: str) -> list[tuple[Community, Event]]:  # fmt: skip
    """The event whose fee `receipt` recorded for `member_id` already (none: another
    member's receipt, a plan's, or not recorded), among `communities`."""
    from hearthkeeper.capabilities.activities.fees import plan_of_event
    from hearthkeeper.capabilities.activities.repository import SqlActivities
    from hearthkeeper.capabilities.billing.records import Provider
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    order = SqlBilling.on(store).order(Provider.MANUAL, receipt.strip())
    if order is None or order.member_id != member_id:
        return []
    repo = SqlActivities.on(store)
    return [(each, event) for each in communities if each.id == order.community_id
            for event in repo.events(each.id) if plan_of_event(event.id) == order.plan_id]  # fmt: skip


def _pay_line(store: Store, community: Community, event: Event, who: str, receipt: str) -> str:
    """`  hearth events pay 12 7KQ2-M9XD --receipt TB-1   (品鉴会, 2026-12-20 19:30 Asia/
    Shanghai, 45 CNY)`: one of the places to choose from, as the command that pays it."""
    import shlex

    zone = zone_of(playbook_of(store, community))
    details = [event.title, f"{event.starts_at.astimezone(zone):%Y-%m-%d %H:%M} {zone}"]
    if event.price is not None:
        details.append(f"{amount_text(event.price)} {event.currency}")
    return (f"  hearth events pay {event.id} {shlex.quote(who)} --receipt "
            f"{shlex.quote(receipt.strip())}   ({', '.join(details)})")  # fmt: skip


@events_app.command("refund")
def refund(
    ctx: typer.Context,
    event_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The event.")],
    who: Annotated[str, typer.Argument(help="Payment reference, member:ID or CARRIER:USER_ID.")],
    community: EventCommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Give a member's fee for an event back (before it starts, or once it is cancelled): their
    place is freed for the next in line; a fee is refunded once."""
    store, found = _open_for(clock_of(ctx), config, community, event_id)
    try:
        done = refund_fee(store, found, event_id, who, actor, clock_of(ctx).now())
    except EventError as exc:
        fail(str(exc))
    name = escape(done.signup.display_name or f"member {done.signup.member_id}")
    console.print(f"Refunded {-done.refund.amount} {done.refund.currency} (order "
                  f"{done.refund.id}, giving back order {done.fee.id}) to {name}; their sign-up "
                  f"is {done.signup.status.value}.")  # fmt: skip
    for moved in done.moved_up:
        console.print(f"{escape(moved.display_name)} moved up from the waitlist "
                      f"({moved.status.value}).")  # fmt: skip


@events_app.command("checkin")
def checkin(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The member's door code (XXXX-XXXX).")],
    community: Annotated[
        str | None,
        typer.Option(
            "--community", help="The community (its slug or name); default: the code's event's."
        ),
    ] = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Let a member in by their door code (what the console's door page does)."""
    store, found = _open_at_door(clock_of(ctx), config, community, code)
    now = clock_of(ctx).now()
    done = staff.check_in(store, found, code, actor, now)
    who = done.signup.display_name if done.signup else "?"
    if done.verdict is DoorVerdict.IN:
        console.print(f"In: {escape(who)} ({escape(done.event.title if done.event else '')})")
        return
    plain = normal_code(code)
    detail = door_detail(done.verdict, done.event, done.signup,
                         shown_code(plain) if plain else code.strip()[:32],
                         zone_of(playbook_of(store, found)), now)  # fmt: skip
    heading = DOOR_TEXT[done.verdict]
    if done.signup is not None and done.event is not None:
        heading += f" ({who}'s code for {done.event.title})"
    fail(f"{heading}. {detail}".strip())


def _fee(event: Event) -> str:
    """How a priced event's fee and payment window read after its line ("" when free)."""
    if not event.priced or event.price is None:
        return ""
    held = ("held until paid" if event.pay_within is None
            else f"pay within {format_duration(event.pay_within)}")  # fmt: skip
    return f"; {amount_text(event.price)} {event.currency}, {held}"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else percent(rate)  # half up: 0.125 → "13%"
