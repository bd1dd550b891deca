"""The agenda: what a playbook's calendar posts in a window, and how long its content lasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.activities.catalogue import occurrences
from hearthkeeper.capabilities.calendar.coverage import Coverage, coverage
from hearthkeeper.capabilities.calendar.firings import (
    anniversary_firings,
    firings_between,
    session_moments,
    to_instant,
)
from hearthkeeper.capabilities.calendar.library import (
    ContentLibrary,
    load_library,
    next_item,
    with_tags,
)
from hearthkeeper.playbook.base import format_duration
from hearthkeeper.playbook.model import Playbook
from hearthkeeper.playbook.output import ContentKind, LiveSession, Order, ScheduledPost

DEFAULT_ANNIVERSARY = {
    "zh-CN": "今天是{community}的第 {months} 个月生日🎂",
    "en": "{community} is {months} months old today.",
}
_EXCERPT = 60


@dataclass(frozen=True)
class Firing:
    """One thing the calendar posts: when, from which series, to which groups, with what."""

    at: datetime  # aware UTC
    post: str  # id of the post or live session, "anniversary", "check_in", a title
    kind: str  # post, poll, anniversary, live-reminder, live-start, live-digest, event,
    # daily-summary (of check-ins), title-reminder
    mode: str  # auto or remind
    groups: tuple[str, ...]  # empty: every group of the community
    item: str  # what would be posted: a text excerpt or the library item's title
    content_kind: ContentKind = ContentKind.TEXT
    item_id: str | None = None  # the library item, for `next`/`rotation` bookkeeping


@dataclass(frozen=True)
class LibraryReport:
    """A library post's content: the loaded folder and its coverage (None: nothing to cover)."""

    post: str
    library: ContentLibrary
    order: Order
    coverage: Coverage | None


@dataclass(frozen=True)
class Agenda:
    """Firings in time order, and one report per library post."""

    firings: list[Firing]
    libraries: list[LibraryReport]


def excerpt(text: str) -> str:
    """The first line of a text, shortened for one line of output."""
    line = " ".join(text.split())
    return line if len(line) <= _EXCERPT else line[: _EXCERPT - 1] + "…"


def build_agenda(playbook: Playbook, base_dir: Path, start: datetime, end: datetime) -> Agenda:
    """Everything the calendar fires in [start, end); libraries are relative to `base_dir`."""
    zone = ZoneInfo(playbook.community.timezone)
    firings: list[Firing] = []
    reports: list[LibraryReport] = []
    for post in playbook.calendar.posts:
        times = firings_between(post.schedule, zone, start, end)
        if post.poll is not None:
            text = excerpt(f"📊 {post.poll.question}")
            firings += [Firing(at, post.id, "poll", post.mode.value, tuple(post.groups), text)
                        for at in times]  # fmt: skip
            continue
        content = post.body
        if content.library is None:
            text = excerpt(content.text or "")
            firings += [_post(post, at, text, content.kind) for at in times]
            continue
        library = load_library(base_dir / content.library)
        items = with_tags(library.items, content.tags)
        posted: list[str] = []
        for at in times:
            item = next_item(items, posted, content.order)
            if item is None:
                note = "(no content left)" if not library.missing else "(content folder not found)"
                firings.append(_post(post, at, note, content.kind))
                continue
            posted.append(item.id)
            firings.append(_post(post, at, item.title, item.kind, item.id))
        cover = None
        if not library.missing:
            cover = coverage(items, [], content.order, post.schedule, zone, start)
        reports.append(LibraryReport(post.id, library, content.order, cover))
    firings += _anniversaries(playbook, zone, start, end)
    for session in playbook.calendar.live_sessions:
        firings += _session(session, zone, start, end)
    firings += [Firing(o.starts_at, o.activity.id, "event", "auto", (), excerpt(o.line))
                for o in occurrences(playbook, start, end)]  # fmt: skip
    firings += _check_in_summaries(playbook, zone, start, end)
    firings += _title_reminders(playbook, zone, start, end)
    firings.sort(key=lambda f: (f.at, f.post))
    return Agenda(firings=firings, libraries=reports)


def _post(
    post: ScheduledPost, at: datetime, item: str, kind: ContentKind, item_id: str | None = None
) -> Firing:
    return Firing(at, post.id, "post", post.mode.value, tuple(post.groups), item, kind, item_id)


def _anniversaries(
    playbook: Playbook, zone: ZoneInfo, start: datetime, end: datetime
) -> list[Firing]:
    ritual = playbook.calendar.rituals.anniversary
    if ritual is None:
        return []
    community = playbook.community
    template = ritual.text or DEFAULT_ANNIVERSARY.get(
        community.language.value, DEFAULT_ANNIVERSARY["en"]
    )
    out = []
    for firing in anniversary_firings(ritual, community.founded, zone, start, end):
        months = "N" if firing.months is None else str(firing.months)
        text = template.format(months=months, community=community.name)
        out.append(Firing(firing.at, "anniversary", "anniversary", "auto", (), excerpt(text)))
    return out


CHECK_IN_SUMMARY = "check_in"  # as the playbook names it: mechanisms.check_in
SUMMARY_SAID = "the day's check-ins and longest streaks (where someone checked in)"


def _check_in_summaries(
    playbook: Playbook, zone: ZoneInfo, start: datetime, end: datetime
) -> list[Firing]:
    """The daily check-in summary (`mechanisms.check_in.daily_summary`), every day at its
    time in every group where someone checked in that day (the engine posts none elsewhere)."""
    check_in = playbook.mechanisms.check_in
    at = check_in.daily_summary
    if not check_in.enabled or at is None:
        return []
    out = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while (instant := to_instant(datetime.combine(day, at), zone)) < end:
        if instant >= start:
            out.append(Firing(instant, CHECK_IN_SUMMARY, "daily-summary", "auto", (),
                              SUMMARY_SAID))  # fmt: skip
        day += timedelta(days=1)
    return out


def _title_reminders(
    playbook: Playbook, zone: ZoneInfo, start: datetime, end: datetime
) -> list[Firing]:
    """Each title's duty reminder (`mechanisms.titles[].reminder`), @-mentioning its holders
    in every group where someone holds it (the engine reminds no group without a holder)."""
    out = []
    for title in playbook.mechanisms.titles:
        if title.reminder is None:
            continue
        said = excerpt(f"@{title.name} holders (where it is held): {title.duty or 'their duty'}")
        out += [Firing(at, title.name, "title-reminder", "auto", (), said)
                for at in firings_between(title.reminder, zone, start, end)]  # fmt: skip
    return out


def _session(session: LiveSession, zone: ZoneInfo, start: datetime, end: datetime) -> list[Firing]:
    out = []
    for moment in session_moments(session, zone, start, end):
        if moment.moment == "reminder" and moment.before is not None:
            what = f"in {format_duration(moment.before)}: {session.title} ({session.speaker})"
        elif moment.moment == "start":
            what = f"starting now: {session.title} ({session.speaker})"
        else:
            what = f"digest: {session.title}"
        kind = f"live-{moment.moment}"
        out.append(
            Firing(moment.at, session.id, kind, "auto", tuple(session.groups), excerpt(what))
        )
    return out
