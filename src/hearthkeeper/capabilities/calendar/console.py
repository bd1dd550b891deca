"""The console's calendar page, `/console/c/{slug}/calendar`: what the playbook will post in
the next days (in the community's time zone) and how the latest firings went (delivered,
queued, skipped, awaiting confirmation)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hearthkeeper.capabilities.activities import catalogue
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.calendar.agenda import Agenda, LibraryReport, build_agenda
from hearthkeeper.capabilities.calendar.posts import applies, find_post
from hearthkeeper.capabilities.calendar.records import PostRecord
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.skips import UNSERVED, unserved
from hearthkeeper.capabilities.format import excerpt
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.groups import group_playbook, is_staff_channel
from hearthkeeper.playbook.output import Order
from hearthkeeper.store import Group, Store
from hearthkeeper.text.counts import NAMES_SHOWN, groups_named
from hearthkeeper.text.folding import name_order
from hearthkeeper.web.console.pages import ConsoleRoute, Pages, SignedIn
from hearthkeeper.web.templates import render

DAYS_AHEAD = 7
FIRINGS_SHOWN = 50
_STATES = {
    "done": "delivered",
    "pending": "queued",
    "sending": "queued",
    "failed": "failed",
    "cancelled": "cancelled",
    "skipped": "not sent (dry run)",
}


@dataclass(frozen=True)
class Upcoming:
    """One firing of the next days."""

    at: datetime
    post: str
    kind: str
    mode: str
    groups: str
    what: str
    skipped: str = ""  # the groups staff called this firing off in, and by whom


@dataclass(frozen=True)
class Fired:
    """A recorded firing (a post at a time) in the groups it went to, and how its delivery
    went there: one line whether it went to one group or to a matrix of hundreds."""

    post: str
    scheduled_for: datetime
    groups: list[str]
    item: str  # the library item or content kind; "" when the groups had different ones
    states: dict[str, int]  # how many groups are at each state
    cancelled: list[tuple[str, str]] = field(default_factory=list)  # (group, who) called it off
    posted_at: datetime | None = None  # the latest posting among them

    @property
    def group(self) -> str:
        """The group's name, or how many groups."""
        return self.groups[0] if len(self.groups) == 1 else f"{len(self.groups)} groups"

    @property
    def state(self) -> str:
        """The state in one group (`delivered`); in several, how many at each
        (`95 delivered, 3 queued`)."""
        if len(self.groups) == 1:
            return next(iter(self.states))
        return ", ".join(f"{n} {state}" for state, n in self.states.items())

    @property
    def state_class(self) -> str:
        """The state of them all when they share one (the page colours it), else `mixed`."""
        return next(iter(self.states)) if len(self.states) == 1 else "mixed"


def upcoming(
    playbook: Playbook, base_dir: Path | None, now: datetime
) -> tuple[list[Upcoming], Agenda]:
    """The next `DAYS_AHEAD` days of the calendar. Library posts show their library (which
    item comes next depends on what was posted already)."""
    agenda = build_agenda(playbook, base_dir or Path("."), now, now + timedelta(days=DAYS_AHEAD))
    libraries = {p.id: p.library for p in playbook.calendar.posts if p.library}
    lines = []
    for firing in agenda.firings:
        library = libraries.get(firing.post) if firing.kind == "post" else None
        what = f"next item of the library {library}" if library else firing.item
        groups = ", ".join(firing.groups) if firing.groups else "every group"
        lines.append(Upcoming(firing.at, firing.post, firing.kind, firing.mode, groups, what))
    return lines, agenda


def with_skips(lines: list[Upcoming], store: Store, community_id: int,
               now: datetime) -> list[Upcoming]:  # fmt: skip
    """The upcoming firings, each marked with the groups where staff skipped it (`/skip`):
    the playbook plans it for them all, but it will not be sent there."""
    groups = {g.id: g.name for g in store.list_groups(community_id)}
    skips: dict[tuple[str, datetime], list[str]] = {}
    for r in SqlPosts.on(store).post_records(community_id, since=now):
        if r.status == "cancelled":
            where = groups.get(r.group_id, f"group {r.group_id}")
            by = f" by {r.cancelled_by}" if r.cancelled_by else ""
            skips.setdefault((r.post_id, r.scheduled_for), []).append(where + by)
    if not skips:
        return lines
    return [replace(u, skipped="; ".join(skips.get((u.post, u.at), ()))) for u in lines]


def _runs(store: Store, community_id: int, playbook: Playbook) -> list[tuple[Group, Playbook]]:
    """The groups scheduled posts can reach (not closed, not an import's history), each with
    the playbook it runs (its `groups:` override applied; the staff channel's, no posts)."""
    return [(g, group_playbook(playbook, g.name, g.carrier_group_id))
            for g in store.list_groups(community_id) if not g.imported and not g.closed]  # fmt: skip


def with_receivers(lines: list[Upcoming], store: Store, community_id: int,
                   playbook: Playbook) -> list[Upcoming]:  # fmt: skip
    """The upcoming posts, each with the groups it goes to as the engine sends it: a
    `groups:` entry's `calendar_posts` gives a group other posts than the post's own `groups`
    say, and the staff channel none, so "every group" is said only when it is so."""
    runs = _runs(store, community_id, playbook)
    members = [g for g, _ in runs if not is_staff_channel(playbook, g.name, g.carrier_group_id)]
    if not members:
        return lines
    gets: dict[str, list[str]] = {}
    for group, runs_here in runs:
        for post in runs_here.calendar.posts:
            if applies(post, group.name):
                gets.setdefault(post.id, []).append(group.name)
    told = []
    for line in lines:
        if line.kind in ("post", "poll"):
            names = gets.get(line.post, [])
            if {g.name for g in members} <= (receiving := set(names)):
                said = "every group"
            elif not names:
                said = f"no group ({line.groups})" if line.groups != "every group" else "no group"
            elif len(names) <= NAMES_SHOWN:
                said = ", ".join(sorted(names, key=name_order))
            elif (
                len(missing := [g.name for g in members if g.name not in receiving]) <= NAMES_SHOWN
            ):
                said = "every group but " + ", ".join(sorted(missing, key=name_order))
            else:
                said = f"{len(names)} of {len(members)} groups"
            line = replace(line, groups=said)
        told.append(line)
    return told


def staff_events(store: Store, community_id: int, now: datetime) -> list[Upcoming]:
    """Offline events staff made (the playbook's are in the agenda) in the next days."""
    events = SqlActivities.on(store).events(community_id)
    found = catalogue.staff_events(events, now, now + timedelta(days=DAYS_AHEAD))
    return [Upcoming(e.starts_at, f"event {e.id}", "event", "auto", "every group",
                     f"offline: {e.title}" + (f" @ {e.place}" if e.place else ""))
            for e in found]  # fmt: skip


ITEM_WORDS = 40  # characters of an inline post's text the Item column shows


def item_of(record: PostRecord, playbook: Playbook | None) -> str:
    """What a firing posted, as the Item column reads it: a library's item, an inline post's
    first words (the playbook's text: the record keeps only its kind, "text"), the
    anniversary's own text, a live session's title; else the content's kind."""
    if record.item_id:
        return record.item_id
    if playbook is not None:
        post = find_post(playbook, record.post_id)
        if post is not None and post.poll is not None:
            return excerpt(f"📊 {post.poll.question}", ITEM_WORDS)
        if post is not None and post.content is not None and post.content.text:
            return excerpt(post.content.text, ITEM_WORDS)
        ritual = playbook.calendar.rituals.anniversary
        if record.post_id == "anniversary" and ritual is not None and ritual.text:
            return excerpt(ritual.text, ITEM_WORDS)
        if record.post_id.startswith("live:"):
            session_id = record.post_id.removeprefix("live:").rpartition(":")[0]
            for session in playbook.calendar.live_sessions:
                if session.id == session_id:
                    return excerpt(session.title, ITEM_WORDS)
    return record.content_kind


def fired(store: Store, community_id: int, limit: int = FIRINGS_SHOWN,
          playbook: Playbook | None = None) -> list[Fired]:  # fmt: skip
    """The latest firings, newest first, each with its groups' delivery states (and, with the
    community's `playbook`, an inline post's first words); only their records are read
    (`latest_firings_since`), however long the calendar has run."""
    posts = SqlPosts.on(store)
    since = posts.latest_firings_since(community_id, limit)
    records = posts.post_records(community_id, since=since)
    delivery = store.outbox_statuses([f"calendar:post:{r.id}" for r in records])
    listed = store.list_groups(community_id)
    groups = {g.id: g.name for g in listed}
    imported = {g.id for g in listed if g.imported}
    firings: dict[tuple[str, datetime], list[tuple[PostRecord, str]]] = {}
    for record in records:
        if record.status in ("posted", "confirmed"):
            outbox = delivery.get(f"calendar:post:{record.id}", "pending")
            state = (f"not sent ({UNSERVED})" if unserved(record, imported, outbox)
                     else _STATES.get(outbox, outbox))  # fmt: skip
        elif record.status == "reminded":
            state = "awaiting confirmation"
        else:
            state = record.status
        firings.setdefault((record.post_id, record.scheduled_for), []).append((record, state))
    found = []

    def named(record: PostRecord) -> str:
        return groups.get(record.group_id, f"group {record.group_id}")

    for (post, at), done in reversed(list(firings.items())[-limit:]):
        done.sort(key=lambda pair: name_order(named(pair[0])))  # 2群 before 10群
        names = [named(r) for r, _ in done]
        items = {item_of(r, playbook) for r, _ in done}
        states = Counter(state for _, state in done)
        cancelled = [(name, r.cancelled_by) for name, (r, _) in zip(names, done, strict=True)
                     if r.cancelled_by]  # fmt: skip
        posted = [r.posted_at for r, _ in done if r.posted_at is not None]
        found.append(Fired(post, at, names, items.pop() if len(items) == 1 else "",
                           dict(states.most_common()), cancelled,
                           max(posted) if posted else None))  # fmt: skip
    return found


@dataclass(frozen=True)
class Left:
    """The groups where a library post has `items` items not posted yet."""

    items: int
    groups: list[str]

    @property
    def where(self) -> str:
        """The group's name, or how many groups with the first few names: a matrix of 100
        groups reads as one line, not a hundred."""
        return groups_named(self.groups)


def items_left(store: Store, community_id: int, playbook: Playbook,
               reports: list[LibraryReport]) -> dict[str, list[Left]]:  # fmt: skip
    """Per `order: next` library post, the items not posted yet in the groups it goes to,
    groups with as many left together, most left first: what the next firings have left
    (`hearth calendar` counts as if none was posted). A group goes by the playbook it runs
    (a `groups:` entry's `calendar_posts`, the staff channel's none); a closed group and one
    an import registered receive no posts, so they are not counted."""
    posts_here = SqlPosts.on(store)
    runs = _runs(store, community_id, playbook)
    left: dict[str, list[Left]] = {}
    for report in reports:
        if report.order is not Order.NEXT or report.library.missing:
            continue
        ids = {item.id for item in report.library.items}
        used = posts_here.posted_items_by_group(community_id, report.post)
        by_count: dict[int, list[str]] = {}
        for group, runs_here in runs:
            post = find_post(runs_here, report.post)
            if post is None or not applies(post, group.name):
                continue
            n = len(ids - used.get(group.id, set()))
            by_count.setdefault(n, []).append(group.name)
        if by_count:
            left[report.post] = [Left(n, names) for n, names in sorted(by_count.items(),
                                                                      reverse=True)]  # fmt: skip
    return left


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/calendar`."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    @routes.get("/console/c/{slug}/calendar", response_class=HTMLResponse)
    def calendar(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        now = web.clock.now()
        lines: list[Upcoming] = []
        libraries: list[LibraryReport] = []
        left: dict[str, list[Left]] = {}
        if view.playbook is not None:
            try:
                base_dir: Path | None = web.playbooks.base_dir(view.community.id)
            except ValueError:  # not run by this server: its content folders are elsewhere
                base_dir = None
            lines, agenda = upcoming(view.playbook, base_dir, now)
            lines = with_receivers(lines, web.store, view.community.id, view.playbook)
            lines = with_skips(lines, web.store, view.community.id, now)
            libraries = agenda.libraries if base_dir is not None else []
            left = items_left(web.store, view.community.id, view.playbook, libraries)
        lines = sorted(lines + staff_events(web.store, view.community.id, now), key=lambda u: u.at)
        return render(
            request, "console/calendar.html", operator=operator, active="calendar",
            upcoming=lines, libraries=libraries, left=left, days=DAYS_AHEAD,
            has_playbook=view.playbook is not None,
            fired=fired(web.store, view.community.id, playbook=view.playbook), **view.context(),
        )  # fmt: skip

    return routes
