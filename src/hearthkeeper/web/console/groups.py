"""The community's groups: who is in each, today's messages, the invite links of groups this
server hosts, and opening another such group (on the first carrier that hosts its groups, the
built-in web chat) named by the playbook; closing a group or reopening it
(`carriers/closing.py`, as `hearth groups close` and `reopen`); on hundreds of groups, found by
what their name or carrier id holds (`?q=`, the matrix's search)."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.capabilities.grid.decide import MAX_FIND, holds
from hearthkeeper.carriers.closing import close_group, refused_closes, reopen_group
from hearthkeeper.carriers.opening import open_by_hand
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.suggest import did_you_mean
from hearthkeeper.store import Group, Operator, Store, StoreError
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.overview import group_lines
from hearthkeeper.web.console.pages import (
    CommunityView,
    ConsoleRoute,
    Pages,
    SignedIn,
    asked_again,
    back_to,
    messages_from,
)
from hearthkeeper.web.templates import render

OPEN_AT_ONCE: Final = 100  # groups one form opens (`hearth groups open --count` for more)


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/groups`, opening a group, closing or reopening one."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    def page(request: Request, view: CommunityView, operator: Operator, *, status: int = 200,
             problem: str = "", can_open: bool = True) -> HTMLResponse:  # fmt: skip
        """The groups page; its open form carries the newest group it shows (`seen`)."""
        every = group_lines(pages, view, web.clock.now())
        find = request.query_params.get("q", "").strip()[:MAX_FIND]
        lines = [line for line in every
                 if holds(find, line.group.name, line.group.carrier_group_id)]  # fmt: skip
        found = messages_from(request)
        if problem:
            found["problem"] = problem
        refused = refused_closes(
            web.store,
            view.community.id,
            [(x.group.id, x.group.carrier) for x in lines if x.group.closed],
        )
        return render(request, "console/groups.html", status_code=status, operator=operator,
                      active="groups", lines=lines, every=every, find=find, refused=refused,
                      seen=newest(web.store, view.community.id),
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

    @routes.post("/console/c/{slug}/groups/close", dependencies=[Depends(require_csrf)])
    def close_or_reopen(request: Request, slug: str, operator: SignedIn,
                        group: Annotated[str, Form(max_length=200)] = "",
                        into: Annotated[str, Form(max_length=200)] = "",
                        reopen: Annotated[str, Form(max_length=10)] = "",
                        group_id: Annotated[int | None, Form()] = None,
                        back: Annotated[str, Form(max_length=200)] = "") -> Response:  # fmt: skip
        """Close a group (`hearth groups close GROUP --into OTHER`), or reopen it; the Matrix
        page's buttons name it by `group_id` and come `back` to the Matrix page."""
        view = pages.community(slug)
        if group_id is not None:
            found, problem = by_id(web.store, view.community.id, group_id)
        else:
            found, problem = called(web.store, view.community.id, group)
        other = None
        if found is not None and into.strip() and not reopen:
            other, problem = called(web.store, view.community.id, into)
        if found is None or problem:
            return page(request, view, operator, status=404, problem=problem)
        by = f"console:{operator.username}"
        language = view.playbook.community.language if view.playbook else Language.EN
        matrix = back == view.path + "/matrix"  # the Matrix page reads what was done as `done`
        again = short = False
        try:
            if reopen:
                reopen_group(web.store, found, by, language)
            else:
                closed = close_group(web.store, found, by, web.clock.now(), into=other,
                                     site=web.settings.public_url, language=language)  # fmt: skip
                again, short = closed.again, closed.short > 0
        except StoreError as exc:
            problem = refusal(web.store, found, exc, reopen=bool(reopen))
            if matrix:  # refused from the Matrix page (a second click): said there
                return matrix_page(pages, request, view, operator, problem)
            return page(request, view, operator, status=409, problem=problem)
        said = "group-reopened" if reopen else "group-closed-short" if short else "group-closed"
        if again:  # closed already, its platform's last close refused: asked again
            said = asked_again(found.carrier)
        if matrix:
            return back_to(view, back, "/groups", done=said)
        return back_to(view, None, "/groups", notice=said)

    return routes


def by_id(store: Store, community_id: int, group_id: int) -> tuple[Group | None, str]:
    """The community's group `group_id`, else why not (an id beyond any row too: SQLite
    cannot look it up)."""
    found = store.get_group(group_id) if 1 <= group_id <= MAX_ID else None
    if found is None or found.community_id != community_id:
        return None, f"There is no group {group_id} in this community."
    return found, ""


def called(store: Store, community_id: int, name: str) -> tuple[Group | None, str]:
    """The community's group named `name` (its name or carrier id), else why not, naming the
    nearest name."""
    found = store.groups_called(community_id, name.strip())
    if found:
        return found[0], ""
    names = [g.name for g in store.list_groups(community_id)]
    return None, f"There is no group {name.strip()!r}{did_you_mean(name.strip(), names)}."


def newest(store: Store, community_id: int) -> int:
    """The id of the community's newest group (0: none), which the open form carries: a
    form sent again after a group was opened is told so instead of opening another."""
    return max((g.id for g in store.list_groups(community_id)), default=0)


def refusal(store: Store, group: Group, exc: StoreError, *, reopen: bool) -> str:
    """What a refused close or reopen says: only why, when the group is as asked already (a
    second click, another tab: nothing is wrong); else that it was not done, and why."""
    now = store.get_group(group.id)
    if now is not None and now.closed != reopen:
        return f"{exc}."
    return f"{group.name} was not {'reopened' if reopen else 'closed'}: {exc}."


def matrix_page(pages: Pages, request: Request, view: CommunityView, operator: Operator,
                problem: str) -> HTMLResponse:  # fmt: skip
    """The Matrix page (as first shown: by group name), saying `problem` (409)."""
    from hearthkeeper.capabilities.grid.console import matrix_context  # it imports the pages

    return render(request, "console/grid.html", status_code=409, operator=operator,
                  active="matrix", problem=problem, **matrix_context(pages, view, "group", "asc"),
                  **view.context())  # fmt: skip
