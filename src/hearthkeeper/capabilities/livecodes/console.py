"""The console's live-code page, `/console/c/{slug}/livecodes`: each channel's stable link
and QR image (download a PNG for a poster), who it brought, making and retiring channels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.capabilities.livecodes.decide import carrier_problem, slug_problem
from hearthkeeper.capabilities.livecodes.records import ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.routing import stable_link
from hearthkeeper.capabilities.livecodes.stats import STAY_DAYS, channel_stats
from hearthkeeper.carriers.installed import installed_tables
from hearthkeeper.store import StoreError
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import ConsoleRoute, PageNotFound, Pages, SignedIn
from hearthkeeper.web.templates import render


def router(pages: Pages) -> APIRouter:
    """The page, `POST` a new channel, `POST .../{code}/retire`."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    def page(request: Request, slug: str, operator: SignedIn, *, status: int = 200,
             problem: str | None = None, typed: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
        """The page; after a refusal, `problem` says why and `typed` fills the form again."""
        view = pages.community(slug)
        figures = channel_stats(web.store, view.community.id, web.clock.now())
        links = {s.channel.slug: stable_link(web.settings.public_url, s.channel.slug)
                 for s in figures}  # fmt: skip
        carriers = sorted(web.carriers)
        return render(request, "console/livecodes.html", status_code=status, operator=operator,
                      active="livecodes", figures=figures, links=links, kinds=list(ChannelKind),
                      carriers=carriers, stay_days=STAY_DAYS, problem=problem, typed=typed or {},
                      **view.context())  # fmt: skip

    @routes.get("/console/c/{slug}/livecodes", response_class=HTMLResponse)
    def livecodes(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        return page(request, slug, operator)

    @routes.post("/console/c/{slug}/livecodes", dependencies=[Depends(require_csrf)],
                 response_model=None)  # fmt: skip
    def create(
        request: Request,
        slug: str,
        operator: SignedIn,
        code: Annotated[str, Form(max_length=200)] = "",
        label: Annotated[str, Form(max_length=200)] = "",
        kind: Annotated[str, Form(max_length=32)] = ChannelKind.POSTER.value,
        notes: Annotated[str, Form(max_length=2000)] = "",
        carrier: Annotated[str, Form(max_length=32)] = "webchat",
    ) -> Response:
        view = pages.community(slug)
        typed = {"code": code, "label": label, "kind": kind, "notes": notes, "carrier": carrier}
        code = code.strip().lower()
        problem = slug_problem(code)
        if problem is None and kind not in {k.value for k in ChannelKind}:
            problem = f"{kind!r} is not a kind of channel; choose one of the list."
        if problem is None:
            problem = carrier_problem(carrier, web.carriers, installed_tables())
        if problem is not None:
            return page(request, slug, operator, status=400, problem=problem, typed=typed)
        by = f"console:{operator.username}"
        try:
            with web.store.transaction() as tx:
                channel = SqlLiveCodes.on(tx).add_channel(
                    view.community.id, code, label.strip() or code, ChannelKind(kind),
                    notes=notes.strip(), carrier=carrier, by=by, at=web.clock.now())  # fmt: skip
                tx.audit(by, "livecode.create", view.community.id, target=f"livecode {code}",
                         detail={"label": channel.label, "kind": kind, "carrier": carrier})  # fmt: skip
        except StoreError as exc:
            return page(request, slug, operator, status=409, problem=str(exc), typed=typed)
        return RedirectResponse(f"{view.path}/livecodes#code-{code}", status_code=303)

    @routes.post("/console/c/{slug}/livecodes/{code}/retire",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def retire(slug: str, code: str, operator: SignedIn) -> Response:
        view = pages.community(slug)
        repo = SqlLiveCodes.on(web.store)
        channel = repo.channel(code)
        if channel is None or channel.community_id != view.community.id:
            raise PageNotFound(f"There is no live code “{code}” in {view.community.name}.", view)
        by = f"console:{operator.username}"
        with web.store.transaction() as tx:
            SqlLiveCodes.on(tx).retire(code, web.clock.now())
            tx.audit(by, "livecode.retire", view.community.id, target=f"livecode {code}",
                     detail={})  # fmt: skip
        return RedirectResponse(f"{view.path}/livecodes", status_code=303)

    return routes
