"""The report's money section: the seeds' outcomes of a paid community (seed 002) — purchase
rate, repurchase rate, free → paid upgrade, revenue and revenue per group.

The figures are billing's own (`capabilities/billing/metrics.py`, the console's Billing
page), computed once here for the report and put in JSON; nothing is counted a second way.
They are the community's to date (as of the report's `generated_at`), not limited to the
report's period: a membership bought in March and renewed in September is one renewal
whatever days the report covers. Amounts are decimal strings ("857.00"), kept exact.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from hearthkeeper.capabilities.billing.metrics import MoneyFigures, money_figures
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store


def report_money(
    store: Store, community_id: int, playbook: Playbook | None, now: datetime
) -> MoneyFigures | None:
    """The community's money figures as of `now`; None for a community that sells nothing
    (no `monetisation.plans` in its playbook and no order in the ledger)."""
    figures = money_figures(store, community_id, now)
    sells = playbook is not None and bool(playbook.monetisation.plans)
    if not sells and figures.payers == 0 and not figures.revenue:
        return None
    return figures


def money_json(
    figures: MoneyFigures, as_of: datetime, group_ids: Collection[int] | None = None
) -> dict[str, Any]:
    """The `money` object of the report (docs/metrics.md, "Report format"); `groups` holds
    only the groups `group_ids` when the report is limited to some."""
    return {
        "as_of": as_of.isoformat(),
        "people": figures.people, "payers": figures.payers,
        "purchase_rate": figures.purchase_rate,
        "renewable": figures.renewable, "renewed": figures.renewed,
        "repurchase_rate": figures.repurchase_rate,
        "free_members": figures.free_members, "upgraded": figures.upgraded,
        "upgrade_rate": figures.upgrade_rate,
        "paying_now": figures.paying_now, "in_trial": figures.in_trial,
        "given_free": figures.given_free, "lost": figures.lost,
        "revenue": _amounts(figures.revenue), "currency": figures.currency,
        "groups": [
            {"id": g.group_id, "name": g.name, "members": g.members, "payers": g.payers,
             "revenue": _amounts(g.revenue)}
            for g in figures.per_group if group_ids is None or g.group_id in group_ids
        ],
    }  # fmt: skip


def _amounts(by_currency: dict[str, Decimal]) -> dict[str, str]:
    """Amounts by currency, currencies in order, each an exact decimal string."""
    return {currency: f"{amount:f}" for currency, amount in sorted(by_currency.items())}
