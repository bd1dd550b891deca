"""Staff alerts beyond the console's inbox: load who the staff are → `decide` → queue or hold.

`route` is the engine's alert router (`Registry.route_alerts`): it runs in the transaction
that raised the alert, so the deliveries it answers with are queued with the alert, once per
key. In quiet hours a non-urgent alert is held instead (with the roles it is for, when not the
community's alert recipients) and the release is scheduled, once per community and end of
the quiet hours; `release` (that scheduled work) sends what was held as one message per
audience and marks it released in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from hearthkeeper.capabilities.alerts.decide import (
    alert_text,
    deliveries,
    digest,
    is_urgent,
    quiet_until,
    recipients,
    staff_channel,
    zone_of,
)
from hearthkeeper.capabilities.alerts.repository import SqlAlerts
from hearthkeeper.capabilities.alerts.requests import ReleaseHeld
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext, schedule_request
from hearthkeeper.engine.registry import Delivery
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Store
from hearthkeeper.store.scope import StoreBase


def route(scope: StoreBase, action: Action, key: str, ctx: EffectContext) -> Sequence[Delivery]:
    """The alert router the engine calls for every ALERT_STAFF it applies."""
    return route_alert(scope, ctx.playbook, action, key, ctx.group.community_id, ctx.group.id,
                       ctx.now)  # fmt: skip


def route_alert(scope: StoreBase, pb: Playbook, action: Action, key: str, community_id: int,
                group_id: int, now: datetime, *,
                for_roles: Sequence[str] | None = None) -> list[Delivery]:  # fmt: skip
    """What to queue for the alert `action` (queued under `key`) about group `group_id`: its
    deliveries now, or nothing while it is held for the end of quiet hours. `for_roles`: the
    roles it is for instead of `alerts.recipients` (an application's: its reviewers), now or
    in the digest."""
    text = action.text or action.explained
    quiet_end = None if is_urgent(action, pb) else quiet_until(now, pb.alerts.quiet_hours,
                                                                 zone_of(pb))  # fmt: skip
    if quiet_end is None:
        return staff_deliveries(scope, addressed(pb, for_roles), community_id, key,
                                alert_text(text, pb), action)  # fmt: skip
    SqlAlerts.on(scope).hold(key, community_id, group_id, text, now, quiet_end,
                             recipients=for_roles)  # fmt: skip
    schedule_request(scope, _release_key(community_id, quiet_end), community_id,
                     ReleaseHeld(release_at=quiet_end), quiet_end, group_id=group_id)  # fmt: skip
    return []


def addressed(pb: Playbook, roles: Sequence[str] | None) -> Playbook:
    """`pb` with its alerts addressed to `roles` (None: to those it names)."""
    if roles is None:
        return pb
    alerts = pb.alerts.model_copy(update={"recipients": list(roles)})
    return pb.model_copy(update={"alerts": alerts})


def staff_deliveries(scope: StoreBase, pb: Playbook, community_id: int, key: str, said: str,
                     about: Action | None) -> list[Delivery]:  # fmt: skip
    """The staff channel's post and the direct messages saying `said`, keyed from `key`."""
    tx = Store.on(scope)
    # the community's carriers and the groups that could be its staff channel, not every
    # group it runs (an alert in a community of 500 groups read all 500)
    carriers = tx.group_carriers(community_id)
    wanted = pb.alerts.staff_group
    channel = staff_channel(tx.groups_called(community_id, wanted) if wanted else [], pb)
    who = recipients(SqlAlerts.on(scope).staff(community_id, carriers), pb)
    return deliveries(key, said, pb, who, channel, about=about)


def release(scope: StoreBase, request: ReleaseHeld, ctx: EffectContext) -> Sequence[Action]:
    """Quiet hours are over: the held alerts staff have not handled yet go out as one
    message; every held alert due is marked released."""
    pb, community_id = ctx.playbook, ctx.group.community_id
    alerts = SqlAlerts.on(scope)
    due = alerts.due(community_id, ctx.now)
    alerts.released([h.id for h in due], ctx.now)
    # One digest per audience: the community's alert recipients, and each set of roles an
    # alert was for instead (an application's reviewers).
    audiences: dict[tuple[str, ...] | None, list[str]] = {}
    for held in due:
        if not held.handled:
            audiences.setdefault(held.recipients, []).append(held.text)
    released = _release_key(community_id, request.release_at)
    tx = Store.on(scope)
    for roles, texts in audiences.items():
        key = released if roles is None else f"{released}:for:{','.join(sorted(roles))}"
        said = digest(texts, pb)
        for d in staff_deliveries(scope, addressed(pb, roles), community_id, key, said, None):
            tx.enqueue(d.key, d.action.carrier, d.action.to_json(), d.action.priority,
                       group_id=d.group_id, at=ctx.now)  # fmt: skip
    return []


def _release_key(community_id: int, release_at: datetime) -> str:
    return f"alerts:release:{community_id}:{release_at.astimezone(UTC):%Y%m%dT%H%MZ}"
