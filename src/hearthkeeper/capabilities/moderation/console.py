"""The moderation queue (recent decisions, live strikes, sanctions in force), pardon and lift,
deleting a member's message or banning its sender, and saying an advertising alert's message
was not an ad."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hearthkeeper.capabilities.appeals.repository import appeal_of_alert
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.moderation.decisions import named, recent_decisions
from hearthkeeper.store import Operator, StoreError
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import (
    CommunityView,
    ConsoleRoute,
    PageNotFound,
    Pages,
    SignedIn,
    back_to,
    messages_from,
)
from hearthkeeper.web.templates import render

QUEUE_DAYS = 7


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/moderation`, and the pardon, lift, delete, ban and not-an-ad forms."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    def done(operator: Operator, view: CommunityView, back: str, fallback: str, notice: str,
             problem: str, work: Callable[[str, datetime], object]) -> Response:  # fmt: skip
        """Do staff's `work` as the operator, then go back to where the form was (else
        `fallback`) saying it was done, or `problem` if the store refused (already done, no
        one to ban)."""
        try:
            work(f"console:{operator.username}", web.clock.now())
        except StoreError:
            return back_to(view, back, fallback, problem=problem)
        return back_to(view, back, fallback, notice=notice)

    @routes.get("/console/c/{slug}/moderation", response_class=HTMLResponse)
    def moderation(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        cid = view.community.id
        now = web.clock.now()
        recent = recent_decisions(store, cid, now - timedelta(days=QUEUE_DAYS), now)
        live = named(store, cid, store.community_strikes(cid, live_only=True, now=now), [], now)
        in_force = named(store, cid, [], store.community_sanctions(cid, True, now), now)
        return render(
            request, "console/moderation.html", operator=operator, active="moderation",
            recent=recent, live=live, in_force=in_force, days=QUEUE_DAYS,
            here=request.url.path, **messages_from(request), **view.context(),
        )  # fmt: skip

    @routes.post("/console/c/{slug}/strikes/{strike_id}/pardon",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def pardon(
        slug: str, strike_id: int, operator: SignedIn, back: Annotated[str, Form()] = ""
    ) -> Response:
        view = pages.community(slug)
        strike = store.get_strike(strike_id)
        if strike is None or strike.community_id != view.community.id:
            raise PageNotFound(f"There is no strike {strike_id} in {view.community.name}.", view)
        return done(operator, view, back, f"/members/{strike.member_id}", "pardoned",
                    "already-pardoned",
                    lambda by, now: staff.pardon(store, strike_id, by, now))  # fmt: skip

    @routes.post("/console/c/{slug}/sanctions/{sanction_id}/lift",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def lift(
        slug: str, sanction_id: int, operator: SignedIn, back: Annotated[str, Form()] = ""
    ) -> Response:
        view = pages.community(slug)
        sanction = store.get_sanction(sanction_id)
        ours = sanction is not None and (
            sanction.community_id == view.community.id
            or (sanction.community_id is None
                and store.member_in_community(view.community.id, sanction.member_id))
        )  # fmt: skip
        if sanction is None or not ours:
            raise PageNotFound(
                f"There is no sanction {sanction_id} in {view.community.name}.", view
            )
        return done(operator, view, back, f"/members/{sanction.member_id}", "lifted",
                    "already-lifted",
                    lambda by, now: staff.lift(store, sanction_id, by, now))  # fmt: skip

    @routes.post("/console/c/{slug}/alerts/{alert_id}/not-an-ad",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def not_an_ad(slug: str, alert_id: int, operator: SignedIn) -> Response:
        """Say an advertising alert's message was fine: the alert is handled and the
        community's learned scorer takes the message as ordinary chat."""
        view = pages.community(slug)
        alert = store.get_staff_alert(alert_id)
        if alert is None or alert.community_id != view.community.id:
            raise PageNotFound(f"There is no alert {alert_id} in {view.community.name}.", view)
        try:
            staff.not_an_ad(store, alert_id, f"console:{operator.username}", web.clock.now())
        except StoreError:  # a second click finds it handled; else an appeal's, or no message
            again = store.get_staff_alert(alert_id)
            handled = again is not None and again.handled_at is not None
            appeal = appeal_of_alert(alert.key) is not None
            problem = "already-handled" if handled else "appeal-waiting" if appeal else "no-message"
            return back_to(view, None, "/inbox", problem=problem)
        return back_to(view, None, "/inbox", notice="not-an-ad")

    @routes.post("/console/c/{slug}/messages/{message_id}/{what}",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def remove(
        slug: str,
        message_id: int,
        what: Literal["delete", "ban"],
        operator: SignedIn,
        back: Annotated[str, Form()] = "",
    ) -> Response:
        """Delete a member's message, or ban its sender for it; either way the community's
        learned scorer takes the message as an example of spam."""
        view = pages.community(slug)
        message = store.get_message(message_id)
        group = store.get_group(message.group_id) if message is not None else None
        if message is None or group is None or group.community_id != view.community.id:
            raise PageNotFound(f"There is no message {message_id} in {view.community.name}.", view)
        fallback = f"/members/{message.member_id}" if message.member_id else "/moderation"
        work = staff.ban_for_message if what == "ban" else staff.delete_message
        return done(operator, view, back, fallback, "banned" if what == "ban" else "deleted",
                    "no-sender", lambda by, now: work(store, message_id, by, now))  # fmt: skip

    return routes
