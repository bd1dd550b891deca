"""`hearth billing ...`: record payments staff took, refund, cancel at the period's end, and
list subscriptions and orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import typer
from rich.markup import escape

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.capabilities.billing.lifecycle import plan_of, zone_of
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.billing.records import Order, OrderKind, Subscription
from hearthkeeper.cli.context import (
    ActorOption,
    ConfigOption,
    CsvOutputOption,
    clock_of,
    community_of,
    open_store,
    pick_community,
    settings_from,
)
from hearthkeeper.cli.output import console, fail
from hearthkeeper.cli.zones import community_zone, named_time
from hearthkeeper.clock import Clock
from hearthkeeper.store import Community, Store
from hearthkeeper.store.ids import MAX_ID

MAX_LIST = 10_000

billing_app = typer.Typer()  # its help: capabilities/billing/__init__.py
CommunityOption = Annotated[
    str | None,
    typer.Option("--community", help="The community (its slug or name); needed if several."),
]
SubCommunityOption = Annotated[
    str | None,
    typer.Option(
        "--community", help="The community (its slug or name); default: the subscription's."
    ),
]


def _store(clock: Clock, config: ConfigOption) -> Store:
    """The store; a member an event's place is released to by this command (a removal frees
    it) is told their ticket's full link, as when staff act in the console."""
    from hearthkeeper.capabilities.activities.addresses import serve_tickets
    from hearthkeeper.listening import site_url

    settings = settings_from(config)
    store = open_store(settings, clock)
    serve_tickets(store, site_url(settings).url)
    return store


def _open(clock: Clock, config: ConfigOption, slug: str | None) -> tuple[Store, Community]:
    store = _store(clock, config)
    return store, pick_community(store, slug)


def _open_for(
    clock: Clock, config: ConfigOption, slug: str | None, subscription: int
) -> tuple[Store, Community]:
    """The store and the community of `subscription`: the one `--community` names, else the
    subscription's own (its id is unique on the server), else the only one."""
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    store = _store(clock, config)
    sub = SqlBilling.on(store).subscription(subscription) if slug is None else None
    return store, community_of(store, slug, sub.community_id if sub else None,
                               f"there is no subscription {subscription} on this server "
                               "(`hearth billing list --community SLUG` lists a community's)")  # fmt: skip


def _open_for_order(
    clock: Clock, config: ConfigOption, slug: str | None, order: int
) -> tuple[Store, Community]:
    """The store and the community of `order`: the one `--community` names, else the order's
    own (its id is unique on the server), else the only one."""
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    store = _store(clock, config)
    found = SqlBilling.on(store).order_by_id(order) if slug is None else None
    return store, community_of(store, slug, found.community_id if found else None,
                               f"there is no order {order} on this server (`hearth billing "
                               "list --orders --community SLUG` lists a community's)")  # fmt: skip


@billing_app.command("pay")
def pay(
    ctx: typer.Context,
    who: Annotated[
        str, typer.Argument(help="Payment reference (XXXX-XXXX), member:ID or CARRIER:USER_ID.")
    ],
    plan: Annotated[str, typer.Option("--plan", help="The plan paid for (monetisation.plans id).")],
    receipt: Annotated[
        str, typer.Option("--receipt", help="The shop's order or receipt number: recorded once.")
    ],
    amount: Annotated[
        str, typer.Option("--amount", help="Amount paid; default: the plan's price.")
    ] = "",
    currency: Annotated[
        str | None, typer.Option("--currency", help="ISO 4217; default: the plan's.")
    ] = None,
    discount: Annotated[
        str,
        typer.Option(
            "--discount",
            help="Why an amount below the plan's price (or in "
            "another currency) gets a full period; needed for one.",
        ),
    ] = "",
    community: Annotated[
        str | None,
        typer.Option(
            "--community",
            help="The community (its slug or name); default: the only one offering the plan, else the "
            "one of those where the member pays or stays.",
        ),
    ] = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Record a payment: it starts a period, or extends the current one from its end."""  # fmt: skip
    store = _store(clock_of(ctx), config)
    try:
        found = (pick_community(store, community) if community is not None
                 else staff.payment_community(store, who, plan))  # fmt: skip
        done = staff.pay(store, found, who, plan, amount, receipt, actor, clock_of(ctx).now(),
                         currency, discount)  # fmt: skip
    except BillingError as exc:
        fail(str(exc))
    order, sub = done.order, done.subscription
    until = named_time(sub.period_end, community_zone(store, found.id)) if sub else "?"
    if not done.created:
        console.print(f"Receipt {escape(order.provider_ref)} was recorded already (order "
                      f"{order.id}); nothing new.")  # fmt: skip
        return
    starts = ""
    if sub is not None and sub.period_start > order.at:  # after the plan they have now
        starts = (f" from {named_time(sub.period_start, community_zone(store, found.id))}, "
                  "when their current plan ends,")  # fmt: skip
    console.print(f"Order {order.id}: {order.kind.value} of {escape(order.plan_id)}, "
                  f"{order.amount} {order.currency}; member {order.member_id} is covered{starts} "
                  f"until {until} (subscription {sub.id if sub else '?'}).")  # fmt: skip


@billing_app.command("give")
def give(
    ctx: typer.Context,
    who: Annotated[
        str, typer.Argument(help="Payment reference (XXXX-XXXX), member:ID or CARRIER:USER_ID.")
    ],
    days: Annotated[int, typer.Option("--days", help="Days of membership given, 1 to 3650.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why (audited; the ledger shows it).")
    ] = "",
    plan: Annotated[
        str,
        typer.Option(
            "--plan",
            help="For a member holding no membership: the plan (default: the one they last "
            "held, else the community's only one).",
        ),
    ] = "",
    community: Annotated[
        str | None,
        typer.Option(
            "--community",
            help="The community (its slug or name); default: the only one with plans (with "
            "--plan: offering it), else the one of those where the member pays or stays.",
        ),
    ] = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Give days of membership free ("a week free"): the member's membership ends N days
    later, or, holding none, a period of N days starts now."""
    store = _store(clock_of(ctx), config)
    try:
        found = (pick_community(store, community) if community is not None
                 else staff.payment_community(store, who, plan))  # fmt: skip
        done = staff.give(store, found, who, days, reason, actor, clock_of(ctx).now(), plan)
    except BillingError as exc:
        fail(str(exc))
    sub, zone = done.subscription, community_zone(store, found.id)
    was = (f"extended from {named_time(done.was, zone)}" if done.was is not None
           else "started now")  # fmt: skip
    console.print(escape(f"Order {done.order.id}: {days} day{'' if days == 1 else 's'} of "
                         f"{done.order.plan_id} given to member {done.order.member_id}; "
                         f"subscription {sub.id} {was}, now until "
                         f"{named_time(sub.period_end, zone)}."))  # fmt: skip


@billing_app.command("grant")
def grant(
    ctx: typer.Context,
    order: Annotated[
        int, typer.Argument(min=1, max=MAX_ID, help="The held order's id (`list --orders`).")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why it gets a full period anyway (audited).")
    ],
    community: Annotated[
        str | None,
        typer.Option("--community", help="The community (its slug or name); default: the order's."),
    ] = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Grant a held payment (a provider's, below the plan's price) its period, deliberately."""
    store, found = _open_for_order(clock_of(ctx), config, community, order)
    try:
        done = staff.grant(store, found, order, reason, actor, clock_of(ctx).now())
    except BillingError as exc:
        fail(str(exc))
    sub = done.subscription
    until = named_time(sub.period_end, community_zone(store, found.id)) if sub else "?"
    console.print(f"Order {order} granted as a {done.order.kind.value} of "
                  f"{escape(done.order.plan_id)} ({done.order.amount} {done.order.currency}); "
                  f"member {done.order.member_id} is covered until {until}.")  # fmt: skip


def _refunded_already(store: Store, community: Community, subscription: int,
                      order: int | None, refund: Order) -> str:  # fmt: skip
    """What a refund run again says: the payment given back already (by `refund`), and the
    subscription's payments still standing, each with the command that gives it back."""
    from hearthkeeper.capabilities.billing.ledger import payments_of
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    given = refund.refund_of
    if order is not None:
        what = f"Order {order}"
    elif given is not None:
        what = f"Order {given}, the latest payment of subscription {subscription},"
    else:
        what = f"Subscription {subscription}"
    said = f"{what} was refunded already (order {refund.id}); nothing more is given back."
    orders = SqlBilling.on(store).orders(community.id, subscription_id=subscription)
    back = {o.refund_of for o in orders if o.refund_of is not None}
    left = [o.id for o in payments_of(orders) if o.id not in back]
    if left:
        said += f" Its other payment{'s' if len(left) > 1 else ''}: " + ", ".join(
            f"hearth billing refund {subscription} --order {i}" for i in left
        )
    return said


@billing_app.command("refund")
def refund(
    ctx: typer.Context,
    subscription: Annotated[
        int,
        typer.Argument(min=1, max=MAX_ID, help="The subscription id (see `hearth billing list`)."),
    ],
    order: Annotated[
        int | None,
        typer.Option(
            "--order",
            min=1,
            max=MAX_ID,
            help="The payment to give back (its order id in `list --orders`); default: the "
            "subscription's latest.",
        ),
    ] = None,
    community: SubCommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Refund one payment of a subscription (--order, else its latest) within the plan's refund
    window: access ends now, unless a period paid otherwise still runs (a renewal given back:
    access until the end of the period paid before it; a purchase made during a free trial:
    the trial, to its end)."""
    store, found = _open_for(clock_of(ctx), config, community, subscription)
    try:
        done = staff.refund(store, found, subscription, actor, clock_of(ctx).now(), order)
    except BillingError as exc:
        fail(str(exc))
    paid = done.order.refund_of
    if not done.created:
        console.print(_refunded_already(store, found, subscription, order, done.order))
        return
    given = f"Refunded {-done.order.amount} {done.order.currency} (order {done.order.id}"
    given += f", giving back order {paid})" if paid is not None else ")"
    sub = done.subscription
    if sub is not None and sub.live and not sub.paid:
        until = sub.period_end.astimezone(zone_of(playbook_of(store, found)))
        console.print(f"{given}, the purchase made during the free trial; the member is back "
                      f"in the trial, which ends on {until:%Y-%m-%d %H:%M} {until.tzinfo} as "
                      f"before paying, then they are removed unless they pay.")  # fmt: skip
        return
    later = _later_plan(store, found, done.chain)
    if sub is not None and sub.live:
        until = sub.period_end.astimezone(zone_of(playbook_of(store, found)))
        console.print(escape(f"{given}, the {_kind_of(store, paid)}; the member keeps access "
                             f"until {until:%Y-%m-%d %H:%M} {until.tzinfo}, the end of the "
                             f"period paid otherwise{later}."))  # fmt: skip
        return
    if later:
        console.print(escape(f"{given}; this subscription ended, and the member stays in the "
                             f"groups{later}."))  # fmt: skip
        return
    other = None if sub is None else staff.other_plan_of(store, found, sub, clock_of(ctx).now())
    if other is not None:
        until = other.until.astimezone(zone_of(playbook_of(store, found)))
        console.print(escape(f"{given}; this subscription ended, and the member stays in the "
                             f"groups through their {other.name}, until "
                             f"{until:%Y-%m-%d %H:%M} {until.tzinfo}."))  # fmt: skip
        return
    console.print(f"{given}; the member is removed from the community's groups.")


def _later_plan(store: Store, community: Community, chain: tuple[Subscription, ...]) -> str:
    """What a refund did to the member's later plans (bought to start one after another
    where the refunded one ended): '' when nothing, else the clause saying when each now
    runs."""
    if not chain:
        return ""
    playbook = playbook_of(store, community)
    zone = zone_of(playbook)
    said = []
    for n, moved in enumerate(chain):
        plan = plan_of(playbook, moved.plan_id)
        start, end = moved.period_start.astimezone(zone), moved.period_end.astimezone(zone)
        which = "this one" if n == 0 else "the one before it"
        said.append(f"their {plan.name if plan is not None else moved.plan_id}, which was to "
                    f"start when {which} ended, now runs from {start:%Y-%m-%d %H:%M} to "
                    f"{end:%Y-%m-%d %H:%M} {end.tzinfo}")  # fmt: skip
    return "; " + "; ".join(said)


def _kind_of(store: Store, order_id: int | None) -> str:
    """What the payment given back was (purchase, renewal), as the ledger says."""
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    paid = SqlBilling.on(store).order_by_id(order_id) if order_id is not None else None
    return paid.kind.value if paid is not None else "payment"


@billing_app.command("cancel")
def cancel(
    ctx: typer.Context,
    subscription: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The subscription id.")],
    community: SubCommunityOption = None,
    actor: ActorOption = "cli",
    config: ConfigOption = None,
) -> None:
    """Stop renewing: the member keeps access to the end of the paid period, then leaves."""
    store, found = _open_for(clock_of(ctx), config, community, subscription)
    try:
        sub = staff.cancel(store, found, subscription, actor, clock_of(ctx).now())
    except BillingError as exc:
        fail(str(exc))
    zone = community_zone(store, found.id)
    console.print(f"Subscription {sub.id} ends on {named_time(sub.period_end, zone)}.")


@billing_app.command("list")
def list_billing(
    ctx: typer.Context,
    orders: Annotated[bool, typer.Option("--orders", help="The orders ledger instead.")] = False,
    page: Annotated[
        int,
        typer.Option("--page", min=1, max=MAX_ID, help="Which page (1: the newest)."),
    ] = 1,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_LIST, help="Subscriptions (orders) a page.")
    ] = staff.LIST_PAGE,
    community: CommunityOption = None,
    config: ConfigOption = None,
) -> None:
    """The community's subscriptions (id, member, plan, status, period), or with --orders its
    orders ledger, newest first, a page at a time (50; `--page`, `--limit`), with how many
    there are (all: `billing export`)."""
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    store, found = _open(clock_of(ctx), config, community)
    zone = zone_of(playbook_of(store, found))  # as the console shows them: the community's
    repo = SqlBilling.on(store)
    listed = _ORDERS_LISTED if orders else _SUBSCRIPTIONS_LISTED
    total = repo.order_count(found.id) if orders else repo.subscription_count(found.id)
    if total == 0:
        console.print(f"No {listed.plural} yet.")
        return
    pages = -(-total // limit)
    page = min(page, pages)  # past the end (an old command line): the last page
    if orders:
        paid = staff.order_lines(store, found, limit, (page - 1) * limit)
        reasons = repo.reasons(found.id, [order for order, _ in paid])
        for order, name in paid:
            gave = "" if order.refund_of is None else f"\tgives back order {order.refund_of}"
            if order.kind is OrderKind.DAYS_GIVEN:
                gave += f"\t{escape(reasons.get(order.id, 'days given'))}"
            elif order.id in reasons:
                gave += f"\tbelow the price: {escape(reasons[order.id])}"
            console.print(f"{order.id}\t{order.at.astimezone(zone):%Y-%m-%d %H:%M} {zone}\t"
                          f"{escape(name)} (member {order.member_id})\t"
                          f"{order.kind.shown}\t{order.amount} {order.currency}\t"
                          f"{order.provider.value}:{escape(order.provider_ref)}{gave}")  # fmt: skip
        console.print(_shown(listed, total, page, pages, limit, len(paid)))
        return
    lines = staff.subscription_lines(store, found, clock_of(ctx).now(),
                                     (limit, (page - 1) * limit))  # fmt: skip
    console.print(f"Days in {zone} (the community's time zone).")
    for line in lines:
        sub = line.subscription
        start, end = sub.period_start.astimezone(zone), sub.period_end.astimezone(zone)
        until = (f"{line.ended.astimezone(zone).date()} (refunded)" if line.ended
                 else f"{end.date()}")  # fmt: skip
        console.print(f"{sub.id}\t{escape(line.name)} (member {sub.member_id})\t"
                      f"{escape(sub.plan_id)}\t{line.status}\t"
                      f"{start.date()} → {until}")  # fmt: skip
    console.print(_shown(listed, total, page, pages, limit, len(lines)))


@dataclass(frozen=True)
class _Listed:
    """What `billing list` pages, as its last line names it."""

    singular: str
    plural: str
    export: str  # the command that writes all of them


_SUBSCRIPTIONS_LISTED = _Listed("subscription", "subscriptions", "hearth billing export")
_ORDERS_LISTED = _Listed("order", "orders", "hearth billing export --orders")


def _shown(listed: _Listed, total: int, page: int, pages: int, limit: int, shown: int) -> str:
    """The line under `billing list`: which of how many it showed, and how to see more."""
    if pages == 1:
        return f"Every {listed.singular} shown ({total:,}), newest first."
    first = (page - 1) * limit + 1
    which = (f"{listed.singular.capitalize()} {first:,}" if shown == 1 else
             f"{listed.plural.capitalize()} {first:,}–{first + shown - 1:,}")  # fmt: skip
    said = f"{which} of {total:,}, newest first (page {page} of {pages})"
    onward = f"--page {page + 1} for the next {min(limit, total - page * limit):,}; " if (
        page < pages) else ""  # fmt: skip
    return f"{said}: {onward}all of them: {listed.export}."


@billing_app.command("rehearse")
def rehearse(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", min=1, max=732, help="How many days ahead to rehearse.")
    ] = 60,
    community: CommunityOption = None,
    config: ConfigOption = None,
) -> None:
    """Rehearse the membership calendar: the renewal reminders, removals, expiries and plans
    paid in advance that the coming days bring for the current members, day by day, as the
    real jobs would do them. Read-only: nothing is stored and nothing is sent."""
    from hearthkeeper.capabilities.billing.rehearse import rehearse as run_rehearsal
    from hearthkeeper.capabilities.billing.repository import SqlBilling

    store, found = _open(clock_of(ctx), config, community)
    playbook = playbook_of(store, found)
    plans = playbook is not None and bool(playbook.monetisation.plans)
    if not plans and not SqlBilling.on(store).live_subscriptions(found.id):
        console.print(escape(f"{found.name} has no membership plans (monetisation.plans in its "
                             "playbook) and no member holds a subscription: there is no "
                             "membership calendar to rehearse."))  # fmt: skip
        return
    zone = zone_of(playbook)
    now = clock_of(ctx).now()
    happenings = run_rehearsal(store, found, playbook, now, days)
    end = now + timedelta(days=days)
    console.print(escape(f"Rehearsal of {found.name} from {now.astimezone(zone):%Y-%m-%d %H:%M} "
                         f"to {end.astimezone(zone):%Y-%m-%d %H:%M} {zone} (the community's "
                         f"time zone); nothing is stored or sent."))  # fmt: skip
    if not happenings:
        console.print("Nothing happens to any member's membership in these days.")
    day = ""
    for h in happenings:
        local = h.at.astimezone(zone)
        if f"{local:%Y-%m-%d}" != day:
            day = f"{local:%Y-%m-%d}"
            console.print(day)
        where = f" in {', '.join(h.groups)}" if h.groups else ""
        said = {"reminder": f"reminded to renew {h.plan}{where}",
                "removal": f"removed from {', '.join(h.groups)}: {h.text}",
                "ends": f"{h.plan} ends; {h.text}",
                "starts": f"{h.plan} begins (paid in advance)"}[h.what]  # fmt: skip
        held = ("joined unpaid, holds no membership" if h.subscription is None
                else f"subscription {h.subscription}")  # fmt: skip
        console.print(escape(f"  {local:%H:%M}  {h.what:<8}  {h.name} (member {h.member_id}, "
                             f"{held}): {said}"), soft_wrap=True)  # fmt: skip
        if h.what == "reminder":
            console.print(escape(f"            reads: {h.text}"), soft_wrap=True)


@billing_app.command("export")
def export(
    ctx: typer.Context,
    orders: Annotated[bool, typer.Option("--orders", help="The orders ledger instead.")] = False,
    output: CsvOutputOption = None,
    community: CommunityOption = None,
    config: ConfigOption = None,
) -> None:
    """The subscriptions (or with --orders the orders) as CSV with a header, oldest first."""
    import csv
    import io

    from hearthkeeper.capabilities.billing.export import (
        ORDER_COLUMNS,
        SUBSCRIPTION_COLUMNS,
        order_rows,
        subscription_rows,
    )
    from hearthkeeper.cli.output import shown_safely

    store, found = _open(clock_of(ctx), config, community)
    columns = ORDER_COLUMNS if orders else SUBSCRIPTION_COLUMNS
    rows = (order_rows(store, found) if orders
            else subscription_rows(store, found, clock_of(ctx).now()))  # fmt: skip
    if output is None:  # to a terminal, most likely: no escape sequences reach it
        buffer = io.StringIO()
        csv.writer(buffer).writerows([columns, *([shown_safely(c) for c in r] for r in rows)])
        typer.echo(buffer.getvalue(), nl=False)
        return
    try:
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([columns, *rows])
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    what = "order" if orders else "subscription"
    console.print(escape(f"Wrote {len(rows)} {what}{'' if len(rows) == 1 else 's'} of "
                         f"{found.slug} to {output}."))  # fmt: skip
