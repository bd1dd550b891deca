"""Members: the searchable list, and one member's profile with their paid membership, event
sign-ups, strikes (to pardon), sanctions (to lift), appeals, reports by and against them,
recent messages and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hearthkeeper.capabilities.activities.records import Event, SignUp
from hearthkeeper.capabilities.activities.repository import SqlActivities
from hearthkeeper.capabilities.appeals import listing
from hearthkeeper.capabilities.appeals.repository import Appeal, SqlAppeals
from hearthkeeper.capabilities.billing.given import GIVEN_ACTION, new_key
from hearthkeeper.capabilities.billing.ledger import payments_of
from hearthkeeper.capabilities.billing.records import Subscription
from hearthkeeper.capabilities.billing.repository import SqlBilling
from hearthkeeper.capabilities.moderation.decisions import Decision, named
from hearthkeeper.capabilities.points.levels_repository import LevelChange, SqlLevels
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.capabilities.reports.console import member_reports
from hearthkeeper.store import Group, Membership, Store
from hearthkeeper.store.records import STAFF_ROLE, AuditEntry
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.web.console.pages import (
    PAGE_SIZE,
    CommunityView,
    ConsoleRoute,
    PageNotFound,
    Pages,
    SignedIn,
    messages_from,
    paged,
)
from hearthkeeper.web.templates import render

MESSAGES_SHOWN = 50
SHOWN = 50  # the member's latest appeals and event sign-ups on their page

# what a sign-up's status means, as the member page says it
SIGNUP_SAID = {"confirmed": "has a place", "unpaid": "place held, unpaid",
               "waitlisted": "on the waitlist", "cancelled": "cancelled",
               "lapsed": "lapsed unpaid"}  # fmt: skip


@dataclass(frozen=True)
class Stay:
    """One stay of the member in one of the community's groups."""

    group: Group
    membership: Membership


@dataclass(frozen=True)
class Happening:
    """A line of the member's history."""

    at: datetime
    what: str
    detail: str


@dataclass(frozen=True)
class Paid:
    """One of the member's paid memberships, with its plan's name."""

    subscription: Subscription
    plan: str
    given: bool = False  # no payment covers it, only days or periods given free (`/membership`)


@dataclass(frozen=True)
class Place:
    """One of the member's sign-ups to an event."""

    signup: SignUp
    event: Event
    said: str


@dataclass(frozen=True)
class AppealLine:
    """One of the member's appeals, with what it was against."""

    appeal: Appeal
    against: str


def level_names(view: CommunityView) -> dict[str, str]:
    """Level ids → the names members see (the bottom level for members never placed)."""
    if view.playbook is None:
        return {}
    return {level.id: level.name for level in view.playbook.structure.levels}


def bottom_level(view: CommunityView) -> str:
    """The name of the level of members never placed."""
    return "" if view.playbook is None else view.playbook.structure.levels[0].name


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/members` and `/console/c/{slug}/members/{member_id}`."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    @routes.get("/console/c/{slug}/members", response_class=HTMLResponse)
    def members(
        request: Request, slug: str, operator: SignedIn, q: str = "", tag: str = "",
        group: str = "",
    ) -> HTMLResponse:  # fmt: skip
        view = pages.community(slug)
        cid = view.community.id
        groups = store.list_groups(cid)
        # one group's members (`?group=ID`: who ever stayed or spoke in it); another
        # community's group or no number: every group
        chosen = next((g for g in groups if str(g.id) == group.strip()), None)
        within = None if chosen is None else chosen.id
        total = store.count_members(cid, q, tag, group_id=within)
        page, last = paged(request, total)
        found = store.search_members(cid, q, tag, limit=PAGE_SIZE,
                                     offset=(page - 1) * PAGE_SIZE, group_id=within)  # fmt: skip
        return render(
            request, "console/members.html", operator=operator, active="members",
            members=found, total=total, page=page, pages=last, groups=groups, chosen=chosen,
            q=q, tag=tag, levels=level_names(view), bottom=bottom_level(view),
            **view.context(),
        )  # fmt: skip

    @routes.get("/console/c/{slug}/members/{member_id}", response_class=HTMLResponse)
    def member(request: Request, slug: str, member_id: int, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        cid = view.community.id
        person = store.get_member(member_id)
        if person is None or not store.member_in_community(cid, member_id):
            raise PageNotFound(f"There is no member {member_id} in {view.community.name}.", view)
        now = web.clock.now()
        groups = {g.id: g for g in store.list_groups(cid)}
        stays = [
            Stay(groups[m.group_id], m)
            for m in store.membership_history(member_id)
            if m.group_id in groups
        ]
        strikes = named(store, cid, store.community_strikes(cid, member_id=member_id), [], now)
        sanctions = named(
            store, cid, [], store.community_sanctions(cid, False, now, member_id=member_id), now
        )
        levels = SqlLevels.on(store)
        level = levels.member_level(cid, member_id)
        changes = levels.level_changes(cid, member_id)
        names = level_names(view)
        roles = view.playbook.structure.roles if view.playbook else {}
        titles = {rid: role.title for rid, role in roles.items()}
        # every role given or taken away, however many other entries (strikes, bans, billing)
        # the member's history holds
        # and every gift of days of membership (an order of 0: the audit entry says how many)
        entries = store.audit_entries(cid, target=f"member {member_id}",
                                      actions=[STAFF_ROLE, GIVEN_ACTION], limit=None)  # fmt: skip
        given = [e for e in entries if e.action == STAFF_ROLE]
        plans = {p.id: p.name for p in view.playbook.monetisation.plans} if view.playbook else {}
        history = _history(stays, strikes + sanctions, changes, names, roles=(given, titles),
                           gifts=([e for e in entries if e.action == GIVEN_ACTION], plans))  # fmt: skip
        return render(
            request, "console/member.html", operator=operator, active="members",
            member=person, identities=store.identities(member_id), stays=stays,
            role_titles=titles,
            tags=store.member_tags(member_id),
            level=names.get(level.level, level.level) if level else bottom_level(view),
            level_since=level.since if level else None,
            points=SqlPoints.on(store).points_of(cid, member_id),
            live_strikes=sum(1 for s in strikes if s.status == "live"),
            strikes=strikes, sanctions=sanctions,
            paid=_paid(view, cid, member_id, store), places=_places(cid, member_id, store),
            appeals=_appeals(cid, member_id, strikes, store),
            reports=member_reports(store, cid, member_id),
            messages=store.recent_messages(member_id, cid, MESSAGES_SHOWN),
            history=history, here=request.url.path, give_key=new_key(),
            plans=view.playbook.monetisation.plans if view.playbook else [],
            **messages_from(request), **view.context(),
        )  # fmt: skip

    return routes


def _paid(view: CommunityView, cid: int, member_id: int, store: StoreBase) -> list[Paid]:
    """The member's paid memberships, newest first, each with its plan's name (its id when
    the playbook run now no longer has the plan) and whether it was only ever given free."""
    plans = {p.id: p.name for p in view.playbook.monetisation.plans} if view.playbook else {}
    repo = SqlBilling.on(store)
    subs = repo.subscriptions(cid, member_id=member_id)
    orders = repo.orders(cid, member_id=member_id)
    return [Paid(s, plans.get(s.plan_id, s.plan_id),
                 s.paid and not payments_of([o for o in orders if o.subscription_id == s.id]))
            for s in reversed(subs)]  # fmt: skip


def _places(cid: int, member_id: int, store: StoreBase) -> list[Place]:
    """The member's sign-ups to the community's events, the latest event first."""
    found = SqlActivities.on(store).member_signups(cid, member_id, SHOWN)
    return [Place(s, e, SIGNUP_SAID.get(s.status.value, s.status.value)) for s, e in found]


def _appeals(cid: int, member_id: int, strikes: list[Decision],
             store: StoreBase) -> list[AppealLine]:  # fmt: skip
    """The member's appeals, newest first, each naming the strike or mute it was against."""
    violations = {d.strike.id: d.violation for d in strikes if d.strike is not None}
    lines = []
    for appeal in SqlAppeals.on(store).member_appeals(cid, member_id, SHOWN):
        if appeal.strike_id is not None:
            against = f"strike for {violations.get(appeal.strike_id) or appeal.strike_id}"
        else:  # a mute, or a ban appealed from the web chat's banned page
            against = listing.against(Store.on(store), appeal).words
        lines.append(AppealLine(appeal, against))
    return lines


def _history(
    stays: list[Stay], decisions: list[Decision], changes: list[LevelChange],
    names: dict[str, str], *, roles: tuple[list[AuditEntry], dict[str, str]] = ([], {}),
    gifts: tuple[list[AuditEntry], dict[str, str]] = ([], {}),
) -> list[Happening]:  # fmt: skip
    """Stays, sanctions, strikes, level changes, staff roles given or taken away and days of
    membership given (`gifts`: their audit entries and the plans' names) on one timeline,
    newest first. A stay's role is the one held now, not the one joined with: a
    member made staff later joined as a member (the audit log says who made them staff, when);
    only a role nothing recorded the giving of is said beside the stay, as held now."""
    given, titles = roles
    found: list[Happening] = []
    for entry in given:
        role = entry.detail.get("role")
        what = "made staff" if role else "staff role taken away"
        said = _role_named(str(role), titles) + " " if role else ""
        found.append(Happening(entry.at, what, f"{said}by {entry.actor}"))
    entries, plans = gifts
    for entry in entries:
        found.append(Happening(entry.at, "days given", _gift(entry, plans)))
    for stay in stays:
        role = stay.membership.role
        held = f" ({_role_named(role, titles)} now; not recorded when it was given)" if (
            role and not given) else ""  # fmt: skip
        found.append(Happening(stay.membership.joined_at, "joined", f"{stay.group.name}{held}"))
        if stay.membership.left_at is not None:
            found.append(Happening(stay.membership.left_at, "left", stay.group.name))
    for decision in decisions:
        where = f" in {decision.group}" if decision.group else ""
        what = decision.violation or _short(decision.explanation)
        found.append(Happening(decision.at, decision.kind, f"{what}{where}"))
        if decision.strike is not None and decision.strike.pardoned_at is not None:
            found.append(Happening(decision.strike.pardoned_at, "pardoned",
                                   f"strike for {decision.violation} by {decision.strike.pardoned_by}"))  # fmt: skip
        sanction = decision.sanction
        if sanction is not None and sanction.lifted_at is not None:
            found.append(Happening(sanction.lifted_at, f"{sanction.kind.value} lifted",
                                   f"by {sanction.lifted_by}"))  # fmt: skip
    for change in changes:
        old = names.get(change.from_level, change.from_level) if change.from_level else "—"
        new = names.get(change.to_level, change.to_level)
        found.append(Happening(change.at, "level", f"{old} → {new}: {change.reason}"))
    return sorted(found, key=lambda h: h.at, reverse=True)


def _gift(entry: AuditEntry, plans: dict[str, str]) -> str:
    """A gift of days as its history line says it: '7 days of Half-year membership by ann:
    a referral reward'."""
    days, plan = entry.detail.get("days"), str(entry.detail.get("plan", ""))
    reason = str(entry.detail.get("reason") or "")
    said = f"{days} day{'' if days == 1 else 's'} of {plans.get(plan, plan)} by {entry.actor}"
    return f"{said}: {reason}" if reason else said


def _role_named(role: str, titles: dict[str, str]) -> str:
    title = titles.get(role, "")
    return f"{role} ({title})" if title and title != role else role


def _short(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
