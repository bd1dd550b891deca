"""Which events there are, pure: the dated occurrences of the playbook's activities (a
one-off `when`, in the community's time zone, or every firing of a recurring `schedule`),
and which event a member's words name."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthkeeper.capabilities.activities.records import Event, NewEvent
from hearthkeeper.capabilities.calendar.firings import firings_between, iter_firings, to_instant
from hearthkeeper.playbook.business import Activity
from hearthkeeper.playbook.model import Playbook

DEFAULT_CURRENCY = "CNY"  # the playbook's own default (activities[].currency)


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence of a playbook activity."""

    activity: Activity
    starts_at: datetime  # aware UTC

    @property
    def line(self) -> str:
        """How calendars show it: `offline: Night run @ Victoria Park (20 places, 45 CNY)`."""
        a = self.activity
        details = [f"{a.capacity} places" if a.capacity else "",
                   f"{a.price:f} {a.currency}" if a.price else ""]  # fmt: skip
        shown = ", ".join(d for d in details if d)
        return (f"offline: {a.name}" + (f" @ {a.place}" if a.place else "")
                + (f" ({shown})" if shown else ""))  # fmt: skip


def one_off_at(activity: Activity, zone: ZoneInfo) -> datetime | None:
    """A one-off activity's start as an instant (`when` without a zone is local time)."""
    if activity.when is None:
        return None
    if activity.when.tzinfo is not None:
        return activity.when.astimezone(UTC)
    return to_instant(activity.when, zone)


def occurrences(playbook: Playbook, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence of the playbook's activities starting in [start, end), in time order."""
    zone = ZoneInfo(playbook.community.timezone)
    found: list[Occurrence] = []
    for activity in playbook.activities:
        if activity.schedule is not None:
            found += [Occurrence(activity, at)
                      for at in firings_between(activity.schedule, zone, start, end)]  # fmt: skip
        else:
            at = one_off_at(activity, zone)
            if at is not None and start <= at < end:
                found.append(Occurrence(activity, at))
    return sorted(found, key=lambda o: (o.starts_at, o.activity.id))


def staff_events(events: Sequence[Event], start: datetime, end: datetime) -> list[Event]:
    """The events staff made (no playbook activity behind them) starting in [start, end)
    and not cancelled: what a calendar adds to the playbook's occurrences."""
    return [e for e in events if e.activity_id is None and not e.cancelled
            and start <= e.starts_at < end]  # fmt: skip


def next_occurrence(activity: Activity, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The activity's next start at or after `after` (None: a one-off that is past)."""
    if activity.schedule is not None:
        return next(iter_firings(activity.schedule, zone, after), None)
    at = one_off_at(activity, zone)
    return at if at is not None and at >= after else None


def new_event(activity: Activity, starts_at: datetime) -> NewEvent:
    """The event an occurrence becomes."""
    return NewEvent(activity_id=activity.id, title=activity.name, place=activity.place,
                    starts_at=starts_at, capacity=activity.capacity, price=activity.price,
                    currency=activity.currency, sign_up=activity.sign_up,
                    pay_within=activity.pay_within)  # fmt: skip


def pick(events: Sequence[Event], words: str) -> Event | str:
    """The event `words` name among `events` (upcoming, open to sign-up): its number (`3`,
    `#3`), its activity id or part of its title; with no words, the only one. Otherwise why
    not: "none", "which" (several, say which) or "unknown"."""
    # as a full-width keyboard types them too: `＃８`, `ｎｉｇｈｔ－ｒｕｎ` (NFKC: `⑤` is 5)
    text = unicodedata.normalize("NFKC", words).strip().lstrip("#").strip()
    if not events:
        return "none"
    if not text:
        return events[0] if len(events) == 1 else "which"
    if text.isascii() and text.isdigit():
        number = int(text) if len(text) <= 19 else -1  # no id has more digits
        found = next((e for e in events if e.id == number), None)
        return found if found is not None else "unknown"
    lowered = text.casefold()
    by_id = [e for e in events if e.activity_id is not None and e.activity_id.casefold() == lowered]
    if by_id:
        return by_id[0]  # the next occurrence of that activity
    by_title = [e for e in events if lowered in e.title.casefold()]
    if len({e.activity_id or e.id for e in by_title}) == 1:
        return by_title[0]
    return "which" if by_title else "unknown"


def names_one(events: Sequence[Event], activities: Sequence[Activity], words: str) -> bool:
    """Whether `words` name one of `events` or of the playbook's `activities` as `pick` reads
    them (a number, an activity id, part of a title), or are no words: otherwise they name
    nothing the community has and are the member's own (`/报名 <an ad>`)."""
    text = unicodedata.normalize("NFKC", words).strip().lstrip("#").strip()
    if not text:
        return True
    if text.isascii() and text.isdigit():
        return len(text) <= 19 and any(e.id == int(text) for e in events)
    lowered = text.casefold()
    ids = {e.activity_id.casefold() for e in events if e.activity_id is not None}
    ids |= {a.id.casefold() for a in activities}
    titles = [e.title.casefold() for e in events] + [a.name.casefold() for a in activities]
    return lowered in ids or any(lowered in title for title in titles)


def zone_of(playbook: Playbook | None) -> ZoneInfo:
    """The community's time zone (UTC without a usable playbook)."""
    try:
        return ZoneInfo(playbook.community.timezone) if playbook else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def currency_of(playbook: Playbook | None) -> str:
    """The currency an event staff make charges in unless they name one: the community's
    (its first plan's, else its first priced activity's), else CNY."""
    if playbook is None:
        return DEFAULT_CURRENCY
    plans = playbook.monetisation.plans
    priced = [a for a in playbook.activities if a.price]
    return plans[0].currency if plans else priced[0].currency if priced else DEFAULT_CURRENCY
