"""The ledger as CSV rows for the operator's spreadsheet or accountant: the subscriptions
(members and their periods) or the orders (payments, refunds, and why staff gave one
below the price a full period), oldest first, times in the
community's zone, amounts as exact decimal numbers. Members' names and references are their
own text: a cell a spreadsheet would run as a formula starts with an apostrophe."""

from __future__ import annotations

from datetime import datetime, tzinfo

from hearthkeeper.capabilities.billing import staff
from hearthkeeper.capabilities.billing.lifecycle import zone_of
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.signups.export import spreadsheet_safe
from hearthkeeper.store import Community, Store

SUBSCRIPTION_COLUMNS = ("subscription_id", "member_id", "name", "plan", "status",
                        "period_start", "period_end")  # fmt: skip
ORDER_COLUMNS = ("order_id", "at", "member_id", "name", "kind", "plan", "amount", "currency",
                 "provider", "reference", "subscription_id", "refund_of", "recorded_by",
                 "below_price_reason")  # fmt: skip


def _local(at: datetime, zone: tzinfo) -> str:
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M}"


def subscription_rows(store: Store, community: Community, now: datetime) -> list[list[str]]:
    """One row per subscription, oldest first, with its status as `hearth billing list`
    shows it (trial, in grace, lapsed told apart)."""
    zone = zone_of(playbook_of(store, community))
    rows = []
    for line in reversed(staff.subscription_lines(store, community, now)):
        sub = line.subscription
        rows.append([str(sub.id), str(sub.member_id), spreadsheet_safe(line.name),
                     spreadsheet_safe(sub.plan_id), line.status, _local(sub.period_start, zone),
                     _local(sub.period_end, zone)])  # fmt: skip
    return rows


def order_rows(store: Store, community: Community) -> list[list[str]]:
    """One row per order, oldest first: a refund's amount is negative and names the payment
    it gave back."""
    zone = zone_of(playbook_of(store, community))
    reasons = SqlBilling.on(store).reasons(community.id)
    rows = []
    for order, name in reversed(staff.order_lines(store, community)):
        rows.append([str(order.id), _local(order.at, zone), str(order.member_id),
                     spreadsheet_safe(name), order.kind.value, spreadsheet_safe(order.plan_id),
                     f"{order.amount:f}", order.currency, order.provider.value,
                     spreadsheet_safe(order.provider_ref),
                     "" if order.subscription_id is None else str(order.subscription_id),
                     "" if order.refund_of is None else str(order.refund_of),
                     spreadsheet_safe(order.recorded_by),
                     spreadsheet_safe(reasons.get(order.id, ""))])  # fmt: skip
    return rows
