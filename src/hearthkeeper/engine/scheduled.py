"""Running scheduled work when it falls due: each item once, in its own transaction."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, EffectError
from hearthkeeper.engine.executor import Runtime, inbox_entry
from hearthkeeper.engine.handler import group_view
from hearthkeeper.store import Scheduled, Store

log = logging.getLogger(__name__)


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
    action = Action(kind=ActionKind.EFFECT, carrier=group.carrier, group=group.carrier_group_id,
                    effect=item.effect, extra=dict(item.payload), handler="scheduled",
                    request=runtime.registry.request_from(item.effect, item.payload))  # fmt: skip
    ctx = EffectContext(playbook=runtime.playbook, group=view, member=None, now=now)
    return _follow(tx, runtime, ctx, f"sched:{item.id}", [action], depth=0)


def _follow(tx: Store, runtime: Runtime, ctx: EffectContext, key: str,
            actions: Sequence[Action], depth: int) -> list[Action]:  # fmt: skip
    done: list[Action] = []
    for index, action in enumerate(actions):
        action_key = action.key or f"{key}:{index}"
        if action.kind is ActionKind.EFFECT:
            if depth > 3:
                raise EffectError(f"effects nested too deep at {action.effect!r}")
            if index or depth:
                done.append(action)
            follow = runtime.registry.perform(tx, action, replace(ctx, trigger=action))
            done.extend(_follow(tx, runtime, ctx, action_key, follow, depth + 1))
        elif action.outbound:
            tx.enqueue(action_key, action.carrier, action.to_json(), action.priority,
                       group_id=ctx.group.id, at=action.not_before or ctx.now)  # fmt: skip
            if action.kind is ActionKind.ALERT_STAFF:
                tx.add_staff_alerts([inbox_entry(tx, action, action_key, ctx.group.community_id,
                                                 ctx.group.id, ctx.now)])  # fmt: skip
            done.append(action)
        elif action.kind is ActionKind.CANCEL and action.target:
            tx.cancel_pending(action.target, ctx.now)
            done.append(action)
        else:
            raise EffectError(f"scheduled work cannot {action.kind.value}: only send, reply, "
                              "alert, cancel or further effects")  # fmt: skip
    return done
