"""The console's referrals page, `/console/c/{slug}/referrals`: the invite task as the
playbook sets it, the leaderboards (this month, all time, with each member's invite link) and
the latest referrals with their state (pending until the stay check, credited, revoked)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hearthkeeper.capabilities.referrals.decide import month_start, path_of, stay_text
from hearthkeeper.capabilities.referrals.repository import SqlReferrals
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.counts import counted
from hearthkeeper.web.console.pages import ConsoleRoute, Pages, SignedIn
from hearthkeeper.web.templates import render

SHOWN = 50


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/referrals`."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    @routes.get("/console/c/{slug}/referrals", response_class=HTMLResponse)
    def referrals(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        community_id, now = view.community.id, web.clock.now()
        repo = SqlReferrals.on(web.store)
        playbook = view.playbook
        settings = None if playbook is None else playbook.mechanisms.referrals
        timezone = "UTC" if playbook is None else playbook.community.timezone
        item = None if settings is None or playbook is None else next(
            (r.name for r in playbook.mechanisms.points.rewards if r.id == settings.reward.reward),
            settings.reward.reward)  # fmt: skip
        earns = []  # what the task gives, as this playbook runs it (points only when kept)
        if settings is not None and playbook is not None:
            if settings.reward.points and playbook.mechanisms.points.enabled:
                earns.append(counted(settings.reward.points, "point"))
            if settings.reward.title:
                earns.append(f"the title “{settings.reward.title}”")
            if item:
                earns.append(f"the reward item “{item}”")
        month = repo.top(community_id, month_start(now, timezone), SHOWN)
        ever = repo.top(community_id, None, SHOWN)
        base = web.settings.public_url.rstrip("/")
        links = {r.member_id: base + path_of(repo.link_of(community_id, r.member_id, now).token)
                 for r in ever}  # fmt: skip
        return render(
            request, "console/referrals.html", operator=operator, active="referrals",
            settings=settings, stay=None if settings is None else stay_text(settings.stay, Language.EN),
            earns=earns,
            month=month, ever=ever, links=links, recent=repo.recent(community_id, SHOWN),
            **view.context(),
        )  # fmt: skip

    return routes
