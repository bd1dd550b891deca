"""The community's groups: who is in each, today's messages, the web chat invite links, and
opening another web chat group named by the playbook."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.carriers.webchat.groups import add_webchat_group
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Group, Store, StoreError
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

_ATTEMPTS = 50  # numbers tried when the next ones are taken by groups renamed by hand


def open_webchat_group(
    store: Store, view: CommunityView, playbook: Playbook, carrier: str
) -> Group:
    """The community's next web chat group: named by `replication.naming` with the next
    free number, as large as `structure.groups.capacity`."""
    groups = store.list_groups(view.community.id)
    names = {g.name for g in groups}
    n = sum(1 for g in groups if g.carrier == carrier) + 1
    for number in range(n, n + _ATTEMPTS):
        name = playbook.replication.naming.format(name=playbook.community.name, n=number)
        if name in names:
            continue
        try:
            return add_webchat_group(store, view.community.id, playbook, number, carrier=carrier)
        except StoreError:  # that carrier id is taken: try the next number
            continue
    raise StoreError(
        f"could not find a free group number between {n} and {n + _ATTEMPTS - 1} for "
        f"{view.community.name}; rename some groups or change replication.naming"
    )


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
        by = f"console:{operator.username}"
        with web.store.transaction() as tx:
            group = open_webchat_group(tx, view, view.playbook, web.webchat.name)
            tx.audit(by, "group.open", view.community.id, target=f"group {group.id}",
                     detail={"name": group.name, "carrier": group.carrier,
                             "capacity": group.capacity})  # fmt: skip
        web.webchat.invite_code(group.id)
        response: RedirectResponse = back_to(view, None, "/groups", notice="group-opened")
        return response

    return routes
