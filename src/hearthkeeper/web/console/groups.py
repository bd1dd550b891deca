"""The community's groups: who is in each, today's messages, the invite links of groups this
server hosts, and opening another such group (on the first carrier that hosts its groups, the
built-in web chat) named by the playbook."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.carriers.opening import open_by_hand
from hearthkeeper.store import Operator, Store, StoreError
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.overview import group_lines
from hearthkeeper.web.console.pages import (
    CommunityView,
    ConsoleRoute,
    Pages,
    SignedIn,
    back_to,
    messages_from,
)
from hearthkeeper.web.templates import render

OPEN_AT_ONCE: Final = 100  # groups one form opens (`hearth groups open --count` for more)


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/groups` and opening a group."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    def page(request: Request, view: CommunityView, operator: Operator, *, status: int = 200,
             problem: str = "", can_open: bool = True) -> HTMLResponse:  # fmt: skip
        """The groups page; its open form carries the newest group it shows (`seen`)."""
        lines = group_lines(pages, view, web.clock.now())
        found = messages_from(request)
        if problem:
            found["problem"] = problem
        return render(request, "console/groups.html", status_code=status, operator=operator,
                      active="groups", lines=lines, seen=newest(web.store, view.community.id),
                      can_open=can_open and view.playbook is not None,
                      open_at_once=OPEN_AT_ONCE, **found,
                      **view.context())  # fmt: skip

    @routes.get("/console/c/{slug}/groups", response_class=HTMLResponse)
    def groups(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        return page(request, pages.community(slug), operator)

    @routes.post("/console/c/{slug}/groups", dependencies=[Depends(require_csrf)])
    def open_group(request: Request, slug: str, operator: SignedIn,
                   seen: Annotated[str, Form(max_length=20)] = "",
                   count: Annotated[int, Form(ge=1, le=OPEN_AT_ONCE)] = 1) -> Response:  # fmt: skip
        view = pages.community(slug)
        if view.playbook is None:
            return page(request, view, operator, status=409, can_open=False,
                        problem="This community has no playbook to name the group after; "
                        "apply one first.")  # fmt: skip
        hosted = web.hosting()
        if hosted is None:
            return page(request, view, operator, status=409, can_open=False,
                        problem="No carrier of this server hosts groups it could open.")  # fmt: skip
        by = f"console:{operator.username}"
        try:
            with web.store.transaction() as tx:
                # One opening at a time per community; a form whose page showed an older
                # newest group (a second click, a resent form) opens nothing more.
                tx.lock_community(view.community.id)
                if seen.strip() and seen.strip() != str(newest(tx, view.community.id)):
                    return back_to(view, None, "/groups", problem="group-opened-already")
                # `count` at once, all or none (the CLI's `--count` keeps each it opened)
                opened = [open_by_hand(tx, view.community.id, view.playbook, hosted, by)
                          for _ in range(count)]  # fmt: skip
        except StoreError as exc:
            return page(request, view, operator, status=409,
                        problem=f"No group was opened: {exc}.")  # fmt: skip
        for group in opened:
            hosted.invite_path(group.id)  # the link exists before the page shows it
        said = "group-opened" if count == 1 else "groups-opened"
        response: RedirectResponse = back_to(view, None, "/groups", notice=said)
        return response

    return routes


def newest(store: Store, community_id: int) -> int:
    """The id of the community's newest group (0: none), which the open form carries: a
    form sent again after a group was opened is told so instead of opening another."""
    return max((g.id for g in store.list_groups(community_id)), default=0)
