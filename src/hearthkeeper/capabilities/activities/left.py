"""Events a new playbook version leaves behind: an occurrence made an event before the change
keeps its time and its settings (`docs/activities.md`), so when the change moves it (a
one-off's `when`, a `schedule`, `community.timezone`) or removes its activity, members list
the old event beside the new one; when it changes the activity's name, place, places, fee,
payment window or sign-up, the event made goes on with the old ones (a capacity raised frees
no place for those waiting). Said when the version is applied, with what to do."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.activities.catalogue import new_event, one_off_at
from hearthkeeper.capabilities.activities.records import LIVE, Event
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.calendar.firings import firings_between
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.base import format_duration
from hearthkeeper.playbook.business import Activity
from hearthkeeper.store.scope import StoreBase

SHOWN = 10  # events named one by one; the rest counted


def left_behind(scope: StoreBase, community_id: int, playbook: Playbook,
                now: datetime) -> list[str]:  # fmt: skip
    """A warning per scheduled event still ahead of `now` that was made from an activity of
    the playbook before `playbook`, and is no occurrence of that activity in `playbook`, or
    is one whose settings the activity now gives otherwise."""
    repo = SqlActivities.on(scope)
    zone = ZoneInfo(playbook.community.timezone)
    activities = {a.id: a for a in playbook.activities}
    stranded: list[tuple[Event, list[str]]] = []
    for event in repo.events(community_id, after=now):
        if event.cancelled or event.activity_id is None:
            continue
        activity = activities.get(event.activity_id)
        if not _occurs(activity, event, zone):
            stranded.append((event, []))
        elif activity is not None and (kept := _kept(event, activity)):
            stranded.append((event, kept))
    said = [_said(repo, event, activities.get(event.activity_id or ""), zone, kept)
            for event, kept in stranded[:SHOWN]]  # fmt: skip
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


def _kept(event: Event, activity: Activity) -> list[str]:
    """The settings `event` keeps that `activity` now gives otherwise, each with the new one:
    `its 3 places (activities[id=salon].capacity is now 5)`."""
    now = new_event(activity, event.starts_at)
    where = f"activities[id={activity.id}]"
    kept: list[str] = []
    if event.title != now.title:
        kept.append(f"its name '{event.title}' ({where}.name is now '{now.title}')")
    if event.place != now.place:
        kept.append(f"its place {_text(event.place)} ({where}.place is now {_text(now.place)})")
    if event.capacity != now.capacity:
        kept.append(f"its {_places(event.capacity)} ({where}.capacity is now "
                    f"{_places(now.capacity)})")  # fmt: skip
    fee, new_fee = _fee(event.price, event.currency), _fee(now.price, now.currency)
    if fee != new_fee:
        kept.append(f"its fee, {fee} ({where}.price is now {new_fee})")
    elif event.priced and event.pay_within != now.pay_within:
        kept.append(f"its payment window, {_window(event.pay_within)} ({where}.pay_within is "
                    f"now {_window(now.pay_within)})")  # fmt: skip
    if event.sign_up != now.sign_up:
        kept.append("its sign-up " + ("open" if event.sign_up else "closed")
                    + f" ({where}.sign_up is now {str(now.sign_up).lower()})")  # fmt: skip
    return kept


def _text(value: str | None) -> str:
    return "none" if value is None else f"'{value}'"


def _places(capacity: int | None) -> str:
    if capacity is None:
        return "unlimited places"
    return "1 place" if capacity == 1 else f"{capacity} places"


def _fee(price: Decimal | None, currency: str) -> str:
    return "free" if price is None or price <= 0 else f"{price:f} {currency}"


def _window(window: timedelta | None) -> str:
    return "until paid" if window is None else format_duration(window)


def _said(repo: SqlActivities, event: Event, activity: Activity | None, zone: ZoneInfo,
          kept: list[str]) -> str:  # fmt: skip
    held = sum(1 for s in repo.signups(event.id) if s.status in LIVE)
    signed = {0: "", 1: " and its 1 sign-up"}.get(held, f" and its {held} sign-ups")
    where = f"activities[id={event.activity_id}]"
    named = (f"event {event.id} ({event.title}, {event.starts_at.astimezone(zone):%Y-%m-%d %H:%M} "
             f"{zone.key}) was made before this change and keeps")  # fmt: skip
    if kept:
        members = {0: "", 1: " It has 1 sign-up."}.get(held, f" It has {held} sign-ups.")
        return (f"{named} {_joined(kept)}.{members} An event already made keeps its settings; "
                "only occurrences not yet made take the new ones. To run it with the new ones, "
                f"cancel it (hearth events cancel {event.id}: members signed up are told) and "
                "make it again with hearth events create or the console's Events page, where "
                "members sign up anew")  # fmt: skip
    change = (f"{where} is no longer in the playbook" if activity is None
              else f"{where} no longer starts then, and members will see it at its new time "
                   "beside this one")  # fmt: skip
    return (f"{named} its time{signed}; {change}. "
            f"If it is not to happen then, cancel it: hearth events cancel {event.id} (members "
            "signed up are told)")  # fmt: skip


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
