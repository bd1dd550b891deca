"""The agenda: what a playbook's calendar posts in a window, and how long its content lasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.activities.catalogue import occurrences
from hearthkeeper.capabilities.calendar.coverage import Coverage, coverage
from hearthkeeper.capabilities.calendar.firings import (
    anniversary_firings,
    firings_between,
    session_moments,
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
    post: str  # id of the scheduled post or live session, or "anniversary"
    kind: str  # post, anniversary, live-reminder, live-start, live-digest
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
        if post.content.library is None:
            text = excerpt(post.content.text or "")
            firings += [_post(post, at, text, post.content.kind) for at in times]
            continue
        library = load_library(base_dir / post.content.library)
        items = with_tags(library.items, post.content.tags)
        posted: list[str] = []
        for at in times:
            item = next_item(items, posted, post.content.order)
            if item is None:
                note = "(no content left)" if not library.missing else "(content folder not found)"
                firings.append(_post(post, at, note, post.content.kind))
                continue
            posted.append(item.id)
            firings.append(_post(post, at, item.title, item.kind, item.id))
        cover = None
        if not library.missing:
            cover = coverage(items, [], post.content.order, post.schedule, zone, start)
        reports.append(LibraryReport(post.id, library, post.content.order, cover))
    firings += _anniversaries(playbook, zone, start, end)
    for session in playbook.calendar.live_sessions:
        firings += _session(session, zone, start, end)
    firings += [Firing(o.starts_at, o.activity.id, "event", "auto", (), excerpt(o.line))
                for o in occurrences(playbook, start, end)]  # fmt: skip
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
