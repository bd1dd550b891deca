"""Members' invite links: `/ref/<token>` on this server, leading on to the join page of a
group of the inviter's community with `?via=ref:<token>` (the join keeps it as `Join.source`).
Serving them also tells `addresses` where the links start."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.referrals.addresses import serve_links
from hearthkeeper.capabilities.referrals.decide import PREFIX
from hearthkeeper.capabilities.referrals.repository import SqlReferrals
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.groups import group_capacity, is_staff_channel
from hearthkeeper.store import Group
from hearthkeeper.web.context import Web
from hearthkeeper.web.missing import missing_below

log = logging.getLogger(__name__)


def landing_group(web: Web, community_id: int, inviter_id: int) -> tuple[Group, str] | None:
    """The group an invite link opens, with its join path: one the server hosts (the web
    chat's), the inviter's own when it has room, else the first with room, else the first.
    A community with no hosted group lands on a group of a carrier whose join link brings
    the token back with the join (Telegram: an invite link named after it, made by the
    carrier's `join_link` in `follow`); `""` stands for that link until it is made."""
    store = web.store
    playbook = community_playbook(store, community_id)
    groups = [g for g in store.list_groups(community_id)  # never the staff channel
              if playbook is None or not is_staff_channel(playbook, g.name, g.carrier_group_id)]  # fmt: skip
    hosted = [(g, s.hosted.invite_path(g.id)) for g in groups
              if (s := web.carriers.get(g.carrier)) is not None and s.hosted is not None]  # fmt: skip
    if not hosted:
        hosted = [(g, "") for g in groups
                  if (s := web.carriers.get(g.carrier)) is not None and s.attributes
                  and s.join_link is not None]  # fmt: skip
    if not hosted:
        return None
    mine = {m.group_id for m in store.membership_history(inviter_id) if m.left_at is None}
    seated = store.group_member_counts(community_id)  # one count per group, not every member

    def room(group: Group) -> bool:
        capacity = group_capacity(playbook, group.name, group.carrier_group_id, group.capacity)
        return capacity is None or seated.get(group.id, 0) < capacity

    ordered = sorted(hosted, key=lambda gh: (not room(gh[0]), gh[0].id not in mine, gh[0].id))
    return ordered[0]


_MISSING = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>邀请链接无效 · Invite link not found</title>
<p>这个邀请链接无效，或这个社群在这里没有可加入的群。</p>
<p>This invite link is not known here, or its community has no group to join here.</p>
</html>"""


def router(web: Web) -> APIRouter:
    """`GET /ref/{token}`: on to the join page, keeping the token."""
    routes = APIRouter(include_in_schema=False)
    serve_links(web.store, web.settings.public_url)

    def resolve(token: str) -> str | None:
        link = SqlReferrals.on(web.store).link_by_token(token)
        if link is None:
            return None
        found = landing_group(web, link.community_id, link.member_id)
        if found is None:
            return None
        group, path = found
        served = web.carriers.get(group.carrier)
        if not path and served is not None and served.join_link is not None:
            try:
                return served.join_link(group, PREFIX + token)
            except CarrierError as exc:
                log.warning("no %s join link for referral %s: %s", group.carrier, token, exc)
                return None
        return f"{path}?{urlencode({'via': PREFIX + token})}"

    @routes.get("/ref/{token}", response_model=None)
    async def follow(token: str) -> Response:
        target = await run_in_threadpool(resolve, token[:64])
        if target is None:
            return missing()
        return RedirectResponse(target, status_code=303)

    missing_below(routes, "/ref", missing)  # `/ref/` cut short: the same page, not JSON
    return routes


def missing() -> HTMLResponse:
    """No such link: in both languages (no community to take one from)."""
    return HTMLResponse(_MISSING, status_code=404)
