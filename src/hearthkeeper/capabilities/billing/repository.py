"""Billing in the database: payment references, subscriptions and the orders ledger.

An order is unique per provider and the provider's reference (a Stripe event, a webhook's
event id, a receipt number staff typed): recording it again changes nothing, so a webhook
delivered twice or a command run twice credits once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select, text, update

from hearthkeeper.capabilities.billing.records import (
    LIVE,
    NewOrder,
    Order,
    OrderKind,
    PaymentReference,
    Provider,
    Status,
    Subscription,
    given_text,
)
from hearthkeeper.capabilities.billing.references import ATTEMPTS, reference_code
from hearthkeeper.store.columns import utc
from hearthkeeper.store.inserts import insert_one, table_of
from hearthkeeper.store.locks import lock_row
from hearthkeeper.store.models import (
    NAME,
    AuditRow,
    GroupRow,
    IdentityRow,
    MemberRow,
    MembershipRow,
    MessageRow,
    OrderRow,
    PaymentReferenceRow,
    PlaybookVersionRow,
    ScheduledRow,
    SubscriptionRow,
)
from hearthkeeper.store.scope import StoreBase

_REFS = table_of(PaymentReferenceRow)
_IDS = table_of(IdentityRow)
_DERIVED_AT_ONCE = 1000  # identities whose codes are derived per statement
# the audit entries of a payment recorded below the price with a reason, or granted one
_REASONED = ("billing purchase", "billing renewal", "billing grant", "billing days given")
_SUBS = table_of(SubscriptionRow)
_ORDERS = table_of(OrderRow)
_SCHEDULED = table_of(ScheduledRow)
# an order's time is its recorder's clock, its audit entry's the store's: the same clock in
# one process, but a web node and a worker may differ a little (a day's margin costs a day
# of the audit log)
_CLOCKS_APART = timedelta(days=1)
# What a rehearsal of a community's membership calendar (`rehearse.py`) writes, with the rows
# its copy starts from: the community's subscriptions and billing work, the billing actions
# queued in its groups (one queued already is not queued again), every payment reference (a
# new code must differ from all) and no audit entry (only written).
_REHEARSED = {
    "subscriptions": "community_id = :community",
    "scheduled": "community_id = :community AND key LIKE 'billing:%'",
    "outbox": "key LIKE 'billing:%' AND group_id IN "
              "(SELECT id FROM groups WHERE community_id = :community)",
    "payment_references": "true",
    "audit_log": "false",
}  # fmt: skip


class BillingRepository(Protocol):
    """What the billing capability reads and writes."""

    def reference_for(self, carrier: str, user_id: str, display_name: str,
                      at: datetime) -> PaymentReference: ...  # fmt: skip
    def resolve(self, code: str) -> PaymentReference | None: ...
    def coming(self, code: str, *, keep: bool = False) -> PaymentReference | None: ...
    def derive_codes(self) -> int: ...
    def subscriptions(self, community_id: int, *, member_id: int | None = None,
                      plan_id: str | None = None) -> list[Subscription]: ...  # fmt: skip
    def live_subscriptions(self, community_id: int) -> list[Subscription]: ...
    def subscription(self, subscription_id: int) -> Subscription | None: ...
    def start(self, community_id: int, member_id: int, plan_id: str, start: datetime,
              end: datetime, *, trial: bool, at: datetime,
              network: str | None = None) -> Subscription: ...  # fmt: skip
    def trial_from(self, community_id: int, network: str, since: datetime) -> bool: ...
    def change(self, subscription_id: int, **values: Any) -> Subscription: ...
    def lock_member(self, member_id: int) -> None: ...
    def record(self, community_id: int, member_id: int, subscription_id: int | None,
               order: NewOrder, kind: OrderKind, at: datetime, *,
               refund_of: int | None = None) -> tuple[Order, bool]: ...  # fmt: skip
    def refund_for(self, order_id: int) -> Order | None: ...
    def attach(self, order_id: int, subscription_id: int,
               kind: OrderKind | None = None) -> Order: ...  # fmt: skip
    def call_off(self, subscription_id: int) -> int: ...
    def reopen(self, keys: Sequence[str]) -> int: ...
    def order_by_id(self, order_id: int) -> Order | None: ...
    def order(self, provider: Provider, provider_ref: str) -> Order | None: ...
    def orders(self, community_id: int, *, subscription_id: int | None = None,
               member_id: int | None = None) -> list[Order]: ...  # fmt: skip
    def newest_orders(self, community_id: int, limit: int, offset: int = 0) -> list[Order]: ...
    def order_count(self, community_id: int) -> int: ...
    def reasons(self, community_id: int,
                of: Sequence[Order] | None = None) -> dict[int, str]: ...  # fmt: skip


class SqlBilling(StoreBase):
    """The billing repository on SQLAlchemy; `SqlBilling.on(tx)` works in the caller's
    transaction."""

    def rehearse_on_copies(self, community_id: int) -> None:
        """PostgreSQL, in a transaction on a connection that has run nothing before: from here
        to the transaction's end, the tables a rehearsal of `community_id`'s calendar writes are
        this transaction's own temporary copies (what `_REHEARSED` keeps of them), so that no
        live row is changed or locked and the live service is held up by nothing. Rolled
        back, they are gone. (A connection used before may hold statements PostgreSQL
        prepared on the live tables: hence a new one.)"""
        with self._unit(write=True) as session:
            path = session.scalar(text("SELECT current_setting('search_path')"))
            live = session.scalar(text("SELECT quote_ident(current_schema())"))
            for table, kept in _REHEARSED.items():
                session.execute(text(f"CREATE TEMPORARY TABLE {table} "
                                     f"(LIKE {live}.{table} INCLUDING ALL) ON COMMIT DROP"))  # fmt: skip
                session.execute(text(f"INSERT INTO pg_temp.{table} "
                                     f"SELECT * FROM {live}.{table} WHERE {kept}"),
                                {"community": community_id} if ":community" in kept else {})  # fmt: skip
            session.execute(text(f"SET LOCAL search_path TO pg_temp, {path}"))

    def reference_for(self, carrier: str, user_id: str, display_name: str,
                      at: datetime) -> PaymentReference:  # fmt: skip
        """The person's payment reference, made and kept the first time it is asked for."""
        with self._unit(write=True) as session:
            row = session.execute(select(_REFS).where(
                _REFS.c.carrier == carrier, _REFS.c.carrier_user_id == user_id)).first()  # fmt: skip
            if row is not None:
                return _reference(row)
            attempt = 0
            code = reference_code(carrier, user_id)
            while session.scalar(select(_REFS.c.id).where(_REFS.c.code == code)) is not None:
                attempt += 1  # another person's code: take the next one derived for this one
                code = reference_code(carrier, user_id, attempt)
            values = {"code": code, "carrier": carrier, "carrier_user_id": user_id,
                      "display_name": display_name.strip()[:NAME], "created_at": utc(at, "at")}  # fmt: skip
            insert_one(session, PaymentReferenceRow, ("carrier", "carrier_user_id"), values)
            # anyone else whose code this was (one in a trillion) gets theirs derived again
            session.execute(update(_IDS).where(
                _IDS.c.payment_code == code,
                ~((_IDS.c.carrier == carrier) & (_IDS.c.carrier_user_id == user_id)),
            ).values(payment_code=None))  # fmt: skip
            found = session.execute(select(_REFS).where(
                _REFS.c.carrier == carrier, _REFS.c.carrier_user_id == user_id)).one()  # fmt: skip
            return _reference(found)

    def resolve(self, code: str) -> PaymentReference | None:
        """Whom a payment reference names (None for a code nobody was given)."""
        with self._unit(write=False) as session:
            row = session.execute(select(_REFS).where(_REFS.c.code == code)).first()
            return None if row is None else _reference(row)

    def coming(self, code: str, *, keep: bool = False) -> PaymentReference | None:
        """Whom `reference_for` would give `code`, when nobody holds it yet: a member not given
        a reference so far whose derived code it is (`hearth billing rehearse` shows the code
        a reminder will give; staff may record a payment quoting it before then). `keep`:
        given to them now, as `reference_for` gives it. Found by the code's index
        (`member_identities.payment_code`, derived first for the identities made since the
        last look)."""
        self.derive_codes()
        i = _IDS.c
        rows = select(i.carrier, i.carrier_user_id, MemberRow.display_name)
        rows = rows.join(MemberRow, MemberRow.id == i.member_id).outerjoin(
            _REFS, (_REFS.c.carrier == i.carrier) & (_REFS.c.carrier_user_id == i.carrier_user_id),
        ).where(i.payment_code == code, _REFS.c.id.is_(None))  # fmt: skip
        found: PaymentReference | None = None
        with self._unit(write=False) as session:
            for carrier, user_id, name in session.execute(rows):
                codes = [reference_code(carrier, user_id, n) for n in range(ATTEMPTS)]
                if code not in codes:
                    continue
                earlier = codes[: codes.index(code)]  # each taken by someone else, or not it
                taken = set(session.scalars(select(_REFS.c.code).where(_REFS.c.code.in_(earlier))))
                if taken == set(earlier):
                    found = PaymentReference(code, carrier, user_id, name)
                    break
        if found is None or not keep:
            return found
        return self.reference_for(found.carrier, found.carrier_user_id, found.display_name,
                                  self._clock.now())  # fmt: skip

    def derive_codes(self) -> int:
        """Keep with each identity that has none yet (`payment_code` NULL: made since the
        last look, or whose code someone else was given) the payment reference
        `reference_for` would give it: its first derived code nobody else holds. How many."""
        i = _IDS.c
        with self._unit(write=False) as session:
            missing = session.execute(
                select(i.carrier, i.carrier_user_id).where(i.payment_code.is_(None))
            ).all()
        if not missing:
            return 0
        keep = update(_IDS).where(i.carrier == bindparam("b_carrier"),
                                  i.carrier_user_id == bindparam("b_user"))  # fmt: skip
        with self._unit(write=True) as session:
            for start in range(0, len(missing), _DERIVED_AT_ONCE):
                first = {
                    (c, u): reference_code(c, u)
                    for c, u in missing[start : start + _DERIVED_AT_ONCE]
                }
                held = {code: (c, u) for code, c, u in session.execute(
                    select(_REFS.c.code, _REFS.c.carrier, _REFS.c.carrier_user_id)
                    .where(_REFS.c.code.in_(first.values())))}  # fmt: skip
                values = []
                for (carrier, user_id), code in first.items():
                    attempt = 0  # another's code (one in a trillion): the next, as reference_for
                    while (
                        held.get(code, (carrier, user_id)) != (carrier, user_id)
                        and attempt + 1 < ATTEMPTS
                    ):
                        attempt += 1
                        code = reference_code(carrier, user_id, attempt)
                        owner = session.execute(select(_REFS.c.carrier, _REFS.c.carrier_user_id)
                                                .where(_REFS.c.code == code)).first()  # fmt: skip
                        if owner is not None:
                            held[code] = (owner[0], owner[1])
                    values.append({"b_carrier": carrier, "b_user": user_id, "code": code})
                session.execute(keep.values(payment_code=bindparam("code")), values)
        return len(missing)

    def subscriptions(self, community_id: int, *, member_id: int | None = None,
                      plan_id: str | None = None) -> list[Subscription]:  # fmt: skip
        """The community's subscriptions, oldest first (of one member, of one plan)."""
        query = select(_SUBS).where(_SUBS.c.community_id == community_id).order_by(_SUBS.c.id)
        if member_id is not None:
            query = query.where(_SUBS.c.member_id == member_id)
        if plan_id is not None:
            query = query.where(_SUBS.c.plan_id == plan_id)
        with self._unit(write=False) as session:
            return [_subscription(row) for row in session.execute(query)]

    def subscription_count(self, community_id: int) -> int:
        with self._unit(write=False) as session:
            return session.scalar(select(func.count()).select_from(_SUBS)
                                  .where(_SUBS.c.community_id == community_id)) or 0  # fmt: skip

    def newest_subscriptions(self, community_id: int, limit: int,
                             offset: int = 0) -> list[Subscription]:  # fmt: skip
        """A page of the community's subscriptions, newest first (the console's)."""
        query = (select(_SUBS).where(_SUBS.c.community_id == community_id)
                 .order_by(_SUBS.c.id.desc()).limit(limit).offset(offset))  # fmt: skip
        with self._unit(write=False) as session:
            return [_subscription(row) for row in session.execute(query)]

    def subscriptions_of(self, community_id: int,
                         member_ids: Collection[int]) -> list[Subscription]:  # fmt: skip
        """Every subscription of these members in the community, oldest first."""
        query = select(_SUBS).where(_SUBS.c.community_id == community_id,
                                    _SUBS.c.member_id.in_(sorted(set(member_ids))))  # fmt: skip
        with self._unit(write=False) as session:
            return [_subscription(row) for row in session.execute(query.order_by(_SUBS.c.id))]

    def orders_of(self, community_id: int, subscription_ids: Collection[int]) -> list[Order]:
        """The orders of these subscriptions, oldest first."""
        query = select(_ORDERS).where(_ORDERS.c.community_id == community_id,
                                      _ORDERS.c.subscription_id.in_(sorted(set(subscription_ids))))  # fmt: skip
        with self._unit(write=False) as session:
            return [_order(row) for row in
                    session.execute(query.order_by(_ORDERS.c.at, _ORDERS.c.id))]  # fmt: skip

    def live_subscriptions(self, community_id: int) -> list[Subscription]:
        """Subscriptions still active or running to the end of their period."""
        query = select(_SUBS).where(_SUBS.c.community_id == community_id,
                                    _SUBS.c.status.in_([s.value for s in LIVE])).order_by(_SUBS.c.id)  # fmt: skip
        with self._unit(write=False) as session:
            return [_subscription(row) for row in session.execute(query)]

    def subscription(self, subscription_id: int) -> Subscription | None:
        with self._unit(write=False) as session:
            row = session.execute(select(_SUBS).where(_SUBS.c.id == subscription_id)).first()
            return None if row is None else _subscription(row)

    def start(self, community_id: int, member_id: int, plan_id: str, start: datetime,
              end: datetime, *, trial: bool, at: datetime,
              network: str | None = None) -> Subscription:  # fmt: skip
        """A new active subscription covering `start`..`end` (a free trial if `trial`,
        remembering the digest of the client `network` it was started from, if known)."""
        values = {"community_id": community_id, "member_id": member_id, "plan_id": plan_id,
                  "status": Status.ACTIVE.value, "period_start": utc(start, "start"),
                  "period_end": utc(end, "end"), "trial_end": utc(end, "end") if trial else None,
                  "trial_network": network if trial else None,
                  "created_at": utc(at, "at"), "ended_at": None}  # fmt: skip
        with self._unit(write=True) as session:
            new_id = session.scalar(_SUBS.insert().values(values).returning(_SUBS.c.id))
            row = session.execute(select(_SUBS).where(_SUBS.c.id == new_id)).one()
            return _subscription(row)

    def trial_from(self, community_id: int, network: str, since: datetime) -> bool:
        """Whether a free trial of the community was started from the client `network` (its
        digest) at or after `since`, whatever became of it (refunded, ended, paid)."""
        query = select(_SUBS.c.id).where(
            _SUBS.c.community_id == community_id, _SUBS.c.trial_network == network,
            _SUBS.c.created_at >= utc(since, "since")).limit(1)  # fmt: skip
        with self._unit(write=False) as session:
            return session.execute(query).first() is not None

    def paid_since(self, community_id: int) -> datetime | None:
        """When the community's door began asking for payment: the applying of the first
        version of its latest run of stored playbook versions whose threshold is `paid`
        (None: its latest version's is not, or none is stored)."""
        query = (select(PlaybookVersionRow.applied_at, PlaybookVersionRow.content)
                 .where(PlaybookVersionRow.community_id == community_id)
                 .order_by(PlaybookVersionRow.version.desc()))  # fmt: skip
        since = None
        with self._unit(write=False) as session:
            for applied_at, content in session.execute(query):
                threshold = ((content or {}).get("joining") or {}).get("threshold") or {}
                if threshold.get("kind") != "paid":
                    break
                since = applied_at
        return None if since is None else utc(since, "applied_at")

    def there_before(self, community_id: int, member_id: int, since: datetime) -> bool:
        """Whether the member was in the community at `since`: a stay in one of its groups
        that began before it and had not ended by then; or, for a member with no stay there
        before it (one the bot never saw join: there before the bot), a message posted in
        its groups before it."""
        # carriers time a join to the second (Telegram's `date`): one in the very second the
        # threshold was applied is after it, not before
        at = utc(since, "since").replace(microsecond=0)
        groups = select(GroupRow.id).where(GroupRow.community_id == community_id)
        stays = select(MembershipRow.left_at).where(
            MembershipRow.member_id == member_id, MembershipRow.group_id.in_(groups),
            MembershipRow.joined_at < at)  # fmt: skip
        said = select(MessageRow.id).where(
            MessageRow.member_id == member_id, MessageRow.group_id.in_(groups),
            MessageRow.sent_at < at).limit(1)  # fmt: skip
        with self._unit(write=False) as session:
            ends = [left for (left,) in session.execute(stays)]
            if ends:  # seen joining before it: in at `since` if a stay was still open then
                return any(left is None or utc(left, "left_at") > at for left in ends)
            return session.execute(said).first() is not None

    def change(self, subscription_id: int, **values: Any) -> Subscription:
        """Set `values` (status, period_end, ended_at) on a subscription."""
        plain = {k: (v.value if isinstance(v, Status) else v) for k, v in values.items()}
        with self._unit(write=True) as session:
            session.execute(update(_SUBS).where(_SUBS.c.id == subscription_id).values(plain))
            row = session.execute(select(_SUBS).where(_SUBS.c.id == subscription_id)).one()
            return _subscription(row)

    def lock_member(self, member_id: int) -> None:
        """Serialise the member's ledger changes until the transaction ends: two payments
        recorded at once (two web nodes, a webhook and staff) each extend the period."""
        with self._unit(write=True) as session:
            lock_row(session, MemberRow, member_id)

    def record(self, community_id: int, member_id: int, subscription_id: int | None,
               order: NewOrder, kind: OrderKind, at: datetime, *,
               refund_of: int | None = None) -> tuple[Order, bool]:  # fmt: skip
        """Record an order unless the provider's reference is recorded already: (the order,
        True), or (the one recorded before, False). A refund names the payment it gives back
        (`refund_of`); the caller checks `refund_for` first under the member's lock."""
        values = {"refund_of": refund_of, "community_id": community_id, "member_id": member_id,
                  "subscription_id": subscription_id, "plan_id": order.plan_id,
                  "amount": order.amount, "currency": order.currency, "kind": kind.value,
                  "provider": order.provider.value, "provider_ref": order.provider_ref,
                  "recorded_by": order.recorded_by[:NAME], "at": utc(at, "at")}  # fmt: skip
        with self._unit(write=True) as session:
            order_id, created = insert_one(session, OrderRow, ("provider", "provider_ref"), values)
            row = session.execute(select(_ORDERS).where(_ORDERS.c.id == order_id)).one()
            return _order(row), created

    def attach(self, order_id: int, subscription_id: int,
               kind: OrderKind | None = None) -> Order:  # fmt: skip
        """Tie a just-recorded order (or a held one staff grant: its new `kind`) to the
        subscription it paid for."""
        values: dict[str, Any] = {"subscription_id": subscription_id}
        if kind is not None:
            values["kind"] = kind.value
        with self._unit(write=True) as session:
            session.execute(update(_ORDERS).where(_ORDERS.c.id == order_id).values(values))
            return _order(session.execute(select(_ORDERS).where(_ORDERS.c.id == order_id)).one())

    def call_off(self, subscription_id: int) -> int:
        """Cancel the pending scheduled work of a subscription (its reminder and expiry,
        keyed `billing:<id>:...`); how many were pending."""
        self.flush_deferred()  # work this transaction planned is called off too
        with self._unit(write=True) as session:
            result = session.execute(
                update(_SCHEDULED)
                .where(_SCHEDULED.c.key.like(f"billing:{subscription_id}:%"),
                       _SCHEDULED.c.status == "pending")
                .values(status="cancelled")
            )  # fmt: skip
            return int(result.rowcount)  # type: ignore[attr-defined]

    def reopen(self, keys: Sequence[str]) -> int:
        """Make the called-off scheduled work of `keys` pending again (what `call_off`
        cancelled and the same plan asks for again); how many."""
        if not keys:
            return 0
        self.flush_deferred()  # the plan's own rows are written (or found taken) first
        with self._unit(write=True) as session:
            result = session.execute(
                update(_SCHEDULED)
                .where(_SCHEDULED.c.key.in_(sorted(keys)), _SCHEDULED.c.status == "cancelled")
                .values(status="pending", done_at=None)
            )  # fmt: skip
            return int(result.rowcount)  # type: ignore[attr-defined]

    def order_by_id(self, order_id: int) -> Order | None:
        """The order with this id."""
        with self._unit(write=False) as session:
            row = session.execute(select(_ORDERS).where(_ORDERS.c.id == order_id)).first()
            return None if row is None else _order(row)

    def refund_for(self, order_id: int) -> Order | None:
        """The refund that gave back the payment `order_id` (None: not refunded)."""
        with self._unit(write=False) as session:
            row = session.execute(select(_ORDERS).where(_ORDERS.c.refund_of == order_id)).first()
            return None if row is None else _order(row)

    def order(self, provider: Provider, provider_ref: str) -> Order | None:
        """The order recorded under a provider's reference."""
        with self._unit(write=False) as session:
            row = session.execute(select(_ORDERS).where(
                _ORDERS.c.provider == provider.value, _ORDERS.c.provider_ref == provider_ref
            )).first()  # fmt: skip
            return None if row is None else _order(row)

    def orders(self, community_id: int, *, subscription_id: int | None = None,
               member_id: int | None = None) -> list[Order]:  # fmt: skip
        """The community's ledger, oldest first (of one subscription, of one member)."""
        query = select(_ORDERS).where(_ORDERS.c.community_id == community_id)
        if subscription_id is not None:
            query = query.where(_ORDERS.c.subscription_id == subscription_id)
        if member_id is not None:
            query = query.where(_ORDERS.c.member_id == member_id)
        with self._unit(write=False) as session:
            return [
                _order(row) for row in session.execute(query.order_by(_ORDERS.c.at, _ORDERS.c.id))
            ]

    def newest_orders(self, community_id: int, limit: int, offset: int = 0) -> list[Order]:
        """A page of the community's ledger: `limit` orders after the `offset` newest, newest
        first (what the console and `billing list --orders` list)."""
        query = (select(_ORDERS).where(_ORDERS.c.community_id == community_id)
                 .order_by(_ORDERS.c.at.desc(), _ORDERS.c.id.desc())
                 .limit(limit).offset(offset))  # fmt: skip
        with self._unit(write=False) as session:
            return [_order(row) for row in session.execute(query)]

    def order_count(self, community_id: int) -> int:
        """How many orders the community's ledger holds (refunds and held payments too)."""
        with self._unit(write=False) as session:
            return session.scalar(select(func.count()).select_from(_ORDERS)
                                  .where(_ORDERS.c.community_id == community_id)) or 0  # fmt: skip

    def reasons(self, community_id: int,
                of: Sequence[Order] | None = None) -> dict[int, str]:  # fmt: skip
        """Why staff gave payments a full period below the price, by order id: the discount's
        reason a payment was recorded with, or a held payment's grant's (kept in the audit
        log with the change); days given, as "7 days given: an apology". `of`: only these orders' (a page of them): the audit log is
        read from the oldest one's time on, where its entries are (written when it was
        recorded, or granted later), not from the community's first day."""
        query = select(AuditRow.detail).where(AuditRow.community_id == community_id,
                                              AuditRow.action.in_(_REASONED))  # fmt: skip
        wanted = None if of is None else {o.id for o in of}
        if of is not None:
            if not of:
                return {}
            query = query.where(AuditRow.at >= min(o.at for o in of) - _CLOCKS_APART)
        found: dict[int, str] = {}
        with self._unit(write=False) as session:
            for (detail,) in session.execute(query):
                order = detail.get("order") if isinstance(detail, dict) else None
                reason = detail.get("discount") or detail.get("reason") if order else None
                days = detail.get("days") if order else None
                if isinstance(days, int):  # days given: "7 days given: an apology"
                    reason = given_text(days, reason if isinstance(reason, str) else "")
                shown = wanted is None or order in wanted
                if isinstance(order, int) and isinstance(reason, str) and reason and shown:
                    found[order] = reason
        return found

    def paying_members(self, community_id: int, member_ids: Collection[int]) -> set[int]:
        """Which of `member_ids` ever paid the community for a membership (a purchase or a
        renewal; a refund later does not undo that they paid once)."""
        wanted = sorted(set(member_ids))
        if not wanted:
            return set()
        query = (
            select(_ORDERS.c.member_id)
            .distinct()
            .where(
                _ORDERS.c.community_id == community_id,
                _ORDERS.c.kind.in_((OrderKind.PURCHASE.value, OrderKind.RENEWAL.value)),
                _ORDERS.c.amount > 0,
                _ORDERS.c.member_id.in_(wanted),
            )
        )
        with self._unit(write=False) as session:
            return set(session.scalars(query))


def _reference(row: Any) -> PaymentReference:
    return PaymentReference(row.code, row.carrier, row.carrier_user_id, row.display_name)


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id, community_id=row.community_id, member_id=row.member_id, plan_id=row.plan_id,
        status=Status(row.status), period_start=row.period_start, period_end=row.period_end,
        trial_end=row.trial_end, created_at=row.created_at, ended_at=row.ended_at,
    )  # fmt: skip


def _order(row: Any) -> Order:
    return Order(
        id=row.id, community_id=row.community_id, member_id=row.member_id,
        subscription_id=row.subscription_id, plan_id=row.plan_id, amount=row.amount,
        currency=row.currency, kind=OrderKind(row.kind), provider=Provider(row.provider),
        provider_ref=row.provider_ref, recorded_by=row.recorded_by, at=row.at,
        refund_of=row.refund_of,
    )  # fmt: skip
