"""Paid membership: plans (`monetisation.plans`), the `paid` joining threshold, the orders
ledger and subscriptions, payments recorded by staff (`hearth billing`, the console, the REST
API) or by signed webhooks (Stripe, a generic HMAC one), renewal reminders, grace, removal
and refunds, and the seeds' money figures.

Pure: `periods` (calendar months), `references` (payment codes), `ledger` (what a payment,
a refund, a trial does; when access ends), `texts`. Store work: `repository` (+ `records`),
`payments` (what staff and providers do), `lifecycle` (the scheduled reminder and expiry),
`threshold` (the door), `unscreened` (a joiner the door never saw: a direct join), `welcome`
(the welcome's line on a free trial), `status` (a member's
`/membership`), `rehearse` (the calendar run ahead, then thrown away). Outside: `cli`,
`console`, `api`, `webhooks`, `metrics`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.engine.registry import Registry
    from hearthkeeper.playbook import Playbook
    from hearthkeeper.store import Store
    from hearthkeeper.web.console.pages import Pages
    from hearthkeeper.web.context import Web


class Billing(CapabilityBase):
    name = "billing"

    def register(self, registry: Registry, setup: Setup) -> None:
        """The `paid` threshold and the lifecycle's effects (always: a playbook that dropped
        its plans still has subscriptions to end)."""
        from hearthkeeper.capabilities.billing.lifecycle import expire, remind
        from hearthkeeper.capabilities.billing.requests import BillingExpire, BillingRemind
        from hearthkeeper.capabilities.billing.threshold import check_paid
        from hearthkeeper.playbook.joining import ThresholdKind

        registry.add_threshold(ThresholdKind.PAID, check_paid)
        registry.add_effect(BillingRemind, remind)
        registry.add_effect(BillingExpire, expire)
        # a joiner the door never screened (a direct join on Telegram, QQ, Matrix): as the
        # door would have — a trial, or told to pay and removed unpaid (`unscreened`)
        from hearthkeeper.capabilities.billing.requests import UnpaidJoinEnds, UnscreenedJoin
        from hearthkeeper.capabilities.billing.unscreened import (
            UnscreenedJoiner,
            admit_unscreened,
            remove_unpaid,
        )
        from hearthkeeper.engine.registry import Stage

        registry.add_effect(UnscreenedJoin, admit_unscreened)
        registry.add_effect(UnpaidJoinEnds, remove_unpaid)
        if setup.playbook.monetisation.plans:  # one removed at once has no welcome; anyone
            # else reads the welcome first, then what staying costs
            registry.add(UnscreenedJoiner(at_once=True), Stage.CEREMONY - 1)
            registry.add(UnscreenedJoiner(at_once=False), Stage.CEREMONY + 2)
        if setup.playbook.monetisation.plans:  # `/membership`: a paid community's members
            from hearthkeeper.capabilities.billing.requests import MembershipAsked
            from hearthkeeper.capabilities.billing.status import COMMAND, membership

            registry.add_effect(MembershipAsked, membership)
            setup.book.add(COMMAND)

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        """Make sure every live subscription has its reminder and expiry scheduled."""
        from hearthkeeper.capabilities.billing.lifecycle import plan_lifecycle
        from hearthkeeper.capabilities.billing.repository import SqlBilling

        with store.transaction() as tx:
            for sub in SqlBilling.on(tx).live_subscriptions(community_id):
                plan_lifecycle(tx, sub, playbook, now)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.cli.lazy import add_lazy_group

        add_lazy_group(
            app,
            "billing",
            "hearthkeeper.capabilities.billing.cli:billing_app",
            help="Paid membership: record payments, refund, cancel, list and export subscriptions and orders, rehearse the calendar.",
        )

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.billing.console import router

        return router(pages)

    def routes(self, web: Web) -> APIRouter | None:
        from hearthkeeper.capabilities.billing.api import router

        return router(web)


CAPABILITY = Billing()
