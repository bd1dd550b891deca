"""Events a new playbook version leaves behind: an occurrence made an event before the change
keeps its time (`docs/activities.md`), so when the change moves it (a one-off's `when`, a
`schedule`, `community.timezone`) or removes its activity, members list the old event beside
the new one. Said when the version is applied, with how to cancel the old one."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.activities.catalogue import one_off_at
from hearthkeeper.capabilities.activities.records import LIVE, Event
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.calendar.firings import firings_between
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.business import Activity
from hearthkeeper.store.scope import StoreBase

SHOWN = 10  # events named one by one; the rest counted


def left_behind(scope: StoreBase, community_id: int, playbook: Playbook,
                now: datetime) -> list[str]:  # fmt: skip
    """A warning per scheduled event still ahead of `now` that was made from an activity of
    the playbook before `playbook`, and is no occurrence of that activity in `playbook`."""
    repo = SqlActivities.on(scope)
    zone = ZoneInfo(playbook.community.timezone)
    activities = {a.id: a for a in playbook.activities}
    stranded = [
        event
        for event in repo.events(community_id, after=now)
        if not event.cancelled
        and event.activity_id is not None
        and not _occurs(activities.get(event.activity_id), event, zone)
    ]
    said = [_said(repo, event, activities.get(event.activity_id or ""), zone)
            for event in stranded[:SHOWN]]  # fmt: skip
    if len(stranded) > SHOWN:
        said.append(f"and {len(stranded) - SHOWN} more such events: `hearth events list`")
    return said


def _occurs(activity: Activity | None, event: Event, zone: ZoneInfo) -> bool:
    if activity is None:
        return False
    if activity.schedule is None:
        return one_off_at(activity, zone) == event.starts_at
    at = event.starts_at
    return at in firings_between(activity.schedule, zone, at, at + timedelta(minutes=1))


def _said(repo: SqlActivities, event: Event, activity: Activity | None, zone: ZoneInfo) -> str:
    held = sum(1 for s in repo.signups(event.id) if s.status in LIVE)
    signed = {0: "", 1: " and its 1 sign-up"}.get(held, f" and its {held} sign-ups")
    where = f"activities[id={event.activity_id}]"
    change = (f"{where} is no longer in the playbook" if activity is None
              else f"{where} no longer starts then, and members will see it at its new time "
                   "beside this one")  # fmt: skip
    return (f"event {event.id} ({event.title}, {event.starts_at.astimezone(zone):%Y-%m-%d %H:%M} "
            f"{zone.key}) was made before this change and keeps its time{signed}; {change}. "
            f"If it is not to happen then, cancel it: hearth events cancel {event.id} (members "
            "signed up are told)")  # fmt: skip
