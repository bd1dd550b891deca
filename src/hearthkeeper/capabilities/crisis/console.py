"""The console's crisis page, `/console/c/{slug}/crisis`: every episode of the last 30 days,
newest first, with its figures and all the messages that made it (the alert itself is in the
staff inbox)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hearthkeeper.capabilities.crisis.repository import SqlCrisis
from hearthkeeper.web.console.pages import ConsoleRoute, Pages, SignedIn
from hearthkeeper.web.templates import render

SHOWN = timedelta(days=30)


def router(pages: Pages) -> APIRouter:
    """The page."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    @routes.get("/console/c/{slug}/crisis", response_class=HTMLResponse)
    def crisis(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        episodes = SqlCrisis.on(web.store).episodes(view.community.id, web.clock.now() - SHOWN)
        crisis = view.playbook.mechanisms.crisis if view.playbook is not None else None
        return render(request, "console/crisis.html", operator=operator, active="crisis",
                      episodes=episodes, settings=crisis, **view.context())  # fmt: skip

    return routes
