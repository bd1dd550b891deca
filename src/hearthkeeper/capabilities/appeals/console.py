"""Pardon or uphold a member's appeal from its alert in the console's inbox, with a note the
member reads after the outcome (as the CLI's and the API's `note`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from hearthkeeper.capabilities.appeals import decisions
from hearthkeeper.capabilities.appeals.repository import SqlAppeals
from hearthkeeper.store import StoreError
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import ConsoleRoute, PageNotFound, Pages, SignedIn, back_to


def router(pages: Pages) -> APIRouter:
    """`POST /console/c/{slug}/appeals/{appeal_id}/pardon` and `…/uphold`."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    @routes.post("/console/c/{slug}/appeals/{appeal_id}/{decision}",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def decide(
        slug: str,
        appeal_id: int,
        decision: Literal["pardon", "uphold"],
        operator: SignedIn,
        note: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        view = pages.community(slug)
        appeal = SqlAppeals.on(store).get(appeal_id)
        if appeal is None or appeal.community_id != view.community.id:
            raise PageNotFound(f"There is no appeal {appeal_id} in {view.community.name}.", view)
        work = decisions.pardon if decision == "pardon" else decisions.uphold
        try:
            work(store, appeal_id, f"console:{operator.username}", web.clock.now(), note=note)
        except StoreError:
            return back_to(view, None, "/inbox", problem="already-decided")
        except ValueError:  # the note too long once cleaned: nothing decided
            return back_to(view, None, "/inbox", problem="note-too-long")
        notice = "appeal-pardoned" if decision == "pardon" else "appeal-upheld"
        return back_to(view, None, "/inbox", notice=notice)

    return routes
