"""A live code's public side: `GET /go/{slug}` routes the newcomer to a group with room (a
redirect to its join link carrying `?via=code:<slug>`), `GET /go/{slug}.png|.svg` is the QR
image of that stable link. Pages a newcomer may see here speak the community's language."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.capabilities.livecodes.qr import MEDIA, qr_image
from hearthkeeper.capabilities.livecodes.records import Channel
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.routing import (
    HOLD,
    Openings,
    join_url,
    route_newcomer,
    stable_link,
)
from hearthkeeper.capabilities.livecodes.texts import say
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.web.assets import static_url
from hearthkeeper.web.clientaddr import requester_network
from hearthkeeper.web.console.pages import Pages
from hearthkeeper.web.context import Web
from hearthkeeper.web.missing import missing_below

log = logging.getLogger(__name__)
COOKIE = "hearth_go"
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
)
_TEMPLATES.globals["static"] = static_url  # versioned addresses: web/assets.py


def router(web: Web) -> APIRouter:
    """The live codes' public routes (no sign-in: anyone who scans may open them)."""
    routes = APIRouter(include_in_schema=False)
    pages = Pages(web)
    openings = Openings()

    def playbook_of(channel: Channel) -> Playbook | None:
        version = web.store.latest_playbook_version(channel.community_id)
        return None if version is None else pages.playbook(version)

    def community_name(channel: Channel) -> str:
        found = (c for c in web.store.list_communities() if c.id == channel.community_id)
        return next((c.name for c in found), "")

    def notice(channel: Channel, playbook: Playbook | None, key: str, status: int) -> HTMLResponse:
        language = Language.EN if playbook is None else playbook.community.language
        name = community_name(channel)
        page = _TEMPLATES.get_template("notice.html").render(
            lang=language.value, title=say(f"{key}_title", language, community=name),
            body=say(f"{key}_body", language, community=name))  # fmt: skip
        return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})

    def not_ready(channel: Channel) -> str:
        if channel.carrier not in web.carriers:
            return f"this server runs no {channel.carrier} carrier"
        return f"{community_name(channel)} has no {channel.carrier} group and none can be opened"

    def image(slug: str, kind: Literal["png", "svg"]) -> Response:
        channel = SqlLiveCodes.on(web.store).channel(slug)
        if channel is None:
            return Response("No such live code.", status_code=404, media_type="text/plain")
        body = qr_image(stable_link(web.settings.public_url, slug), kind)
        headers = {"Content-Disposition": f'inline; filename="livecode-{slug}.{kind}"'}
        return Response(body, media_type=MEDIA[kind], headers=headers)

    @routes.get("/go/{slug}.png")
    def png(slug: str) -> Response:
        return image(slug, "png")

    @routes.get("/go/{slug}.svg")
    def svg(slug: str) -> Response:
        return image(slug, "svg")

    @routes.get("/go/{slug}", response_model=None)
    def go(request: Request, slug: str) -> Response:
        channel = SqlLiveCodes.on(web.store).channel(slug)
        if channel is None:
            return missing()
        playbook = playbook_of(channel)
        if channel.retired:
            return notice(channel, playbook, "retired", 410)
        if playbook is None:
            log.warning("live code %r is not ready: its community has no playbook", slug)
            return notice(channel, playbook, "not_ready", 503)
        # holds are capped per client: an IPv6 client is its /64, not each address in it
        client = requester_network(request, web.settings.trusted_proxies)
        routed = route_newcomer(web, channel, playbook, token=request.cookies.get(COOKIE),
                                client=client, openings=openings)  # fmt: skip
        if routed.group is None and routed.no_groups:
            log.warning("live code %r is not ready: %s", slug, not_ready(channel))
            return notice(channel, playbook, "not_ready", 503)
        if routed.group is None:
            return notice(channel, playbook, "full", 503)
        target = join_url(web, routed.group, channel)
        if target is None:
            return notice(channel, playbook, "no_link", 503)
        response = RedirectResponse(target, status_code=303)
        response.headers["Cache-Control"] = "no-store"
        if routed.token is not None:
            response.set_cookie(COOKIE, routed.token, max_age=int(HOLD.total_seconds()),
                                path=f"/go/{slug}", httponly=True, samesite="lax",
                                secure=web.settings.secure_cookies)  # fmt: skip
        return response

    missing_below(routes, "/go", missing)  # `/go/` cut short: the same page, not JSON
    return routes


def missing() -> HTMLResponse:
    """No such code, so no community whose language to speak: in English and in Chinese."""
    return HTMLResponse(_TEMPLATES.get_template("missing.html").render(), status_code=404)
