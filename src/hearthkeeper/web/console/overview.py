"""The communities, and each community's overview: live numbers, the latest moderation
decisions and its groups at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hearthkeeper.capabilities.moderation.decisions import recent_decisions
from hearthkeeper.store import Community, Group, LiveNumbers, PlaybookVersion
from hearthkeeper.store.rooms import SqlRooms
from hearthkeeper.text.folding import in_name_order
from hearthkeeper.web.console.pages import CommunityView, ConsoleRoute, Pages, SignedIn
from hearthkeeper.web.templates import render

DECISIONS_SHOWN = 8


@dataclass(frozen=True)
class CommunityLine:
    """A community on the console's first page."""

    community: Community
    groups: int
    members: int
    version: PlaybookVersion | None
    inbox: int


@dataclass(frozen=True)
class GroupLine:
    """A group at a glance: who is in it now, and the link to join it on the web chat."""

    group: Group
    members: int
    messages_today: int
    invite_url: str | None
    # its places promised beyond its members: applications to it waiting for staff, seats a
    # live code holds for a newcomer on the way; live codes and approvals count them as taken
    promised: int = 0
    into: str | None = None  # a closed group: the group its members were sent to, by name

    @property
    def full(self) -> float:
        """How full the group is (0 when it has no capacity)."""
        capacity = self.group.capacity
        return self.members / capacity if capacity else 0.0


def group_lines(pages: Pages, view: CommunityView, now: datetime) -> list[GroupLine]:
    """Every group of the community with its numbers (three queries, and one for each
    carrier's places promised, whatever the count of groups), by name (`name_order`: 2群
    before 10群, however the groups were imported or opened)."""
    store = pages.web.store
    members = store.group_member_counts(view.community.id)
    today = store.group_message_counts(view.community.id, view.start_of_day(now))
    groups = store.list_groups(view.community.id)
    rooms = SqlRooms.on(store)
    promised = {load.group_id: load.held + load.pending + load.lent
                for carrier in sorted({g.carrier for g in groups if not g.closed})
                for load in rooms.loads(view.community.id, carrier, now)}  # fmt: skip
    links = pages.web.invite_urls(groups)  # one read for every group's link
    names = {group.id: group.name for group in groups}
    return [
        GroupLine(
            group,
            members.get(group.id, 0),
            today.get(group.id, 0),
            links.get(group.id),
            promised.get(group.id, 0),
            None if group.closed_into is None else names.get(group.closed_into),
        )
        for group in in_name_order(groups)
    ]


def live_context(pages: Pages, view: CommunityView, now: datetime) -> dict[str, Any]:
    """The numbers of the live panel, counted from the start of the community's day."""
    store = pages.web.store
    numbers: LiveNumbers = store.live_numbers(view.community.id, view.start_of_day(now))
    return {
        "numbers": numbers,
        "members_now": store.members_now(view.community.id),
        "day_start": view.start_of_day(now),
    }


def router(pages: Pages) -> APIRouter:
    """`/console`, `/console/c/{slug}` and its live panel."""
    routes = APIRouter(route_class=ConsoleRoute)
    store = pages.web.store

    @routes.get("/console", response_class=HTMLResponse)
    def communities(request: Request, operator: SignedIn) -> HTMLResponse:
        inbox = store.inbox_counts()
        lines = [
            CommunityLine(
                community=c,
                groups=len(store.list_groups(c.id)),
                members=store.count_members(c.id),
                version=store.latest_playbook_version(c.id),
                inbox=inbox.get(c.id, 0),
            )
            for c in store.list_communities()
        ]
        return render(request, "console/communities.html", operator=operator, lines=lines)

    @routes.get("/console/c/{slug}", response_class=HTMLResponse)
    def overview(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        now = pages.web.clock.now()
        decisions = recent_decisions(store, view.community.id, now - timedelta(days=7), now)
        return render(
            request, "console/overview.html", operator=operator, active="overview",
            lines=group_lines(pages, view, now), decisions=decisions[:DECISIONS_SHOWN],
            **live_context(pages, view, now), **view.context(),
        )  # fmt: skip

    @routes.get("/console/c/{slug}/live", response_class=HTMLResponse)
    def live(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        now = pages.web.clock.now()
        return render(
            request, "console/_live.html", operator=operator,
            **live_context(pages, view, now), **view.context(),
        )  # fmt: skip

    return routes
