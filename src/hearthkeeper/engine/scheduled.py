"""Running scheduled work when it falls due: each item once, in its own transaction.

Several workers on one database (step 14): each item is claimed by `take_due` in the
transaction that runs it, marked done there, and its row stays locked until that commit. On
PostgreSQL the claim selects `FOR UPDATE SKIP LOCKED`, so another worker passes over an item
being run (neither waits for it nor runs it) and, once it is committed, finds it done: two
workers never run the same item. A worker that dies mid-run never commits: PostgreSQL rolls
its transaction back when the session ends (at once for a killed process, whose socket
closes; after TCP keepalive for a machine that vanished), so the item is pending again,
with nothing it wrote, and the next worker's `run_due` takes it — no stale limit needed. An
item whose effect raised is rolled back and set aside as failed, unless another worker ran
it meanwhile (then it stays done). Across workers, items due together may run side by side
rather than in due order; each still runs once. An item of a community this process does not
serve is marked done without effect: every engine worker must serve every community.

A group's work is run where the group's events are decided (`may_run`, from the `Engine`):
by the worker holding the group's lease (web chat groups: taken for the item if free, kept
while it runs), or the worker running the group's carrier (Matrix, Telegram, QQ), so that a
poll is never closed in one worker while a vote on it is being decided in another (the voter
told "counted", the results posted without the vote). Work of no group runs anywhere.

Slow reads aside: an effect registered with a `prepare` (the weekly report, the daily watch, the
matrix watch: seconds of reading and arithmetic at hundreds of groups) does its reads before its
item is claimed, outside any transaction that writes, when the caller asks so (`aside`):
`run_due` passes such an item over and names it, the engine runs `prepare_aside` in a worker
thread while it goes on deciding events, and a later `run_due` runs the item with what was read
(`prepared`, keyed by the item's key), in a transaction as short as any. Otherwise (`aside`
None: a direct `Engine.tick`, the CLI) the effect reads in its own transaction, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.appliers import CLOSED_GROUP_APPLIERS, SCHEDULED_APPLIERS, Step
from hearthkeeper.engine.batch import Direct
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.engine.handler import group_view
from hearthkeeper.store import Scheduled, Store
from hearthkeeper.store.errors import unavailable
from hearthkeeper.store.scheduled import WorkOf

log = logging.getLogger(__name__)

# Whether this worker runs a scheduled item, held so while the block runs (`Engine`).
MayRun = Callable[[Store, Scheduled], AbstractContextManager[bool]]

# Scheduled work has no event and no member: it may ask for what `SCHEDULED_APPLIERS` holds.
_REFUSED = "scheduled work cannot {kind}: only send, reply, alert, cancel or further effects"


class _NotHere(Exception):
    """The item is another worker's to run: its claim is rolled back."""


class _Aside(Exception):
    """The item's slow reads are to be done aside first: its claim is rolled back."""


def run_due(store: Store, runtimes: Mapping[int, Runtime], now: datetime, *, limit: int = 100,
            may_run: MayRun | None = None, only: WorkOf | None = None,
            prepared: Mapping[str, object] | None = None,
            aside: list[Scheduled] | None = None) -> list[tuple[Scheduled, list[Action]]]:  # fmt: skip
    """Run the work due at `now`; returns each item with the actions it led to. Beside other
    workers, `may_run` says whether this one runs an item (and keeps it so while it runs):
    the work of a group is decided where its events are; the others are passed over.
    `only`: just one community's work of one kind (`hearth billing rehearse` runs the
    membership calendar's this way, in a transaction it rolls back). `aside` given: an item
    whose effect has slow reads (`Registry.prepares`) and no entry in `prepared` under its
    key is left pending and added to `aside`, for the caller to read aside
    (`prepare_aside`); with its entry, it runs with what was read."""
    ran: list[tuple[Scheduled, list[Action]]] = []
    elsewhere: set[int] = set()  # groups whose work another worker runs
    later: set[int] = set()  # items to read aside first
    ready = prepared or {}
    for _ in range(limit):
        failed: Scheduled | None = None
        try:
            with store.transaction() as tx:
                items = tx.take_due(now, limit=1, passing_over=elsewhere, skipping=later,
                                    only=only)  # fmt: skip
                if not items:
                    break
                item = failed = items[0]
                with may_run(tx, item) if may_run is not None else nullcontext(True) as here:
                    if not here:
                        raise _NotHere
                    if aside is not None and item.key not in ready and _slow(runtimes, item):
                        raise _Aside
                    ran.append((item, _run(tx, runtimes, item, now, ready.get(item.key))))
                failed = None
        except _NotHere:
            assert failed is not None and failed.group_id is not None
            elsewhere.add(failed.group_id)
        except _Aside:
            assert failed is not None and aside is not None
            later.add(failed.id)
            aside.append(failed)
        except Exception as error:
            if failed is None or unavailable(error):
                raise  # the store, not the work: it stays due, run when the store is back
            log.exception("scheduled %s (%s) failed; set aside", failed.key, failed.effect)
            store.fail_scheduled(failed.id)
    return ran


def _slow(runtimes: Mapping[int, Runtime], item: Scheduled) -> bool:
    runtime = runtimes.get(item.community_id)
    return runtime is not None and runtime.registry.prepares(item.effect)


def prepare_aside(store: Store, runtimes: Mapping[int, Runtime], item: Scheduled,
                  now: datetime) -> object:  # fmt: skip
    """The slow reads of `item`'s effect as of `now`, each in a read of its own (no
    transaction that writes is held meanwhile); None when there is nothing to read."""
    runtime = runtimes.get(item.community_id)
    group = store.get_group(item.group_id) if item.group_id is not None else None
    if runtime is None or group is None:
        return None
    view = group_view(group, runtime.slug)
    playbook = runtime.playbook_for(view)
    request = runtime.registry.request_from(item.effect, item.payload)
    ctx = EffectContext(playbook=playbook, group=view, member=None, now=now)
    return runtime.registry.prepare(store, request, ctx)


def _run(tx: Store, runtimes: Mapping[int, Runtime], item: Scheduled, now: datetime,
         prepared: object = None) -> list[Action]:  # fmt: skip
    runtime = runtimes.get(item.community_id)
    group = tx.get_group(item.group_id) if item.group_id is not None else None
    if runtime is None or group is None:
        return []  # the community is not served by this process, or the group is gone
    view = group_view(group, runtime.slug)
    playbook = runtime.playbook_for(view)
    request = runtime.registry.request_from(item.effect, item.payload)
    action = Action(kind=ActionKind.EFFECT, carrier=group.carrier, group=group.carrier_group_id,
                    effect=item.effect, handler="scheduled", request=request)  # fmt: skip
    # A closed group hears what ends something its members took part in, and nothing else
    quiet = group.closed and not (request is not None and request.answers_members)
    step = Step(
        tx=tx, playbook=playbook, registry=runtime.registry, group=view,
        writes=Direct(tx, now), now=now, refused=_REFUSED,
        appliers=CLOSED_GROUP_APPLIERS if quiet else SCHEDULED_APPLIERS,
        effects=EffectContext(playbook=playbook, group=view, member=None, now=now,
                              prepared=prepared),
    )  # fmt: skip
    # What the work led to: everything applied but the scheduled effect itself.
    return step.apply([action], f"sched:{item.id}")[1:]
