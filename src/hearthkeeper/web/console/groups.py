"""The community's groups: who is in each, today's messages, the invite links of groups this
server hosts, and opening another such group (on the first carrier that hosts its groups, the
built-in web chat) named by the playbook."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.overview import group_lines
from hearthkeeper.web.console.pages import (
    ConsoleRoute,
    Pages,
    SignedIn,
    back_to,
    messages_from,
)
from hearthkeeper.web.templates import render


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/groups` and opening a group."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    @routes.get("/console/c/{slug}/groups", response_class=HTMLResponse)
    def groups(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        lines = group_lines(pages, view, web.clock.now())
        return render(request, "console/groups.html", operator=operator, active="groups",
                      lines=lines, can_open=view.playbook is not None,
                      **messages_from(request), **view.context())  # fmt: skip

    @routes.post("/console/c/{slug}/groups", dependencies=[Depends(require_csrf)])
    def open_group(request: Request, slug: str, operator: SignedIn) -> Response:
        view = pages.community(slug)
        if view.playbook is None:
            return render(request, "console/groups.html", status_code=409, operator=operator,
                          active="groups", lines=group_lines(pages, view, web.clock.now()),
                          can_open=False, problem="This community has no playbook to name "
                          "the group after; apply one first.", **view.context())  # fmt: skip
        hosted = web.hosting()
        if hosted is None:
            return render(request, "console/groups.html", status_code=409, operator=operator,
                          active="groups", lines=group_lines(pages, view, web.clock.now()),
                          can_open=False, problem="No carrier of this server hosts groups "
                          "it could open.", **view.context())  # fmt: skip
        by = f"console:{operator.username}"
        with web.store.transaction() as tx:
            group = hosted.open_group(tx, view.community.id, view.playbook)
            tx.audit(by, "group.open", view.community.id, target=f"group {group.id}",
                     detail={"name": group.name, "carrier": group.carrier,
                             "capacity": group.capacity})  # fmt: skip
        hosted.invite_path(group.id)  # the link exists before the page shows it
        response: RedirectResponse = back_to(view, None, "/groups", notice="group-opened")
        return response

    return routes
