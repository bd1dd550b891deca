"""A rehearsal of the membership calendar: what the renewal reminders and expiries of the
community's current members, and the removals of the direct joiners who have not paid
(`unscreened.py`), would do over the coming days, without waiting for them.

Nothing here is a second calendar: the community's scheduled billing work (planned as
`hearth serve` plans it at start) is run by the engine's own runner (`run_due`) with the
clock moved to each moment it falls due, and what it queued for the carriers is read back.
It all happens in one transaction that is rolled back, so that a live server is held up by
none of the rehearsal's writes: on SQLite in a copy of the database, on PostgreSQL on the
transaction's own temporary copies of the tables it writes (`SqlBilling.rehearse_on_copies`;
rows changed in the live tables were locked until the rehearsal ended, ~100 s at 2,000
members, so a worker passed over a member's due reminder and a payment staff recorded
waited). Nothing is stored, nothing is sent.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hearthkeeper.capabilities.billing.ledger import has_access
from hearthkeeper.capabilities.billing.lifecycle import plan_lifecycle, plan_of
from hearthkeeper.capabilities.billing.records import Status, Subscription
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.billing.requests import BillingExpire
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Community, Store, create_engine_for, sqlite_url
from hearthkeeper.store.records import OutboxItem
from hearthkeeper.store.scheduled import WorkOf

MAX_DAYS = 732  # two years and a leap day: beyond that nobody has paid yet


@dataclass(frozen=True)
class Happening:
    """What the calendar does at `at` to one member: `what` is `reminder`, `removal`,
    `ends` (a period ended and another plan keeps them in) or `starts` (a plan paid in
    advance begins); `subscription` None for the removal of a direct joiner who never paid
    (`unscreened.py`); `groups` where it is said or done; `text` what the member reads (a
    reminder) or the removal's reason."""

    at: datetime
    what: str
    subscription: int | None  # None: an unpaid direct joiner's removal (they hold none)
    member_id: int
    name: str
    plan: str
    groups: tuple[str, ...]
    text: str = ""


class _Rollback(Exception):
    """Ends the rehearsal's transaction without keeping anything."""


def rehearse(store: Store, community: Community, playbook: Playbook | None, now: datetime,
             days: int) -> list[Happening]:  # fmt: skip
    """What the membership calendar does for `community`'s current subscriptions from `now`
    over `days` days, in order, as the real jobs would do it (see the module)."""
    from hearthkeeper.assembly import build_registry
    from hearthkeeper.engine.executor import Runtime
    from hearthkeeper.engine.scheduled import run_due

    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"rehearse 1 to {MAX_DAYS} days, not {days}")
    until = now + timedelta(days=days)
    clock = FrozenClock(now)
    found: list[Happening] = []
    with _scratch(store, clock) as scratch:
        try:
            with scratch.transaction() as tx:
                repo = SqlBilling.on(tx)
                if not tx.writers_take_turns:  # PostgreSQL: see the module
                    repo.rehearse_on_copies(community.id)
                live = repo.live_subscriptions(community.id)
                for sub in live:  # as `hearth serve` plans them at start
                    plan_lifecycle(tx, sub, playbook, now)
                if playbook is None:
                    raise _Rollback
                found += _starts(tx, live, playbook, now, until)
                runtime = Runtime(community.id, community.slug, playbook,
                                  build_registry(playbook, inspecting=True))  # fmt: skip
                only = WorkOf(community.id, "billing:")
                while (due := tx.next_due(only)) is not None and due <= until:
                    at = max(due, now)
                    clock.set(at)
                    last = tx.last_outbox_id()
                    ran = run_due(tx, {community.id: runtime}, at, only=only)
                    queued = _queued(tx, tx.outbox_after(last, "billing:"), playbook, at)
                    expired = [int(item.payload["subscription"]) for item, _ in ran
                               if item.effect == BillingExpire.effect]  # fmt: skip
                    removed = {h.subscription for h in queued if h.what == "removal"}
                    found += queued + _ends(tx, [i for i in expired if i not in removed],
                                            playbook, at)  # fmt: skip
                raise _Rollback
        except _Rollback:
            pass
    return sorted(found, key=lambda h: (h.at, h.name, h.what))


@contextmanager
def _scratch(store: Store, clock: FrozenClock) -> Iterator[Store]:
    """The store the rehearsal runs on, with its own clock: a copy of a SQLite database
    (taken consistently, while a server may be writing), else the database itself on a
    connection of its own (`SqlBilling.rehearse_on_copies`)."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite":
        engine = create_engine_for(url.render_as_string(hide_password=False))
        try:
            yield Store(engine, clock)
        finally:
            engine.dispose()
        return
    if not url.database or url.database == ":memory:":
        yield Store(store.engine, clock)
        return
    with tempfile.TemporaryDirectory(prefix="hearth-rehearse-") as folder:
        copy_url = sqlite_url(Path(folder))
        source, target = sqlite3.connect(url.database), sqlite3.connect(copy_url.split("///", 1)[1])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        engine = create_engine_for(copy_url)
        try:
            yield Store(engine, clock)
        finally:
            engine.dispose()


def _starts(tx: Store, live: list[Subscription], playbook: Playbook, now: datetime,
            until: datetime) -> list[Happening]:  # fmt: skip
    """The plans paid in advance that begin in the rehearsed days."""
    found = []
    for sub in live:
        if now < sub.period_start <= until:
            plan = plan_of(playbook, sub.plan_id)
            member = tx.get_member(sub.member_id)
            found.append(Happening(sub.period_start, "starts", sub.id, sub.member_id,
                                   member.display_name if member else f"member {sub.member_id}",
                                   plan.name if plan else sub.plan_id, ()))  # fmt: skip
    return found


def _queued(tx: Store, items: list[OutboxItem], playbook: Playbook,
            at: datetime) -> list[Happening]:  # fmt: skip
    """What the calendar's work queued for the carriers: reminders said and removals, one
    per subscription and kind (with every group it is said or done in)."""
    by: dict[tuple[int, str], Happening] = {}
    repo = SqlBilling.on(tx)
    for item in items:
        kind = item.action.get("kind")
        what = ("reminder" if kind == ActionKind.SEND.value
                else "removal" if kind == ActionKind.KICK.value else None)  # fmt: skip
        number = item.key.split(":")[1]  # billing:<subscription>:remind|kick:…
        if number == "unpaid-join" and what == "removal":  # billing:unpaid-join:<member>:…
            unpaid = _unpaid(tx, item, playbook, at)
            before = by.get((-unpaid.member_id, what))
            by[(-unpaid.member_id, what)] = unpaid if before is None else Happening(
                before.at, what, None, before.member_id, before.name, before.plan,
                (*before.groups, *unpaid.groups), before.text)  # fmt: skip
            continue
        sub = repo.subscription(int(number)) if what and number.isdigit() else None
        if sub is None or what is None:
            continue
        group = tx.get_group(item.group_id) if item.group_id is not None else None
        name = group.name if group is not None else "?"
        text = str(item.action.get("text") or item.action.get("reason") or "")
        before = by.get((sub.id, what))
        if before is not None:
            by[(sub.id, what)] = Happening(before.at, what, sub.id, before.member_id, before.name,
                                           before.plan, (*before.groups, name), before.text)  # fmt: skip
            continue
        plan = plan_of(playbook, sub.plan_id)
        member = tx.get_member(sub.member_id)
        by[(sub.id, what)] = Happening(at, what, sub.id, sub.member_id,
                                       member.display_name if member else f"member {sub.member_id}",
                                       plan.name if plan else sub.plan_id, (name,), text)  # fmt: skip
    return list(by.values())


def _unpaid(tx: Store, item: OutboxItem, playbook: Playbook, at: datetime) -> Happening:
    """The removal of a direct joiner who did not pay by their deadline, in `item`'s group."""
    member_id = int(item.key.split(":")[2])
    member = tx.get_member(member_id)
    group = tx.get_group(item.group_id) if item.group_id is not None else None
    plan = plan_of(playbook, playbook.joining.threshold.plan or "")
    return Happening(at, "removal", None, member_id,
                     member.display_name if member else f"member {member_id}",
                     plan.name if plan else "", (group.name if group is not None else "?",),
                     str(item.action.get("reason") or ""))  # fmt: skip


def _ends(tx: Store, expired: list[int], playbook: Playbook, at: datetime) -> list[Happening]:
    """The expiries that removed nobody: another plan keeps the member in (named), or they
    are in none of the community's groups."""
    repo = SqlBilling.on(tx)
    found = []
    for sub_id in expired:
        sub = repo.subscription(sub_id)
        if sub is None or sub.status is not Status.EXPIRED or sub.ended_at != at:
            continue  # renewed, cancelled or refunded since it was planned: nothing ended
        others = [o for o in repo.subscriptions(sub.community_id, member_id=sub.member_id)
                  if o.id != sub.id and has_access(o, plan_of(playbook, o.plan_id), at)]  # fmt: skip
        plan, member = plan_of(playbook, sub.plan_id), tx.get_member(sub.member_id)
        other = plan_of(playbook, others[0].plan_id) if others else None
        text = (f"stays through their {other.name if other else others[0].plan_id}" if others
                else "in none of the community's groups: nobody to remove")  # fmt: skip
        found.append(Happening(at, "ends", sub.id, sub.member_id,
                               member.display_name if member else f"member {sub.member_id}",
                               plan.name if plan else sub.plan_id, (), text))  # fmt: skip
    return found
