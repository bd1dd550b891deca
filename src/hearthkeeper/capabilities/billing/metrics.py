"""The seeds' money figures (seed 002): purchase rate, repurchase rate, free → paid upgrade
and revenue per group, from the ledger and the groups' stays.

- purchase rate: of everyone who was ever in one of the community's groups, the share who
  paid for a plan (a purchase order);
- repurchase rate: of the paid subscriptions whose first period has ended (or was renewed),
  the share renewed at least once (a renewal refunded does not count);
- a period given free (recorded at 0 with its reason: a referral's free week, a goodwill
  month) is no payment: it makes nobody a payer, renews nothing, and a subscription only ever
  given free is none of the paid ones; its member is counted apart (`given_free`);
- free → paid: of the members of this server's free communities (a threshold other than
  `paid`), the share who later bought here;
- revenue: payments less refunds, by currency (event fees included); per group, attributed
  to the group each payer (of a plan or of an event's fee) joined first, so a member in two
  groups is counted once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from hearthkeeper.capabilities.billing.ledger import has_access
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.billing.records import Order, OrderKind, Status, Subscription
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.playbook.business import Plan
from hearthkeeper.playbook.joining import ThresholdKind
from hearthkeeper.store import Store
from hearthkeeper.store.models import GroupRow, MembershipRow


@dataclass(frozen=True)
class GroupMoney:
    group_id: int
    name: str
    members: int  # in the group now
    payers: int  # payers who joined the community here first
    revenue: dict[str, Decimal]
    currency: str | None = None  # the community's (`MoneyFigures.currency`)

    @property
    def revenue_text(self) -> str:
        return _money(self.revenue, self.currency)


@dataclass(frozen=True)
class MoneyFigures:
    """The community's money figures at a moment."""

    people: int
    payers: int
    renewable: int
    renewed: int
    free_members: int
    upgraded: int
    revenue: dict[str, Decimal] = field(default_factory=dict)
    per_group: list[GroupMoney] = field(default_factory=list)
    paying_now: int = 0  # members a paid period (or its grace) lets in now
    in_trial: int = 0  # members only a free trial lets in now
    given_free: int = 0  # members only periods given free (recorded at 0) let in now
    lost: int = 0  # members who once paid and whom nothing lets in now (lapsed or refunded)
    # What no revenue is said in ("0.00 CNY"): its first plan's currency, else its first
    # payment's; None when it has neither (then a bare "0").
    currency: str | None = None

    @property
    def members_now_text(self) -> str:
        trial = f", {self.in_trial} in a free trial" if self.in_trial else ""
        trial += f", {self.given_free} on a period given free" if self.given_free else ""
        lost = (f"; {self.lost} who paid before {'has' if self.lost == 1 else 'have'} no access "
                "now (lapsed or refunded)" if self.lost else "")  # fmt: skip
        return f"{self.paying_now} paying{trial}{lost}"

    @property
    def purchase_rate(self) -> float | None:
        return self.payers / self.people if self.people else None

    @property
    def repurchase_rate(self) -> float | None:
        return self.renewed / self.renewable if self.renewable else None

    @property
    def upgrade_rate(self) -> float | None:
        return self.upgraded / self.free_members if self.free_members else None

    @property
    def purchase_rate_text(self) -> str:
        return _share(self.payers, self.people)

    @property
    def repurchase_rate_text(self) -> str:
        return _share(self.renewed, self.renewable)

    @property
    def upgrade_text(self) -> str:
        return _share(self.upgraded, self.free_members)

    @property
    def revenue_text(self) -> str:
        return _money(self.revenue, self.currency)


def _share(part: int, whole: int) -> str:
    """ "13% (1 of 8)": the percentage rounded half up, as by hand (and as the health score
    and the report do), not to even as `format` does ("12%")."""
    if not whole:
        return "— (nobody yet)"
    return f"{(200 * part + whole) // (2 * whole)}% ({part} of {whole})"


def _money(amounts: dict[str, Decimal], currency: str | None = None) -> str:
    """ "857.00 CNY", amounts in several currencies joined; nothing in `currency` as any
    other amount ("0.00 CNY"), a bare "0" only without one."""
    if not amounts:
        return f"0.00 {currency}" if currency else "0"
    return ", ".join(f"{v:f} {c}" for c, v in sorted(amounts.items()))


def money_currency(plans: Sequence[Plan], orders: Sequence[Order]) -> str | None:
    """The community's currency: its first plan's, else its first payment's."""
    if plans:
        return plans[0].currency
    return orders[0].currency if orders else None


def _first_joins(store: Store, community_ids: list[int]) -> dict[int, tuple[datetime, int]]:
    """Each member's first stay in the communities' groups: (joined at, group id)."""
    query = (select(MembershipRow.member_id, MembershipRow.joined_at, MembershipRow.group_id)
             .join(GroupRow, GroupRow.id == MembershipRow.group_id)
             .where(GroupRow.community_id.in_(community_ids)))  # fmt: skip
    first: dict[int, tuple[datetime, int]] = {}
    with store.engine.connect() as connection:
        for member_id, joined_at, group_id in connection.execute(query):
            if member_id not in first or joined_at < first[member_id][0]:
                first[member_id] = (joined_at, group_id)
    return first


def money_figures(store: Store, community_id: int, now: datetime) -> MoneyFigures:
    """The figures of one community, from its orders, subscriptions and groups' stays."""
    repo = SqlBilling.on(store)
    orders = repo.orders(community_id)
    subs = repo.subscriptions(community_id)
    first_purchase: dict[int, datetime] = {}
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    by_member: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    renewals: dict[int, int] = defaultdict(int)  # per subscription, less renewals refunded
    live = {s.id for s in subs if s.live}
    kinds = {order.id: order.kind for order in orders if order.amount > 0}  # payments only
    paid_subs: set[int] = set()  # subscriptions someone paid for, not only given free
    extended: set[int] = set()  # subscriptions a period given free followed (a gift has no
    # refund, so it stays; a paid renewal given back does not: `renewals`)
    for order in orders:
        revenue[order.currency] += order.amount
        by_member[order.member_id][order.currency] += order.amount
        payment = order.kind in (OrderKind.PURCHASE, OrderKind.RENEWAL) and order.amount > 0
        if payment and order.member_id not in first_purchase:
            first_purchase[order.member_id] = order.at  # a paid renewal of a gift: a purchase
        if order.subscription_id is None:
            continue
        if order.kind is OrderKind.RENEWAL and not payment:
            extended.add(order.subscription_id)
        if payment:
            if order.kind is OrderKind.RENEWAL:
                # the first payment of a subscription given free is its purchase, not a renewal
                renewals[order.subscription_id] += order.subscription_id in paid_subs
            paid_subs.add(order.subscription_id)
        if order.kind is OrderKind.REFUND:
            renewals[order.subscription_id] -= _gave_back_renewal(order, kinds, live)
    renewed_subs = {sub_id for sub_id, count in renewals.items() if count > 0}
    plans = _plans(store, community_id)
    currency = money_currency(list(plans.values()), orders)
    paid = [s for s in subs if s.paid and s.id in paid_subs]
    renewed_subs |= _moved_on(paid, plans)
    renewable = [s for s in paid if s.status is not Status.REFUNDED
                 and (s.id in renewed_subs or s.id in extended or s.period_end <= now)]  # fmt: skip
    joins = _first_joins(store, [community_id])
    people = set(joins)  # everyone ever in the groups; someone who paid and never came is
    # revenue, not a member who bought
    free = [
        c.id for c in store.list_communities() if c.id != community_id and _is_free(store, c.id)
    ]
    free_joins = _first_joins(store, free) if free else {}
    upgraded = [m for m, (joined, _) in free_joins.items()
                if m in first_purchase and first_purchase[m] > joined]  # fmt: skip
    groups = store.list_groups(community_id)
    counts = store.group_member_counts(community_id)
    per_group = []
    for group in groups:
        here = [m for m, (_, gid) in joins.items() if gid == group.id]
        payers = [m for m in here if m in first_purchase]
        money: dict[str, Decimal] = defaultdict(Decimal)
        for member_id in here:  # an event fee of someone who never bought the plan too
            for currency, amount in by_member[member_id].items():
                money[currency] += amount
        per_group.append(GroupMoney(group.id, group.name, counts.get(group.id, 0), len(payers),
                                    dict(money), currency))  # fmt: skip
    paying, given, trying = _members_now(subs, paid_subs, plans, now)
    return MoneyFigures(people=len(people), payers=len(people & first_purchase.keys()),
                        renewable=len(renewable),
                        renewed=len([s for s in renewable if s.id in renewed_subs]),
                        free_members=len(free_joins), upgraded=len(upgraded),
                        revenue=dict(revenue), per_group=per_group, paying_now=len(paying),
                        in_trial=len(trying - paying - given),
                        given_free=len(given - paying),
                        lost=len(first_purchase.keys() - paying - given - trying),
                        currency=currency)  # fmt: skip


def _gave_back_renewal(refund: Order, kinds: dict[int, OrderKind], live: set[int]) -> int:
    """1 when the refund gave a renewal back (whether the membership lapsed since or not),
    else 0. A refund recorded before refunds named their payment: when its subscription is
    still live (a refund that ends access leaves it refunded)."""
    if refund.refund_of is not None:
        return int(kinds.get(refund.refund_of) is OrderKind.RENEWAL)
    return int(refund.subscription_id in live)


def _plans(store: Store, community_id: int) -> dict[str, Plan]:
    """The community's plans by id (none when it has no playbook)."""
    community = next((c for c in store.list_communities() if c.id == community_id), None)
    playbook = None if community is None else playbook_of(store, community)
    return {} if playbook is None else {p.id: p for p in playbook.monetisation.plans}


def _members_now(subs: list[Subscription], paid_subs: set[int], plans: dict[str, Plan],
                 now: datetime) -> tuple[set[int], set[int], set[int]]:  # fmt: skip
    """The members a paid subscription lets in at `now`, those one only ever given free
    does, and those a free trial does."""
    paying: set[int] = set()
    given: set[int] = set()
    trying: set[int] = set()
    for sub in subs:
        if has_access(sub, plans.get(sub.plan_id), now):
            if not sub.paid:
                trying.add(sub.member_id)
            else:
                (paying if sub.id in paid_subs else given).add(sub.member_id)
    return paying, given, trying


def _moved_on(subs: list[Subscription], plans: dict[str, Plan]) -> set[int]:
    """The paid subscriptions whose member went on with another plan: a later paid
    subscription of theirs, not refunded, started before this one let them in no more (its
    end and grace) — a member moving from the monthly to the yearly card renewed."""
    by_member: dict[int, list[Subscription]] = defaultdict(list)
    for sub in subs:
        if sub.paid and sub.status is not Status.REFUNDED:
            by_member[sub.member_id].append(sub)
    moved = set()
    for theirs in by_member.values():
        for sub in theirs:
            plan = plans.get(sub.plan_id)
            grace = plan.grace if plan is not None and plan.grace is not None else timedelta(0)
            if any(later.id > sub.id and later.plan_id != sub.plan_id
                   and later.period_start <= sub.period_end + grace for later in theirs):  # fmt: skip
                moved.add(sub.id)
    return moved


def _is_free(store: Store, community_id: int) -> bool:
    community = next((c for c in store.list_communities() if c.id == community_id), None)
    playbook = None if community is None else playbook_of(store, community)
    return playbook is not None and playbook.joining.threshold.kind is not ThresholdKind.PAID
