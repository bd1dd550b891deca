"""The moderation queue (recent decisions, live strikes, sanctions in force), pardon and lift,
deleting a member's message or banning its sender, and the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hearthkeeper import staff
from hearthkeeper.store import StoreError
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.decisions import named, recent_decisions
from hearthkeeper.web.console.pages import (
    PAGE_SIZE,
    ConsoleRoute,
    PageNotFound,
    Pages,
    SignedIn,
    back_to,
    messages_from,
    page_number,
)
from hearthkeeper.web.templates import render

QUEUE_DAYS = 7


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/moderation`, `/audit`, and the pardon and lift forms."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    @routes.get("/console/c/{slug}/moderation", response_class=HTMLResponse)
    def moderation(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        cid = view.community.id
        now = web.clock.now()
        recent = recent_decisions(store, view, now - timedelta(days=QUEUE_DAYS), now)
        live = named(store, view, store.community_strikes(cid, live_only=True, now=now), [], now)
        in_force = named(store, view, [], store.community_sanctions(cid, True, now), now)
        return render(
            request, "console/moderation.html", operator=operator, active="moderation",
            recent=recent, live=live, in_force=in_force, days=QUEUE_DAYS,
            here=request.url.path, **messages_from(request), **view.context(),
        )  # fmt: skip

    @routes.get("/console/c/{slug}/audit", response_class=HTMLResponse)
    def audit(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        page = page_number(request)
        cid = view.community.id
        entries = store.audit_entries(cid, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        total = store.audit_count(cid)
        return render(
            request, "console/audit.html", operator=operator, active="audit", entries=entries,
            page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total, **view.context(),
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
        fallback = f"/members/{strike.member_id}"
        try:
            staff.pardon(store, strike_id, f"console:{operator.username}", web.clock.now())
        except StoreError:
            return back_to(view, back, fallback, problem="already-pardoned")
        return back_to(view, back, fallback, notice="pardoned")

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
        fallback = f"/members/{sanction.member_id}"
        try:
            staff.lift(store, sanction_id, f"console:{operator.username}", web.clock.now())
        except StoreError:
            return back_to(view, back, fallback, problem="already-lifted")
        return back_to(view, back, fallback, notice="lifted")

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
        by, now = f"console:{operator.username}", web.clock.now()
        fallback = f"/members/{message.member_id}" if message.member_id else "/moderation"
        try:
            if what == "ban":
                staff.ban_for_message(store, message_id, by, now)
            else:
                staff.delete_message(store, message_id, by, now)
        except StoreError:
            return back_to(view, back, fallback, problem="no-sender")
        return back_to(view, back, fallback, notice="banned" if what == "ban" else "deleted")

    return routes
