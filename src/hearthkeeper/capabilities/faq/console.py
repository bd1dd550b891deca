"""The FAQ's console route: staff mark a waiting question answered from the inbox (the
inbox page itself belongs to the web shell: it lists questions beside every other alert)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from hearthkeeper.capabilities.faq.queue import settle
from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import ConsoleRoute, PageNotFound, Pages, SignedIn, back_to


def router(pages: Pages) -> APIRouter:
    """`POST /console/c/{slug}/questions/{id}/answered`."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    @routes.post("/console/c/{slug}/questions/{question_id}/answered",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def answered(slug: str, question_id: int, operator: SignedIn) -> Response:
        view = pages.community(slug)
        question = SqlQuestions.on(web.store).get_question(question_id)
        if question is None or question.community_id != view.community.id:
            raise PageNotFound(
                f"There is no question {question_id} in {view.community.name}.", view
            )
        by = f"console:{operator.username}"
        with web.store.transaction() as tx:
            if not settle(tx, question_id, None, web.clock.now()):  # its alert is called off
                return back_to(view, None, "/inbox", problem="already-answered")
            tx.audit(by, "question.answered", view.community.id,
                     target=f"question {question_id}", detail={"asker": question.member_id})  # fmt: skip
        return back_to(view, None, "/inbox", notice="answered")

    return routes
