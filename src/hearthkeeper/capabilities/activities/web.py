"""A member's ticket, `GET /ticket/{code}` (public: the code is the secret): the event, their
name and a QR code of the door link staff scan with any phone camera, in the community's
language. Serving it also tells
`addresses` where tickets' links start.

The code is the ticket's only secret (8 characters, 40 random bits), so guessing is limited:
one client network (`web.clientaddr.client_network`: an IPv4 address, an IPv6 /64) may open
`MISSES_PER_HOUR` codes nobody holds an hour; past that every ticket page it asks for, a real
one too (else a hit would still show), answers 429 with `Retry-After` until the hour's first
miss is an hour old. Tickets that exist never count: a member reopening theirs at the door,
or a venue's Wi-Fi full of members, is not limited. The misses are counted in the store
(`store/misses.py`): every `hearth serve` behind a balancer counts the same, and a restart
forgets none. Each request is counted before its code is looked up, checked and counted in
one step (`SqlMisses.take`), and given back when the ticket is found: guesses sent together,
to one process or several, get exactly `MISSES_PER_HOUR`, not a few more."""

from __future__ import annotations

import io
import math
from datetime import timedelta

import jinja2
import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from hearthkeeper.capabilities.activities.addresses import door_path, serve_tickets
from hearthkeeper.capabilities.activities.catalogue import zone_of
from hearthkeeper.capabilities.activities.decide import normal_code, shown_code
from hearthkeeper.capabilities.activities.records import Status
from hearthkeeper.capabilities.activities.render import place_text
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.billing.lookup import playbook_of
from hearthkeeper.capabilities.format import when_text
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.misses import SqlMisses
from hearthkeeper.web.clientaddr import requester_network
from hearthkeeper.web.context import Web
from hearthkeeper.web.missing import missing_below

_PAGE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:1rem auto;padding:0 1rem;
text-align:center}svg{width:100%;height:auto;max-width:20rem}.code{font-size:2rem;
letter-spacing:.15em;font-weight:700}.warn{color:#a33}</style></head>
<body><h1>{{ title }}</h1><p>{{ event }}</p><p><strong id="name">{{ name }}</strong></p>
{% if ok %}<div id="qr">{{ svg|safe }}</div><p class="code" id="code">{{ code }}</p>
<p>{{ hint }}</p>{% else %}<p class="warn" id="state">{{ state }}</p>{% endif %}
</body></html>""")
_SAY = {
    Language.ZH_CN: {"title": "入场码", "hint": "到场时请出示此二维码，或报出入场码。",
                     "missing": "没有这个入场码。", "not_confirmed": "你的报名还没有确认（未付款或在候补中）。",
                     "cancelled": "这个报名或活动已取消。", "used": "已签到，欢迎！",
                     "lapsed": "为你保留的名额已到期未付款。"},
    Language.EN: {"title": "Your door code", "hint": "Show this QR code at the door, or say "
                  "the code.", "missing": "There is no such door code.",
                  "not_confirmed": "Your place is not confirmed yet (unpaid, or on the waitlist).",
                  "cancelled": "This sign-up or event was cancelled.", "used": "Checked in: welcome!",
                  "lapsed": "The place held for you lapsed unpaid."},
}  # fmt: skip
MISSES_PER_HOUR = 20  # codes nobody holds, per client network: a typo or two, never a search
MISSES_WITHIN = timedelta(hours=1)
MISSED = "ticket"  # what the store counts these misses as
_LIMITED = {Language.ZH_CN: "本网络查询了太多不存在的入场码，请 {minutes} 分钟后再试。",
            Language.EN: "Too many unknown door codes were asked from this network; try again "
                         "in {minutes} min."}  # fmt: skip


def qr_svg(link: str) -> str:
    """The QR code of `link` as inline SVG (level M, the quiet zone scanners need)."""
    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(out, kind="svg", scale=8, border=4,
                                                 xmldecl=False, svgns=True)  # fmt: skip
    return out.getvalue().decode()


def router(web: Web) -> APIRouter:
    """`GET /ticket/{code}`."""
    routes = APIRouter(include_in_schema=False)
    serve_tickets(web.store, web.settings.public_url)
    public = web.settings.public_url.rstrip("/")

    def page(raw: str) -> tuple[str, int]:
        store = web.store
        code = normal_code(raw)
        repo = SqlActivities.on(store)
        signup = None if code is None else repo.by_code(code)
        event = None if signup is None else repo.event(signup.event_id)
        community = None if event is None else next(
            (c for c in store.list_communities() if c.id == event.community_id), None)  # fmt: skip
        if signup is None or event is None or community is None:
            return _missing_page(), 404
        playbook = playbook_of(store, community)
        lang = playbook.community.language if playbook else Language.EN
        say = _SAY[lang]
        what = (f"{event.title} · {when_text(event.starts_at, zone_of(playbook), lang)}"
                f"{place_text(event, lang)}")  # fmt: skip
        ok = signup.status is Status.CONFIRMED and not event.cancelled and not signup.attended_at
        state = (say["used"] if signup.attended_at else say["cancelled"] if event.cancelled
                 or signup.status is Status.CANCELLED else say["lapsed"]
                 if signup.status is Status.LAPSED else say["not_confirmed"])  # fmt: skip
        link = public + door_path(community.slug, signup.code)
        return _PAGE.render(lang=lang.value, title=say["title"], event=what, ok=ok,
                            name=signup.display_name, svg=qr_svg(link) if ok else "",
                            code=shown_code(signup.code), hint=say["hint"], state=state), 200  # fmt: skip

    def answer(raw: str, client: str) -> tuple[str, int, int]:
        """The page, its status and (429) the seconds until the network may ask again."""
        misses = SqlMisses.on(web.store)
        now = web.clock.now()
        # Counted as a miss before the code is looked up, in one step that holds the
        # network's count: requests sent together cannot all pass the check before any of
        # them is counted. A ticket found gives its count back.
        wait = misses.take(MISSED, [client], now, MISSES_PER_HOUR, MISSES_WITHIN)
        if wait is not None:
            seconds = max(1, math.ceil(wait.total_seconds()))
            return _limited_page(seconds), 429, seconds
        status = 500  # until the page is made: a lookup that fails counts nothing
        try:
            text, status = page(raw)
        finally:
            if status != 404:
                misses.give_back(MISSED, client, now)
        return text, status, 0

    @routes.get("/ticket/{code}", response_model=None)
    async def ticket(request: Request, code: str) -> Response:
        client = requester_network(request, web.settings.trusted_proxies)
        text, status, seconds = await run_in_threadpool(answer, code[:32], client)
        headers = {"Cache-Control": "no-store"}
        if status == 429:
            headers["Retry-After"] = str(seconds)
        return HTMLResponse(text, status_code=status, headers=headers)

    # a ticket link cut short in a chat (`/ticket/`, a segment too many): the same page, not JSON
    missing_below(routes, "/ticket", lambda: HTMLResponse(_missing_page(), status_code=404))
    return routes


def _limited_page(seconds: int) -> str:
    """The page of a network that asked for too many unknown codes, in both languages."""
    minutes = max(1, math.ceil(seconds / 60))
    text = " / ".join(
        _LIMITED[lang].format(minutes=minutes) for lang in (Language.ZH_CN, Language.EN)
    )
    return _PAGE.render(lang="zh-CN", title=text, event="", name="", ok=False, state="")


def _missing_page() -> str:
    """The page of a door code nobody holds, in both languages (whose it is is unknown)."""
    text = f"{_SAY[Language.ZH_CN]['missing']} / {_SAY[Language.EN]['missing']}"
    return _PAGE.render(lang="zh-CN", title=text, event="", name="", ok=False, state="")
