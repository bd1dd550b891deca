"""Plans a new version of the playbook drops while members still hold them, said when it is
applied: their subscriptions run on to their end, but without the plan there is no renewal
reminder and no grace, and a payment of it is refused (`no plan ...`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store
from hearthkeeper.store.scope import StoreBase

SHOWN = 5  # members named per plan; the rest counted


def dropped_plans(scope: StoreBase, community_id: int, before: Mapping[str, Any],
                  after: Playbook) -> list[str]:  # fmt: skip
    """A warning per plan of the version `before` (its stored content) that `after` no longer
    has while live subscriptions hold it, naming their members."""
    kept = {p.id for p in after.monetisation.plans}
    monetisation = before.get("monetisation") or {}
    had = [p.get("id") for p in monetisation.get("plans") or [] if isinstance(p, Mapping)]
    gone = [plan for plan in had if isinstance(plan, str) and plan not in kept]
    if not gone:
        return []
    live = SqlBilling.on(scope).live_subscriptions(community_id)
    tx = Store.on(scope)
    said = []
    for plan in gone:
        holders = sorted({s.member_id for s in live if s.plan_id == plan})
        if not holders:
            continue
        names = []
        for member_id in holders[:SHOWN]:
            member = tx.get_member(member_id)
            names.append(member.display_name if member else f"member {member_id}")
        more = f" and {len(holders) - SHOWN} more" if len(holders) > SHOWN else ""
        who = (f"1 member holds it ({names[0]})" if len(holders) == 1
               else f"{len(holders)} members hold it ({', '.join(names)}{more})")  # fmt: skip
        said.append(f"plan {plan!r} is no longer in monetisation.plans, but {who}: to the end "
                    "of their period they get no renewal reminder and no grace, and a payment "
                    "of it is refused. To stop selling a plan, keep it in monetisation.plans "
                    "and offer another at the door (joining.threshold.plan); members of any "
                    "plan of the list are let in.")  # fmt: skip
    return said
