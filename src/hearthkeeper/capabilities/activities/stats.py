"""Attendance figures: per event and per activity, who had a place, who came, the
attendance and no-show rates, and the feedback round's replies (messages and pictures in
the groups that got the round, in the `FEEDBACK_WINDOW` after it). Read by the console,
`hearth events list`, the report and the segments ("met offline")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from hearthkeeper.capabilities.activities import decide as d
from hearthkeeper.capabilities.activities.records import Event, SignUp, Status
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.store.models import MessageRow
from hearthkeeper.store.records import MessageKind
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True)
class EventFigures:
    """One event's sign-ups and attendance (rates once it started)."""

    event: Event
    confirmed: int  # holding a place, paid where priced
    unpaid: int
    waitlisted: int
    attendance: d.Rates | None  # None: its door is not open yet
    feedback: int = 0  # messages in the round's window
    photos: int = 0  # pictures among them
    lapsed: int = 0  # places held unpaid past the payment window, let go
    signups: tuple[SignUp, ...] = ()  # in queue order, cancelled ones too: who staff expect

    @property
    def listed(self) -> list[tuple[SignUp, str]]:
        """Each sign-up with its state as staff read it (the waitlist with its position)."""
        out, waiting = [], 0
        for signup in self.signups:
            state = signup.status.value
            if signup.status is Status.WAITLISTED:
                waiting += 1
                state = f"waitlisted #{waiting}"
            elif signup.order_id is not None and self.event.priced:
                state += f", paid (order {signup.order_id})"
            if signup.attended_at is not None:
                state += ", came"
            out.append((signup, state))
        return out


@dataclass(frozen=True)
class ActivityFigures:
    """An activity's events that took place, together."""

    activity_id: str
    title: str
    events: int
    attendance: d.Rates


def event_figures(scope: StoreBase, community_id: int, now: datetime) -> list[EventFigures]:
    """Every event of the community, earliest first, with its figures."""
    repo = SqlActivities.on(scope)
    by_event: dict[int, list[SignUp]] = defaultdict(list)
    for signup in repo.all_signups(community_id):
        by_event[signup.event_id].append(signup)
    found = []
    for event in repo.events(community_id):
        signups = by_event.get(event.id, [])
        started = now >= event.starts_at - d.DOOR_OPENS and not event.cancelled  # door open
        feedback, photos = _feedback(scope, event, signups, now) if started else (0, 0)
        found.append(EventFigures(
            event, sum(1 for s in signups if s.status is Status.CONFIRMED),
            sum(1 for s in signups if s.status is Status.UNPAID),
            sum(1 for s in signups if s.status is Status.WAITLISTED),
            d.rates(signups, started=now >= event.starts_at) if started else None, feedback,
            photos,
            sum(1 for s in signups if s.status is Status.LAPSED), tuple(signups),
        ))  # fmt: skip
    return found


def activity_figures(events: Collection[EventFigures]) -> list[ActivityFigures]:
    """Per playbook activity (staff-made events are their own), over events that started
    (one whose door is open but that has not begun has no no-shows yet)."""
    groups: dict[str, list[EventFigures]] = defaultdict(list)
    for figures in events:
        if figures.attendance is not None and figures.attendance.started:
            key = figures.event.activity_id or f"event {figures.event.id}"
            groups[key].append(figures)
    out = []
    for key, found in groups.items():
        confirmed = sum(f.attendance.confirmed for f in found if f.attendance)
        attended = sum(f.attendance.attended for f in found if f.attendance)
        out.append(ActivityFigures(key, found[-1].event.title, len(found),
                                   d.Rates(confirmed, attended)))  # fmt: skip
    return out


def met_offline(scope: StoreBase, community_id: int) -> set[int]:
    """Members who came in at the door of one of the community's events."""
    return SqlActivities.on(scope).attendees(community_id)


def attendance_json(events: Collection[EventFigures]) -> dict[str, Any]:
    """The report's `attendance` object (docs/metrics.md)."""
    return {
        "events": [_event_json(f) for f in events if f.attendance is not None],
        "activities": [
            {"activity": a.activity_id, "title": a.title, "events": a.events,
             **_rates_json(a.attendance)}
            for a in activity_figures(events)
        ],
    }  # fmt: skip


def _event_json(f: EventFigures) -> dict[str, Any]:
    assert f.attendance is not None
    return {"id": f.event.id, "activity": f.event.activity_id, "title": f.event.title,
            "starts_at": f.event.starts_at.isoformat(), **_rates_json(f.attendance),
            "waitlisted": f.waitlisted, "lapsed": f.lapsed, "feedback": f.feedback,
            "photos": f.photos}  # fmt: skip


def _rates_json(rates: d.Rates) -> dict[str, Any]:
    return {"confirmed": rates.confirmed, "attended": rates.attended,
            "no_shows": rates.no_shows, "attendance_rate": rates.attendance_rate,
            "no_show_rate": rates.no_show_rate}  # fmt: skip


def _feedback(scope: StoreBase, event: Event, signups: list[SignUp],
              now: datetime) -> tuple[int, int]:  # fmt: skip
    """Messages (and pictures) in the groups that got the round, in its window."""
    start = event.starts_at + d.ROUND_AFTER
    groups = sorted({s.group_id for s in signups if s.attended_at is not None})
    if now < start or not groups:
        return 0, 0
    query = (
        select(MessageRow.kind, func.count())
        .where(MessageRow.group_id.in_(groups), MessageRow.member_id.is_not(None),
               MessageRow.deleted_at.is_(None), MessageRow.sent_at >= start, MessageRow.sent_at < start + d.FEEDBACK_WINDOW)
        .group_by(MessageRow.kind)
    )  # fmt: skip
    with scope.engine.connect() as connection:
        counts = {kind: int(n) for kind, n in connection.execute(query)}
    return sum(counts.values()), counts.get(MessageKind.PICTURE.value, 0)
