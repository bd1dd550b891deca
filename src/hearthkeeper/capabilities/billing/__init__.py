"""Paid membership: plans (`monetisation.plans`), the `paid` joining threshold, the orders
ledger and subscriptions, payments recorded by staff (`hearth billing`, the console, the REST
API) or by signed webhooks (Stripe, a generic HMAC one), renewal reminders, grace, removal
and refunds, and the seeds' money figures.

Pure: `periods` (calendar months), `references` (payment codes), `ledger` (what a payment,
a refund, a trial does; when access ends), `texts`. Store work: `repository` (+ `records`),
`payments` (what staff and providers do), `lifecycle` (the scheduled reminder and expiry),
`threshold` (the door). Outside: `cli`, `console`, `api`, `webhooks`, `metrics`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hearthkeeper.capabilities.base import CapabilityBase, Setup
from hearthkeeper.capabilities.billing.lifecycle import expire, plan_lifecycle, remind
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.requests import BillingExpire, BillingRemind
from hearthkeeper.capabilities.billing.threshold import check_paid
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.joining import ThresholdKind
from hearthkeeper.store import Store

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from hearthkeeper.web.console.pages import Pages
    from hearthkeeper.web.context import Web


class Billing(CapabilityBase):
    name = "billing"

    def register(self, registry: Registry, setup: Setup) -> None:
        """The `paid` threshold and the lifecycle's effects (always: a playbook that dropped
        its plans still has subscriptions to end)."""
        registry.add_threshold(ThresholdKind.PAID, check_paid)
        registry.add_effect(BillingRemind, remind)
        registry.add_effect(BillingExpire, expire)

    def plan(self, store: Store, community_id: int, playbook: Playbook, now: datetime) -> None:
        """Make sure every live subscription has its reminder and expiry scheduled."""
        with store.transaction() as tx:
            for sub in SqlBilling.on(tx).live_subscriptions(community_id):
                plan_lifecycle(tx, sub, playbook, now)

    def cli(self, app: typer.Typer) -> None:
        from hearthkeeper.capabilities.billing import cli

        cli.register(app)

    def console(self, pages: Pages) -> APIRouter | None:
        from hearthkeeper.capabilities.billing.console import router

        return router(pages)

    def routes(self, web: Web) -> APIRouter | None:
        from hearthkeeper.capabilities.billing.api import router

        return router(web)


CAPABILITY = Billing()
