"""The REST API under /api/v1: communities, groups, members, moderation, the inbox, the audit
log and playbooks. Every endpoint needs an API token or a console session (`require_api`);
what the staff do through it is written to the audit log as `api:<operator>`.

Endpoints are plain functions, so FastAPI runs their store work in its thread pool and the
event loop (the engine, the web chat) never waits on the database.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, time
from typing import Annotated, Any, Literal, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hearthkeeper.capabilities.appeals import decisions as appeal_decisions
from hearthkeeper.capabilities.appeals.listing import Listed, listed, one
from hearthkeeper.capabilities.faq.repository import SqlQuestions
from hearthkeeper.capabilities.moderation import staff
from hearthkeeper.capabilities.points.levels_repository import SqlLevels
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.capabilities.reports import decisions as report_decisions
from hearthkeeper.capabilities.reports import listing as report_listing
from hearthkeeper.store import Community, Operator, Sanction, StoreError, Strike
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.text.folding import in_name_order
from hearthkeeper.web.api_lookup import api_community
from hearthkeeper.web.api_models import (
    AlertOut,
    AppealOut,
    AppliedOut,
    AuditOut,
    CommunityDetailOut,
    CommunityOut,
    DecidedOut,
    DecisionIn,
    ErrorOut,
    GroupOut,
    IdentityOut,
    InboxOut,
    LiftedOut,
    LiveOut,
    MemberDetailOut,
    MemberPageOut,
    MemberSummaryOut,
    MessageOut,
    PlaybookInvalidOut,
    PlaybookOut,
    QuestionOut,
    RemovedOut,
    ReportDecisionIn,
    ReportOut,
    SanctionOut,
    StrikeOut,
    TagOut,
    VersionOut,
)
from hearthkeeper.web.api_playbook import PLAYBOOK_BODY, apply_body, read_body
from hearthkeeper.web.auth import require_api
from hearthkeeper.web.context import Web

OperatorDep = Annotated[Operator, Depends(require_api)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}
REFUSED: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}}
# the inbox listings' filter (appeals, reports): `?open=true`
UndecidedQuery = Annotated[
    bool, Query(alias="open", description="Only those staff have not decided yet.")
]


def api_router(web: Web) -> APIRouter:
    """Every /api/v1 endpoint, reading and writing through `web`."""
    router = APIRouter(
        prefix="/api/v1",
        dependencies=[Depends(require_api)],
        responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
    )

    def community(slug: str) -> Community:
        return api_community(web.store, slug)

    @router.get("/communities", tags=["communities"])
    def list_communities() -> list[CommunityOut]:
        """Every community in the store."""
        return [CommunityOut.model_validate(c) for c in web.store.list_communities()]

    @router.get("/communities/{slug}", tags=["communities"], responses=NOT_FOUND)
    def get_community(slug: str) -> CommunityDetailOut:
        """A community: its groups, playbook version, inbox size and today's numbers."""
        found = community(slug)
        version = web.store.latest_playbook_version(found.id)
        return CommunityDetailOut(
            slug=found.slug, name=found.name, created_at=found.created_at,
            groups=len(web.store.list_groups(found.id)),
            playbook_version=version.version if version else None,
            inbox=web.store.inbox_count(found.id), live=live_numbers(web, found),
        )  # fmt: skip

    @router.get("/communities/{slug}/live", tags=["communities"], responses=NOT_FOUND)
    def get_live(slug: str) -> LiveOut:
        """Messages, active members, joins, leaves and strikes today, in the community's
        time zone (from its playbook)."""
        return live_numbers(web, community(slug))

    @router.get("/communities/{slug}/groups", tags=["groups"], responses=NOT_FOUND)
    def list_groups(slug: str) -> list[GroupOut]:
        """The community's groups, how many members each has now, and web chat invite links;
        by name as the console lists them (`group 2` before `group 10`), those named alike by
        id."""
        found = community(slug)
        counts = web.store.group_member_counts(found.id)
        groups = in_name_order(web.store.list_groups(found.id))
        links = web.invite_urls(groups)
        return [
            GroupOut(id=g.id, name=g.name, carrier=g.carrier, carrier_group_id=g.carrier_group_id,
                     capacity=g.capacity, members=counts.get(g.id, 0),
                     invite_url=links.get(g.id))
            for g in groups
        ]  # fmt: skip

    @router.get("/communities/{slug}/members", tags=["members"], responses=NOT_FOUND)
    def list_members(
        slug: str,
        query: Annotated[str | None, Query(description="Part of the display name.")] = None,
        tag: Annotated[str | None, Query(description="Only members with this tag.")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> MemberPageOut:
        """The community's members by name, found by part of their name and/or a tag."""
        found = community(slug)
        members = web.store.search_members(found.id, query, tag, limit, offset)
        return MemberPageOut(
            total=web.store.count_members(found.id, query, tag), limit=limit, offset=offset,
            members=[MemberSummaryOut.model_validate(m) for m in members],
        )  # fmt: skip

    @router.get("/communities/{slug}/members/{member_id}", tags=["members"], responses=NOT_FOUND)
    def get_member(slug: str, member_id: int) -> MemberDetailOut:
        """A member's profile, identities, tags, level, points, strikes, sanctions and
        latest messages in this community."""
        found = community(slug)
        store = web.store
        member = store.get_member(member_id)
        if member is None or not store.member_in_community(found.id, member_id):
            raise HTTPException(404, detail=f"Member {member_id} is not in community {slug!r}.")
        now = web.clock.now()
        level = SqlLevels.on(store).member_level(found.id, member_id)
        return MemberDetailOut(
            id=member.id, display_name=member.display_name, profile=dict(member.profile),
            notes=member.notes, created_at=member.created_at,
            identities=[IdentityOut.model_validate(i) for i in store.identities(member_id)],
            tags=[TagOut.model_validate(t) for t in store.member_tags(member_id)],
            level=level.level if level else None, points=SqlPoints.on(store).points_of(found.id, member_id),
            strikes=[strike_out(s, now)
                     for s in store.community_strikes(found.id, member_id=member_id)],
            sanctions=[sanction_out(s, now) for s in store.community_sanctions(
                found.id, in_force_only=False, member_id=member_id)],
            recent_messages=[MessageOut(id=m.id, group_id=m.group_id, group_name=m.group_name,
                                        kind=m.kind.value, text=m.text, sent_at=m.sent_at)
                             for m in store.recent_messages(member_id, found.id, limit=20)],
        )  # fmt: skip

    @router.get("/communities/{slug}/strikes", tags=["moderation"], responses=NOT_FOUND)
    def list_strikes(slug: str, live_only: bool = False) -> list[StrikeOut]:
        """The community's strikes, newest first (only those that count now if `live_only`)."""
        found = community(slug)
        now = web.clock.now()
        strikes = web.store.community_strikes(found.id, live_only=live_only, now=now)
        return [strike_out(s, now) for s in strikes]

    @router.post("/strikes/{strike_id}/pardon", tags=["moderation"], responses=REFUSED)
    def pardon_strike(strike_id: int, operator: OperatorDep) -> StrikeOut:
        """Take a strike back: it stays on record, no longer counts, and the audit log says who."""
        now = web.clock.now()
        try:
            strike = staff.pardon(web.store, strike_id, actor(operator), now)
        except StoreError as exc:
            refuse(exc)
        return strike_out(strike, now)

    @router.post("/messages/{message_id}/delete", tags=["moderation"], responses=REFUSED)
    def delete_message(message_id: int, operator: OperatorDep) -> RemovedOut:
        """Delete a member's message on its carrier; the community's learned scorer takes
        it as an example of spam."""
        try:
            staff.delete_message(web.store, message_id, actor(operator), web.clock.now())
        except StoreError as exc:
            refuse(exc)
        return RemovedOut(message_id=message_id, deleted=True, bans=[])

    @router.post("/messages/{message_id}/ban", tags=["moderation"], responses=REFUSED)
    def ban_for_message(message_id: int, operator: OperatorDep) -> RemovedOut:
        """Ban a message's sender from the community's groups they are in and delete the
        message; the learned scorer takes it as an example of spam."""
        now = web.clock.now()
        try:
            bans = staff.ban_for_message(web.store, message_id, actor(operator), now)
        except StoreError as exc:
            refuse(exc)
        return RemovedOut(message_id=message_id, deleted=True,
                          bans=[sanction_out(b, now) for b in bans])  # fmt: skip

    @router.get("/communities/{slug}/sanctions", tags=["moderation"], responses=NOT_FOUND)
    def list_sanctions(slug: str, in_force: bool = True) -> list[SanctionOut]:
        """Mutes, bans and blacklists, newest first: those in force now (or all of them)."""
        found = community(slug)
        now = web.clock.now()
        sanctions = web.store.community_sanctions(found.id, in_force_only=in_force, now=now)
        return [sanction_out(s, now) for s in sanctions]

    @router.post("/sanctions/{sanction_id}/lift", tags=["moderation"], responses=REFUSED)
    def lift_sanction(sanction_id: int, operator: OperatorDep) -> LiftedOut:
        """End a mute, ban or blacklist now; the engine undoes it on the carriers."""
        now = web.clock.now()
        try:
            sanction, queued = staff.lift(web.store, sanction_id, actor(operator), now)
        except StoreError as exc:
            refuse(exc)
        return LiftedOut(sanction=sanction_out(sanction, now), undo_actions=queued)

    @router.get("/communities/{slug}/inbox", tags=["inbox"], responses=NOT_FOUND)
    def get_inbox(slug: str) -> InboxOut:
        """What waits for staff: unanswered questions and alerts not yet handled."""
        found = community(slug)
        return InboxOut(
            questions=[QuestionOut.model_validate(q)
                       for q in SqlQuestions.on(web.store).waiting_questions(found.id)],
            alerts=[AlertOut.model_validate(a) for a in web.store.staff_alerts(found.id)],
        )  # fmt: skip

    @router.post("/alerts/{alert_id}/handle", tags=["inbox"], responses=REFUSED)
    def handle_alert(alert_id: int, operator: OperatorDep) -> AlertOut:
        """Mark a staff alert handled: it leaves the inbox and the audit log says who. A
        member's appeal waiting for staff is pardoned or upheld instead (409), and members'
        reports of a message are upheld or dismissed (`/reports/{id}/…`) instead (409)."""
        with web.store.transaction() as tx:
            try:
                found = tx.get_staff_alert(alert_id)
                if found is not None:
                    appeal_decisions.not_handled_alone(tx, found)
                    report_decisions.not_handled_alone(tx, found)
                alert = tx.handle_alert(alert_id, actor(operator), web.clock.now())
            except StoreError as exc:
                refuse(exc)
            tx.audit(actor(operator), "alert.handle", alert.community_id,
                     target=f"alert {alert_id}", detail={"handler": alert.handler})  # fmt: skip
        return AlertOut.model_validate(alert)

    @router.post("/alerts/{alert_id}/not-an-ad", tags=["inbox"], responses=REFUSED)
    def not_an_ad(alert_id: int, operator: OperatorDep) -> AlertOut:
        """Say an advertising alert's message was fine: the alert is marked handled and the
        community's learned scorer takes the message as ordinary chat (once: a retry is
        refused with 409 and changes nothing)."""
        try:
            alert = staff.not_an_ad(web.store, alert_id, actor(operator), web.clock.now())
        except StoreError as exc:
            refuse(exc)
        return AlertOut.model_validate(alert)

    @router.get("/communities/{slug}/appeals", tags=["inbox"], responses=NOT_FOUND)
    def list_appeals(
        slug: str,
        open_only: UndecidedQuery = False,
    ) -> list[AppealOut]:
        """Members' appeals against a strike, mute or ban, oldest first (the newest 200)."""
        found = community(slug)
        return [appeal_out(a) for a in listed(web.store, found.id, open_only=open_only)]

    @router.post("/appeals/{appeal_id}/{decision}", tags=["inbox"],
                 responses={**REFUSED, 422: {"model": ErrorOut}})  # fmt: skip
    def decide_appeal(
        appeal_id: int,
        decision: Literal["pardon", "uphold"],
        operator: OperatorDep,
        body: DecisionIn | None = None,
    ) -> DecidedOut:
        """Pardon (the strike taken back, the mute or ban lifted) or uphold an appeal, as the
        console's inbox does; the member is told once, with your `note` if you give one. An
        appeal decided already (from the console a moment before, too) is refused with 409
        and nothing is sent again."""
        work = appeal_decisions.pardon if decision == "pardon" else appeal_decisions.uphold
        note = body.note if body is not None else ""
        try:
            decided = work(web.store, appeal_id, actor(operator), web.clock.now(), note=note)
        except StoreError as exc:
            refuse(exc)
        except ValueError as exc:
            raise HTTPException(422, detail=str(exc)[:1].upper() + str(exc)[1:] + ".") from None
        shown = one(web.store, appeal_id)
        assert shown is not None, "an appeal just decided exists"
        return DecidedOut(appeal=appeal_out(shown), lifted=decided.lifted)

    @router.get("/communities/{slug}/reports", tags=["inbox"], responses=NOT_FOUND)
    def list_reports(
        slug: str,
        open_only: UndecidedQuery = False,
    ) -> list[ReportOut]:
        """Messages members reported (`/report`), oldest first (the newest 200): whose,
        where, how many reported it and how many of those count, whether reports hid it."""
        found = community(slug)
        return [report_out(r) for r in report_listing.listed(web.store, found.id,
                                                              open_only=open_only)]  # fmt: skip

    @router.post("/reports/{reported_id}/{decision}", tags=["inbox"],
                 responses={**REFUSED, 422: {"model": ErrorOut}})  # fmt: skip
    def decide_report(
        reported_id: int,
        decision: report_decisions.Decision,
        operator: OperatorDep,
        body: ReportDecisionIn | None = None,
    ) -> ReportOut:
        """Uphold (delete the message and strike its author on `violation`, the ladder's step
        following) or dismiss (nobody struck) members' reports of a message, as the console's
        inbox does. Reports decided already (from another screen a moment before, too), and
        an uphold of a staff member's message, are refused with 409; an uphold without one of
        the playbook's rules with 422; nothing is decided then."""
        violation = body.violation.strip() if body is not None else ""
        try:
            report_decisions.decide(web.store, reported_id, decision, actor(operator),
                                    web.clock.now(), violation=violation)  # fmt: skip
        except StoreError as exc:
            refuse(exc)
        except ValueError as exc:
            raise HTTPException(422, detail=str(exc)[:1].upper() + str(exc)[1:] + ".") from None
        shown = report_listing.one(web.store, reported_id)
        assert shown is not None, "a reported message just decided exists"
        return report_out(shown)

    @router.get("/communities/{slug}/audit", tags=["audit"], responses=NOT_FOUND)
    def get_audit(
        slug: str,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    ) -> list[AuditOut]:
        """The community's audit log, newest first: who did what, by hand or by the engine;
        `limit` entries after the `offset` newest (older ones: the next `offset`; fewer than
        `limit`: the oldest were reached)."""
        found = community(slug)
        entries = web.store.audit_entries(found.id, limit=limit, offset=offset)
        return [AuditOut.model_validate(e) for e in entries]

    @router.get("/communities/{slug}/playbook", tags=["playbook"], responses=NOT_FOUND)
    def get_playbook(slug: str) -> PlaybookOut:
        """The playbook version in force, with its text."""
        found = community(slug)
        version = web.store.latest_playbook_version(found.id)
        if version is None:
            raise HTTPException(404, detail=f"Community {slug!r} has no playbook applied yet.")
        return PlaybookOut.model_validate(version)

    @router.get("/communities/{slug}/playbook/versions", tags=["playbook"], responses=NOT_FOUND)
    def list_versions(slug: str) -> list[VersionOut]:
        """Every version the community applied, first one first."""
        found = community(slug)
        return [VersionOut.model_validate(v) for v in web.store.playbook_versions(found.id)]

    @router.post(
        "/communities/{slug}/playbook",
        tags=["playbook"],
        response_model=AppliedOut,
        responses={**REFUSED, 413: {"model": ErrorOut}, 422: {"model": PlaybookInvalidOut}},
        openapi_extra=PLAYBOOK_BODY,
    )
    async def post_playbook(slug: str, request: Request, operator: OperatorDep) -> JSONResponse:
        """Apply a new playbook version: the YAML as text/yaml, or JSON {"source": "..."}.
        Invalid text answers 422 with every problem's line and column and changes nothing."""
        body = await read_body(request)
        if isinstance(body, tuple):  # over the size limit: refused before it is even read
            return JSONResponse(body[1], status_code=body[0])
        found = await run_in_threadpool(community, slug)
        status, answer = await run_in_threadpool(
            apply_body, web, found, request.headers.get("content-type", ""), body, actor(operator)
        )
        return JSONResponse(answer, status_code=status)

    return router


def actor(operator: Operator) -> str:
    """How the audit log names what an operator did through the API."""
    return f"api:{operator.username}"


def refuse(exc: StoreError) -> NoReturn:
    """A store refusal as an HTTP error: 404 for what does not exist, else 409."""
    message = str(exc)
    status = 404 if message.startswith("there is no") else 409
    raise HTTPException(status, detail=message[:1].upper() + message[1:] + ".")


def appeal_out(found: Listed) -> AppealOut:
    """An appeal as the API shows it."""
    a = found.appeal
    return AppealOut(id=a.id, community=found.community, member_id=a.member_id,
                     member_name=found.member, group_id=a.group_id, group_name=found.group,
                     against=found.against.kind, violation=found.against.violation,
                     strike_id=a.strike_id, sanction_id=a.sanction_id, why=a.text, at=a.at,
                     status=found.status, decided_at=a.decided_at, decided_by=a.decided_by,
                     note=a.note)  # fmt: skip


def report_out(found: report_listing.Listed) -> ReportOut:
    """A reported message as the API shows it."""
    r = found.reported
    return ReportOut(id=r.id, community=found.community, group_id=r.group_id,
                     group_name=found.group, message_id=r.message_id, author_id=r.author_id,
                     author_name=found.author, text=found.text, reports=found.reports,
                     counting=found.counting, hidden=found.hidden, at=r.at,
                     status=found.status, decided_at=r.decided_at,
                     decided_by=r.decided_by)  # fmt: skip


def strike_out(strike: Strike, now: datetime) -> StrikeOut:
    """A strike as the API shows it, with whether it counts at `now`."""
    return StrikeOut.model_validate({**asdict(strike), "live": strike.live(now)})


def sanction_out(sanction: Sanction, now: datetime) -> SanctionOut:
    """A sanction as the API shows it, with whether it is in force at `now`."""
    in_force = sanction.lifted_at is None and (sanction.until is None or sanction.until > now)
    values = {**asdict(sanction), "kind": sanction.kind.value, "in_force": in_force}
    return SanctionOut.model_validate(values)


def live_numbers(web: Web, community: Community) -> LiveOut:
    """Today's numbers, "today" starting at midnight in the community's time zone."""
    version = web.store.latest_playbook_version(community.id)
    name = str(version.content.get("community", {}).get("timezone", "UTC")) if version else "UTC"
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        name, zone = "UTC", ZoneInfo("UTC")
    local_day = web.clock.now().astimezone(zone).date()
    since = datetime.combine(local_day, time(0), tzinfo=zone).astimezone(UTC)
    numbers = web.store.live_numbers(community.id, since)
    return LiveOut(since=since, timezone=name, **asdict(numbers))


__all__ = ["api_router"]
