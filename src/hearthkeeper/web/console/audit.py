"""The audit log: every staff action and every decision the engine took, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hearthkeeper.web.console.pages import PAGE_SIZE, ConsoleRoute, Pages, SignedIn, paged
from hearthkeeper.web.templates import render


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/audit`, a page at a time."""
    routes = APIRouter(route_class=ConsoleRoute)
    store = pages.web.store

    @routes.get("/console/c/{slug}/audit", response_class=HTMLResponse)
    def audit(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        cid = view.community.id
        total = store.audit_count(cid)
        page, last = paged(request, total)
        entries = store.audit_entries(cid, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return render(
            request, "console/audit.html", operator=operator, active="audit", entries=entries,
            page=page, pages=last, total=total, **view.context(),
        )  # fmt: skip

    return routes
