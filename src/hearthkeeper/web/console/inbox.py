"""The staff inbox: questions the bot could not answer (until answered in the group or marked
answered here), and alerts (quarrels, violations to review, running-out content) until
someone marks them handled (or says an advertising alert's message was not an ad: the
moderation capability's route)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hearthkeeper.capabilities.appeals import decisions
from hearthkeeper.capabilities.appeals.repository import appeal_of_alert
from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.capabilities.moderation import staff_actions
from hearthkeeper.capabilities.reports import decisions as report_decisions
from hearthkeeper.capabilities.reports.console import in_inbox
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import StoreError
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import (
    ConsoleRoute,
    PageNotFound,
    Pages,
    SignedIn,
    back_to,
    messages_from,
)
from hearthkeeper.web.templates import render

SHOWN = 200


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/inbox` and marking an alert handled (marking a question answered
    is the FAQ capability's route)."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    @routes.get("/console/c/{slug}/inbox", response_class=HTMLResponse)
    def inbox(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        cid = view.community.id
        alerts = store.staff_alerts(cid, open_only=True, limit=SHOWN)
        names = store.member_names(a.member_id for a in alerts if a.member_id is not None)
        language = view.playbook.community.language if view.playbook else Language.EN
        # an advertising alert about a member's message: staff may say it was not an ad
        learnable = {a.id for a in alerts if a.member_id and staff_actions.not_an_ad(a.violation)}
        groups = {g.id: g.name for g in store.list_groups(cid)}
        # a member's appeal: pardoned or upheld from its alert (capabilities/appeals/)
        appeals = {a.id: appeal_of_alert(a.key) for a in alerts if a.handler == "appeals"}
        # a member's report: its message deleted (its author struck) or the reports dismissed
        reports = in_inbox(store, alerts, view.playbook)
        return render(
            request, "console/inbox.html", operator=operator, active="inbox",
            questions=SqlQuestions.on(store).waiting_questions(cid, limit=SHOWN), alerts=alerts,
            names=names, groups=groups, learnable=learnable, appeals=appeals, reports=reports,
            not_an_ad=staff_actions.NOT_AN_AD.say("not_an_ad", language),
            not_an_ad_title=staff_actions.NOT_AN_AD.say("not_an_ad_title", language),
            **messages_from(request), **view.context(),
        )  # fmt: skip

    @routes.post("/console/c/{slug}/alerts/{alert_id}/handled",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def handled(slug: str, alert_id: int, operator: SignedIn) -> Response:
        view = pages.community(slug)
        alert = store.get_staff_alert(alert_id)
        if alert is None or alert.community_id != view.community.id:
            raise PageNotFound(f"There is no alert {alert_id} in {view.community.name}.", view)
        by = f"console:{operator.username}"
        try:  # a member's appeal waiting: pardoned or upheld, not marked handled
            decisions.not_handled_alone(store, alert)
        except StoreError:
            return back_to(view, None, "/inbox", problem="appeal-waiting")
        try:  # members' reports waiting: the message deleted or the reports dismissed
            report_decisions.not_handled_alone(store, alert)
        except StoreError:
            return back_to(view, None, "/inbox", problem="report-waiting")
        try:
            with store.transaction() as tx:
                tx.handle_alert(alert_id, by, web.clock.now())
                tx.audit(by, "alert.handled", view.community.id, target=f"alert {alert_id}",
                         detail={"handler": alert.handler, "violation": alert.violation})  # fmt: skip
        except StoreError:
            return back_to(view, None, "/inbox", problem="already-handled")
        return back_to(view, None, "/inbox", notice="handled")

    return routes
