"""Running scheduled work when it falls due: each item once, in its own transaction."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.appliers import SCHEDULED_APPLIERS, Step
from hearthkeeper.engine.batch import Direct
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.engine.handler import group_view
from hearthkeeper.store import Scheduled, Store

log = logging.getLogger(__name__)

# Scheduled work has no event and no member: it may ask for what `SCHEDULED_APPLIERS` holds.
_REFUSED = "scheduled work cannot {kind}: only send, reply, alert, cancel or further effects"


def run_due(store: Store, runtimes: Mapping[int, Runtime], now: datetime, *,
            limit: int = 100) -> list[tuple[Scheduled, list[Action]]]:  # fmt: skip
    """Run the work due at `now`; returns each item with the actions it led to."""
    ran: list[tuple[Scheduled, list[Action]]] = []
    for _ in range(limit):
        failed: Scheduled | None = None
        try:
            with store.transaction() as tx:
                items = tx.take_due(now, limit=1)
                if not items:
                    break
                item = failed = items[0]
                ran.append((item, _run(tx, runtimes, item, now)))
                failed = None
        except Exception:
            if failed is None:
                raise
            log.exception("scheduled %s (%s) failed; set aside", failed.key, failed.effect)
            store.fail_scheduled(failed.id)
    return ran


def _run(
    tx: Store, runtimes: Mapping[int, Runtime], item: Scheduled, now: datetime
) -> list[Action]:
    runtime = runtimes.get(item.community_id)
    group = tx.get_group(item.group_id) if item.group_id is not None else None
    if runtime is None or group is None:
        return []  # the community is not served by this process, or the group is gone
    view = group_view(group, runtime.slug)
    playbook = runtime.playbook_for(view)
    action = Action(kind=ActionKind.EFFECT, carrier=group.carrier, group=group.carrier_group_id,
                    effect=item.effect, handler="scheduled",
                    request=runtime.registry.request_from(item.effect, item.payload))  # fmt: skip
    step = Step(
        tx=tx, playbook=playbook, registry=runtime.registry, group=view,
        writes=Direct(tx, now), now=now, appliers=SCHEDULED_APPLIERS, refused=_REFUSED,
        effects=EffectContext(playbook=playbook, group=view, member=None, now=now),
    )  # fmt: skip
    # What the work led to: everything applied but the scheduled effect itself.
    return step.apply([action], f"sched:{item.id}")[1:]
