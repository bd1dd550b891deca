"""The Matrix join page, `/matrix/join/<room>?via=<token>`: where a live code or a member's
referral link sends a newcomer to a Matrix room, so that their join says which link brought
them. A join by a matrix.to link names no link; an invitation can be remembered.

The newcomer types their Matrix ID (checked against the specification's grammar,
`userid.py`, then asked of the homeserver, `known.py`: Synapse accepts an invitation to an ID on
its own server that nobody registered, so a typo is refused there, beside the field, before
anything is screened, kept or counted; a server that cannot tell lets the invitation go
ahead); the server's `Admission` screens them with the link's token as `source`, so the
community's threshold applies as on any door (an invite code, an application's answers); once
admitted the bot invites that ID to the room (through the outbound queue when the bot runs
in another process, `--role web`, or cannot reach the homeserver just now). The token is kept in the store (`join_sources`,
written in the admission's transaction) until their join arrives, which then carries it as
`Join.source`. An application held for staff keeps it too: their approval becomes an `ADMIT`,
the bot's invitation, and the join. A newcomer the door refuses for good (blacklisted, say; not one
asked for a code, for answers or to pay first, who is still on their way) gives back the seat
the live code that sent them held in the room, as the web chat's join does, so the code does
not call the room full to the next person until the seat would have lapsed; so does one
admitted whose invitation the homeserver refuses for good (the page says it could not invite
them; an invitation that can still go is queued, and its seat kept). The room's
matrix.to link stays on the page for anyone who would rather open the room themselves
(uncredited).

Each client (an address, or an IPv6 /64) may ask `ASKS_PER_HOUR` times an hour, and each
Matrix ID be asked for `ASKS_PER_ID_PER_HOUR` times, so the page cannot be used to send strangers a stream of
invitations or to try invite codes in a loop; lookups have their own limit per address,
`LOOKUPS_PER_HOUR`, so the page cannot be used to probe for accounts in a loop either. The
three are counted in the store (`store/misses.py`): every `hearth serve` on the database counts
them together, and a restart forgets none."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from hearthkeeper.capabilities.livecodes.decide import slug_of
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.carriers.closing import join_link
from hearthkeeper.carriers.matrix.carrier import MatrixCarrier
from hearthkeeper.carriers.matrix.known import Known
from hearthkeeper.carriers.matrix.texts import say, waiting
from hearthkeeper.carriers.matrix.translate import CARRIER
from hearthkeeper.carriers.matrix.userid import user_id_problem
from hearthkeeper.carriers.webchat.door import NOTHING_ASKED, Asked, asked_of
from hearthkeeper.carriers.webchat.groups import WEBCHAT
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.admission import Admission, Entry, JoinRequest, Verdict
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, Store
from hearthkeeper.store.join_sources import SqlJoinSources
from hearthkeeper.store.misses import SqlMisses
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.web.assets import static_url
from hearthkeeper.web.clientaddr import UNKNOWN, requester_network, trial_network
from hearthkeeper.web.context import Web
from hearthkeeper.web.missing import missing_below

log = logging.getLogger(__name__)
PATH = "/matrix/join/"
MAX_SOURCE = 200  # the longest link token kept (`join_sources.source`)
ASKS_PER_HOUR = 10  # per client address: a venue's Wi-Fi is one address
ASKS_PER_ID_PER_HOUR = 3  # per Matrix ID asked for, from wherever
LOOKUPS_PER_HOUR = 30  # per client address: whether a typed Matrix ID exists (`known.py`)
INVITE_TIMEOUT_S = 20.0
HANDLER = "matrix.join"
HOUR = timedelta(hours=1)
# what the store counts each limit as (`network_misses.what`)
ASKS, ASKS_FOR, LOOKUPS = "matrix_ask", "matrix_ask_for", "matrix_lookup"
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
)
_TEMPLATES.globals["static"] = static_url  # versioned addresses: web/assets.py
_CLOSED = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>这个群已关闭 · This room is closed</title>
<p>这个 Matrix 群已关闭，不再接收新成员。</p>
<p>This Matrix room is closed: it takes no newcomers.</p>
{into}</html>"""
# closed into another group (`hearth groups close --into`): where its members carry on
_INTO = """<p>成员们移步「{name}」继续交流{there_zh}</p>
<p>Its members carry on in {name}{there_en}</p>
"""

_MISSING = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>没有这个群 · No such room</title>
<p>这个链接指向的 Matrix 群不在这里运营。</p>
<p>This link leads to no Matrix room run here.</p>
</html>"""


def join_page_path(room: str, source: str | None) -> str:
    """The join page's path for `room`, carrying the link token `source`."""
    path = PATH + quote(room, safe="!:")
    return f"{path}?{urlencode({'via': source})}" if source else path


def join_routes(web: Web, carrier: MatrixCarrier, admission: Admission,
                languages: Mapping[int, Language], room_link: Callable[[str], str]) -> APIRouter:  # fmt: skip
    """`GET`/`POST /matrix/join/{room}`; `room_link` gives a room's matrix.to link."""
    routes = APIRouter(include_in_schema=False)
    counted = SqlMisses.on(web.store)

    async def take(what: str, key: str, most: int, now: datetime) -> timedelta | None:
        """One more of `what` for `key` within the hour (None), else how long until then."""
        return await run_in_threadpool(counted.take, what, [key], now, most, HOUR)

    def community_name(group: Group) -> str:
        found = (c for c in web.store.list_communities() if c.id == group.community_id)
        return next((c.name for c in found), "")

    def page(group: Group, status: int, *, source: str, user_id: str = "",
             asked: Asked = NOTHING_ASKED, error: str | None = None,
             verdict: Verdict | None = None, invited: bool = False, queued: bool = False,
             attempted: bool = False, field: str | None = None) -> HTMLResponse:  # fmt: skip
        language = languages.get(group.community_id, Language.EN)

        def t(key: str, **values: Any) -> str:
            return say(key, language, **values)

        pending = verdict is not None and verdict.entry is Entry.PENDING
        closed = verdict is not None and _for_good(verdict)
        body = _TEMPLATES.get_template("join.html").render(
            lang=language.value, t=t, group=group, community=community_name(group),
            action=PATH + quote(group.carrier_group_id, safe="!:"), source=source[:MAX_SOURCE],
            user_id=user_id, code=asked.code, answers=asked.answers, error=error, field=field,
            verdict=verdict, pending=pending, closed=closed, invited=invited or queued,
            queued=queued,
            attempted=attempted, room_link=room_link(group.carrier_group_id))  # fmt: skip
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def network_of(request: Request) -> str:
        """The client network asking (one free trial per network in a paid community)."""
        return requester_network(request, web.settings.trusted_proxies)

    def trials(network: str) -> str | None:
        """`network` as the one free trial per network counts it (None: exempted there)."""
        return trial_network(network, web.settings.trial_limit_exempt)

    def group_of(room: str) -> Group | None:
        group = web.store.group_for_carrier(CARRIER, room)
        return group if group is not None and carrier.rooms.accepts(room) else None

    @routes.get(PATH + "{room}", response_model=None)
    async def form(request: Request, room: str, via: str = "") -> Response:
        group = await run_in_threadpool(group_of, room)
        if group is None:
            return missing()
        if group.closed:  # `hearth groups close`: the bot invites nobody new to it
            return await run_in_threadpool(closed, web.store, group)
        probe = JoinRequest(carrier=CARRIER, group_id=group.id, user_id="", probe=True,
                            network=trials(network_of(request)))  # fmt: skip
        looked = await run_in_threadpool(admission.screen, probe)
        return page(group, 200, source=via, verdict=_shown(looked))

    @routes.post(PATH + "{room}", response_model=None)
    async def ask(
        request: Request,
        room: str,
        user_id: Annotated[str, Form(max_length=1000)] = "",
        source: Annotated[str, Form(max_length=MAX_SOURCE)] = "",
    ) -> Response:
        group = await run_in_threadpool(group_of, room)
        if group is None:
            return missing()
        if group.closed:  # `hearth groups close`: the bot invites nobody new to it
            return await run_in_threadpool(closed, web.store, group)
        language = languages.get(group.community_id, Language.EN)
        typed = user_id.strip()
        asked = asked_of(await request.form())

        def again(status: int, **more: Any) -> HTMLResponse:
            """The page again, with what was typed."""
            return page(group, status, source=source, user_id=typed, asked=asked,
                        attempted=True, **more)  # fmt: skip

        async def wrong_id(error: str) -> HTMLResponse:
            """The page again, `error` beside the Matrix ID, with what the door asks."""
            probe = JoinRequest(carrier=CARRIER, group_id=group.id, user_id="", probe=True,
                                network=trials(network_of(request)))  # fmt: skip
            looked = await run_in_threadpool(admission.screen, probe)
            return again(400, error=error, field="user_id", verdict=_shown(looked))

        def limited(key: str, wait: timedelta) -> HTMLResponse:
            answer = again(429, error=say(key, language, user=typed, wait=waiting(wait, language)))
            answer.headers["Retry-After"] = str(max(1, int(wait.total_seconds() + 0.999)))
            return answer

        problem = user_id_problem(typed, language)
        if problem is not None:
            return await wrong_id(problem)
        now = web.clock.now()
        address = network_of(request)
        # Before anything is screened, kept or counted: an ID nobody registered (a typo) is
        # refused here, since the homeserver would accept the invitation and nobody arrive.
        # Lookups have a limit of their own (each asks the homeserver, maybe another server
        # over federation); a typo does not use up the invitations one may ask for.
        wait = await take(LOOKUPS, address, LOOKUPS_PER_HOUR, now)
        if wait is not None:
            return limited("too_many", wait)
        if await carrier.account_known(typed) is Known.NO:
            server = typed.partition(":")[2]
            return await wrong_id(say("no_such_user", language, user=typed, server=server))
        wait = await take(ASKS, address, ASKS_PER_HOUR, now)
        key = "too_many" if wait is not None else "too_many_for"
        if wait is None:
            wait = await take(ASKS_FOR, typed, ASKS_PER_ID_PER_HOUR, now)
        if wait is not None:
            return limited(key, wait)
        token = source.strip() or None
        request_in = JoinRequest(carrier=CARRIER, group_id=group.id, user_id=typed,
                                 code=asked.code or None, source=token,
                                 answers=asked.answers, field_per_question=True,
                                 network=trials(address),
                                 client=None if address == UNKNOWN else address)  # fmt: skip

        def keep_source(scope: StoreBase) -> None:
            if token is not None:
                SqlJoinSources.on(scope).remember(CARRIER, group.carrier_group_id, typed, token,
                                                  now)  # fmt: skip

        verdict = await run_in_threadpool(admission.screen, request_in, keep_source)
        if verdict.entry is Entry.PENDING:
            await run_in_threadpool(keep_source, web.store)
            return again(202, verdict=verdict)

        async def give_seat_back() -> None:
            """The seat the live code that sent them held in the room goes back (they will
            not arrive by this page): the code sends the next person there at once."""
            slug = slug_of(token)
            if slug is not None:
                await run_in_threadpool(SqlLiveCodes.on(web.store).release, slug, group.id,
                                        address, now)  # fmt: skip

        if verdict.entry is Entry.REFUSE:
            if _for_good(verdict):
                await give_seat_back()
            return again(403, verdict=verdict)
        try:
            await run_in_threadpool(carrier.call, carrier.invite(group.carrier_group_id, typed),
                                    INVITE_TIMEOUT_S)  # fmt: skip
        except CarrierError as exc:
            if exc.retry:  # the bot runs in another process, restarts, or is slow: queued
                log.info("matrix join page: inviting %s to %s through the outbound queue (%s)",
                         typed, group.carrier_group_id, exc)  # fmt: skip
                await run_in_threadpool(queue_invitation, web.store, group, typed, now)
                return again(202, queued=True)
            log.warning("matrix join page: %s was admitted to %s but not invited: %s", typed,
                        group.carrier_group_id, exc)  # fmt: skip
            await give_seat_back()  # the homeserver refused for good: nobody arrives by it
            error = say("cannot_invite", language, user=typed, why=_why(exc), group=group.name,
                        community=community_name(group))  # fmt: skip
            return again(503, error=error)
        return again(200, invited=True)

    missing_below(routes, PATH.rstrip("/"), missing)  # no room named: the page, not JSON
    return routes


def closed(store: Store | None = None, group: Group | None = None) -> HTMLResponse:
    """The room is closed (`hearth groups close`): in both languages, as `missing`; closed
    into another group, naming it with a link where one joins it (another Matrix room's join
    page here, a web chat group's invite link)."""
    if store is None or group is None or group.closed_into is None:
        return HTMLResponse(_CLOSED.format(into=""), status_code=410)
    into = store.get_group(group.closed_into)
    if into is None or into.closed:
        return HTMLResponse(_CLOSED.format(into=""), status_code=410)
    link = None
    if into.carrier == CARRIER:
        link = join_page_path(into.carrier_group_id, None)
    elif into.carrier == WEBCHAT:
        link = join_link(store, into, "")
    name = html.escape(into.name)
    there = "" if link is None else f'：<a href="{html.escape(link)}">{html.escape(link)}</a>'
    shown = _INTO.format(name=name, there_zh=there or "。",
                         there_en=there.replace("：", ": ") or ".")  # fmt: skip
    return HTMLResponse(_CLOSED.format(into=shown), status_code=410)


def missing() -> HTMLResponse:
    """No such room here: in both languages (no community to take one from)."""
    return HTMLResponse(_MISSING, status_code=404)


def queue_invitation(store: Store, group: Group, user_id: str, at: datetime) -> None:
    """The bot's invitation as an action on the outbound queue, performed by whichever process
    runs the bot (`--role engine`), and tried again while the homeserver is away."""
    action = Action(kind=ActionKind.ADMIT, carrier=CARRIER, group=group.carrier_group_id,
                    member=user_id, reason="asked on the join page", handler=HANDLER,
                    key=f"{HANDLER}:{group.id}:{user_id}:{at.isoformat()}")  # fmt: skip
    assert action.key is not None
    store.enqueue(action.key, CARRIER, action.to_json(), action.priority, group_id=group.id,
                  at=at)  # fmt: skip


def _why(exc: CarrierError) -> str:
    """The homeserver's refusal, short: what comes after the carrier's `matrix: doing:`."""
    return str(exc).rpartition(": ")[2][:200] or "no answer"


def _for_good(verdict: Verdict) -> bool:
    """Whether the door refused for good: no question to answer, no code to type, nothing
    that asking again could turn (a newcomer asked for a code is still on their way)."""
    return (verdict.entry is Entry.REFUSE and not verdict.questions and not verdict.asks_code
            and not verdict.keeps_form)  # fmt: skip


def _shown(looked: Verdict) -> Verdict | None:
    """What the page says of the door before anything is typed: what it asks, or why not;
    of a door that lets everyone in, only what it says (a paid community's free trial)."""
    return looked if not looked.admitted or looked.reason else None
