"""The console's joining pages: Applications (pending first; approve or refuse with a
message; who reviewed, when) and Invite codes (make, see, revoke).

The console has no per-role permissions (every signed-in operator may do everything), so
any operator may review; each decision is audited under their name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hearthkeeper.capabilities.admission import review
from hearthkeeper.capabilities.admission.applications_repository import SqlApplications
from hearthkeeper.capabilities.admission.codes import (
    MAX_USES,
    BadCode,
    create_code,
    revoke_code,
)
from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.capabilities.admission.decide import normalise_code
from hearthkeeper.capabilities.admission.records import Application
from hearthkeeper.cli.days import LAST_DAY
from hearthkeeper.store import StoreError
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import (
    PAGE_SIZE,
    CommunityView,
    ConsoleRoute,
    PageNotFound,
    Pages,
    SignedIn,
    back_to,
    messages_from,
    paged,
)
from hearthkeeper.web.templates import render


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/applications` (+ approve, refuse) and `/console/c/{slug}/codes`
    (+ create, revoke)."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    def threshold(view: CommunityView) -> str:
        return "" if view.playbook is None else view.playbook.joining.threshold.kind.value

    @routes.get("/console/c/{slug}/applications", response_class=HTMLResponse)
    def applications(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        """Pending applications (`?page=`, oldest first) and reviewed ones
        (`?reviewed_page=`), `PAGE_SIZE` of each, with their true counts."""
        view = pages.community(slug)
        found = SqlApplications.on(store)
        waiting, reviewed = found.application_counts(view.community.id)
        page, last = paged(request, waiting)
        later, reviewed_pages = paged(request, reviewed, "reviewed_page")
        groups = {g.id: g.name for g in store.list_groups(view.community.id)}
        return render(request, "console/applications.html", operator=operator,
                      active="applications", groups=groups, threshold=threshold(view),
                      pending=found.applications(view.community.id, pending=True,
                                                 limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
                      reviewed=found.applications(view.community.id, pending=False,
                                                  limit=PAGE_SIZE,
                                                  offset=(later - 1) * PAGE_SIZE),
                      pending_count=waiting, reviewed_count=reviewed,
                      page=page, pages=last, reviewed_page=later,
                      reviewed_pages=reviewed_pages, **messages_from(request),
                      **view.context())  # fmt: skip

    def application_of(view: CommunityView, application_id: int) -> Application:
        found = SqlApplications.on(store).get_application(application_id)
        if found is None or found.community_id != view.community.id:
            raise PageNotFound(
                f"There is no application {application_id} in {view.community.name}.", view
            )
        return found

    def decide(slug: str, application_id: int, operator: SignedIn, message: str,
               work: Callable[..., Application], notice: str, page: int) -> Response:  # fmt: skip
        view = pages.community(slug)
        application_of(view, application_id)
        same_page = {"page": str(page)} if page > 1 else {}  # back where staff were reviewing
        try:
            work(store, application_id, f"console:{operator.username}", web.clock.now(), message)
        except StoreError:
            return back_to(view, None, "/applications", problem="already-reviewed", **same_page)
        return back_to(view, None, "/applications", notice=notice, **same_page)

    @routes.post("/console/c/{slug}/applications/{application_id}/approve",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def approve(slug: str, application_id: int, operator: SignedIn,
                message: Annotated[str, Form(max_length=4000)] = "",
                page: Annotated[int, Form(ge=1, le=MAX_ID)] = 1) -> Response:  # fmt: skip
        return decide(slug, application_id, operator, message, review.approve, "approved", page)

    @routes.post("/console/c/{slug}/applications/{application_id}/reconsider",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def reconsider(slug: str, application_id: int, operator: SignedIn,
                   page: Annotated[int, Form(ge=1, le=MAX_ID)] = 1) -> Response:  # fmt: skip
        """Let in, after all, someone refused before (staff changed their mind)."""
        again = partial(review.approve, reconsider=True)
        return decide(slug, application_id, operator, "", again, "approved", page)

    @routes.post("/console/c/{slug}/applications/{application_id}/refuse",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def refuse(slug: str, application_id: int, operator: SignedIn,
               message: Annotated[str, Form(max_length=4000)] = "",
               page: Annotated[int, Form(ge=1, le=MAX_ID)] = 1) -> Response:  # fmt: skip
        return decide(slug, application_id, operator, message, review.refuse, "refused", page)

    def codes_page(request: Request, view: CommunityView, operator: SignedIn, *,
                   status: int = 200, problem: str | None = None, made: str | None = None,
                   typed: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
        """The codes page; after a refusal, `problem` says why and `typed` fills the form."""
        found = SqlInviteCodes.on(store).codes(view.community.id)
        shown = messages_from(request) | ({"problem": problem} if problem else {})
        if made:
            shown["notice"] = f"Invite code {made} made."
        return render(request, "console/invite_codes.html", status_code=status,
                      operator=operator, active="applications", codes=found,
                      join_links=_join_links(pages, view), threshold=threshold(view),
                      typed=typed or {}, **shown, **view.context())  # fmt: skip

    @routes.get("/console/c/{slug}/codes", response_class=HTMLResponse)
    def codes(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        return codes_page(request, pages.community(slug), operator)

    @routes.post("/console/c/{slug}/codes", dependencies=[Depends(require_csrf)],
                 response_class=HTMLResponse)  # fmt: skip
    def create(
        request: Request,
        slug: str,
        operator: SignedIn,
        label: Annotated[str, Form(max_length=200)] = "",
        max_uses: Annotated[str, Form(max_length=12)] = "",
        expires: Annotated[str, Form(max_length=10)] = "",
        code: Annotated[str, Form(max_length=64)] = "",
    ) -> HTMLResponse:
        view = pages.community(slug)
        typed = {"label": label, "max_uses": max_uses, "expires": expires, "code": code}

        def refused(problem: str) -> HTMLResponse:
            return codes_page(request, view, operator, status=400, problem=problem, typed=typed)

        if max_uses.strip() and not max_uses.strip().isdecimal():
            return refused(f"How many people it may let in: {max_uses!r} is not a whole "
                           "number; write one, or leave it empty for no limit.")  # fmt: skip
        most = int(max_uses) if max_uses.strip() else None
        if most is not None and not 1 <= most <= MAX_USES:  # said as the form says it
            return refused(f"How many people it may let in: from 1 to {MAX_USES}, not {most}; "
                           "leave it empty for no limit.")  # fmt: skip
        until = None
        if expires.strip():
            try:
                day = datetime.strptime(expires.strip(), "%Y-%m-%d").date()
            except ValueError:
                return refused(f"Last day it works: {expires!r} is not a date; write it as "
                               "YYYY-MM-DD, or leave it empty for never.")  # fmt: skip
            if day > LAST_DAY:  # as --expires: west of UTC, 9999-12-31's end is no UTC moment
                return refused(f"Last day it works: {day:%Y-%m-%d} is out of range: give a day "
                               f"up to {LAST_DAY:%Y-%m-%d}, or leave it empty for never.")  # fmt: skip
            until = datetime.combine(day, time(23, 59, 59), view.zone).astimezone(UTC)
            if until <= web.clock.now():
                return refused(f"Last day it works: {day:%Y-%m-%d} has passed already; give "
                               "today or a later day, or leave it empty for never.")  # fmt: skip
        try:
            made = create_code(store, view.community.id, f"console:{operator.username}",
                               web.clock.now(), label=label, max_uses=most, expires_at=until,
                               code=code.strip() or None)  # fmt: skip
        except (BadCode, StoreError) as exc:
            return refused(str(exc))
        return codes_page(request, view, operator, made=made.code)

    @routes.post("/console/c/{slug}/codes/{code}/revoke", dependencies=[Depends(require_csrf)])
    def revoke(slug: str, code: str, operator: SignedIn) -> Response:
        view = pages.community(slug)
        if SqlInviteCodes.on(store).code_named(view.community.id, normalise_code(code)) is None:
            raise PageNotFound(f"There is no invite code “{code[:64]}” in "
                               f"{view.community.name}.", view)  # fmt: skip
        try:
            revoke_code(store, view.community.id, code, f"console:{operator.username}",
                        web.clock.now())  # fmt: skip
        except StoreError:  # revoked meanwhile, or before
            return back_to(view, None, "/codes", problem="already-revoked")
        return back_to(view, None, "/codes", notice="code-revoked")

    return routes


def _join_links(pages: Pages, view: CommunityView) -> list[tuple[str, str]]:
    """(group name, invite link) of the groups hosted here: a code is added as `?code=`."""
    found = []
    for group in pages.web.store.list_groups(view.community.id):
        url = pages.invite_url(group)
        if url is not None:
            found.append((group.name, url))
    return found
