"""The console's sign-ups page, `/console/c/{slug}/signups`: the community's sign-up lists and
group-buys (接龙), newest first — state, group, title, deadline, how many signed up and wait —
each with its entries in the list's order (the confirmed numbered, then the waitlist) and its
CSV export, `/console/c/{slug}/signups/{id}/export` (what `hearth signups export` writes).
Read only: members sign up in their groups, staff open and close a list there (`/接龙`,
`/结束接龙`)."""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hearthkeeper.capabilities.signups.export import lines, rows, write_csv, zone_of
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.web.console.pages import ConsoleRoute, PageNotFound, Pages, SignedIn
from hearthkeeper.web.templates import render

SHOWN = 50  # lists on the page, newest first; the rest through `hearth signups list`


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/signups` and each list's export."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    @routes.get("/console/c/{slug}/signups", response_class=HTMLResponse)
    def signups(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        repo = SqlSignUps.on(web.store)
        every = repo.lists(view.community.id)
        groups = {g.id: g.name for g in web.store.list_groups(view.community.id)}
        shown = [(lst, lines(repo, lst)) for lst in reversed(every[-SHOWN:])]
        return render(
            request, "console/signups.html", operator=operator, active="signups",
            lists=shown, total=len(every), shown_max=SHOWN, groups=groups, **view.context(),
        )  # fmt: skip

    @routes.get("/console/c/{slug}/signups/{list_id}/export", response_model=None)
    def export(request: Request, slug: str, list_id: int, operator: SignedIn) -> Response:
        view = pages.community(slug)
        repo = SqlSignUps.on(web.store)
        lst = repo.get(list_id)
        if lst is None or lst.community_id != view.community.id:
            raise PageNotFound(f"sign-up list {list_id}", view)
        buffer = io.StringIO()
        buffer.write("\ufeff")  # a BOM: Excel reads the file as UTF-8, as the CLI's
        write_csv(buffer, list(rows(repo, lst, zone_of(web.store, lst.community_id))))
        name = f"signups-{lst.id}.csv"
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip

    return routes
