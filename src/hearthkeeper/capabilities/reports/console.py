"""Delete a reported message (striking its author on a rule) or dismiss its reports, from
its alert in the console's inbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from hearthkeeper.capabilities.reports import decisions
from hearthkeeper.capabilities.reports.decide import NotCounted
from hearthkeeper.capabilities.reports.repository import (
    Against,
    AlreadyDecided,
    MadeReport,
    Report,
    SqlReports,
    reported_of_alert,
)
from hearthkeeper.capabilities.reports.texts import TEXTS
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import StaffAlert, Store
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import (
    ConsoleRoute,
    PageNotFound,
    Pages,
    SignedIn,
    back_to,
)


def router(pages: Pages) -> APIRouter:
    """`POST /console/c/{slug}/reports/{reported_id}/uphold` (form: `violation`) and
    `…/dismiss`."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    def decided(slug: str, reported_id: int, decision: decisions.Decision, by: str,
                violation: str = "") -> Response:  # fmt: skip
        view = pages.community(slug)
        try:
            decisions.decide(store, reported_id, decision, f"console:{by}", web.clock.now(),
                             violation=violation, community_id=view.community.id,
                             playbook=view.playbook)  # fmt: skip
        except decisions.NoSuchReport:
            raise PageNotFound(
                f"There is no reported message {reported_id} in {view.community.name}.", view
            ) from None
        except (decisions.NoSuchRule, decisions.NoPlaybook):
            return back_to(view, None, "/inbox", problem="no-such-rule")
        except decisions.StaffAuthor:
            return back_to(view, None, "/inbox", problem="report-against-staff")
        except AlreadyDecided:
            return back_to(view, None, "/inbox", problem="already-decided-report")
        notice = "report-upheld" if decision is decisions.Decision.UPHOLD else "report-dismissed"
        return back_to(view, None, "/inbox", notice=notice)

    @routes.post("/console/c/{slug}/reports/{reported_id}/uphold",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def uphold(
        slug: str, reported_id: int, operator: SignedIn,
        violation: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:  # fmt: skip
        return decided(slug, reported_id, decisions.Decision.UPHOLD, operator.username, violation)

    @routes.post("/console/c/{slug}/reports/{reported_id}/dismiss",
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def dismiss(slug: str, reported_id: int, operator: SignedIn) -> Response:
        return decided(slug, reported_id, decisions.Decision.DISMISS, operator.username)

    return routes


@dataclass(frozen=True)
class InboxReport:
    """A reported message's alert as the inbox offers it: the rules to strike on (none for a
    staff member's message: only Dismiss). Its text is the alert's, as the REST API reads it:
    every report says itself in it as it comes (`effects.py`)."""

    reported_id: int
    rules: list[str]


def in_inbox(store: Store, alerts: Sequence[StaffAlert],
             playbook: Playbook | None) -> dict[int, InboxReport]:  # fmt: skip
    """The report alerts among `alerts`, by alert id (none without a playbook: no rules)."""
    shown: dict[int, InboxReport] = {}
    if playbook is None:
        return shown
    reports = SqlReports.on(store)
    for a in alerts:
        reported_id = reported_of_alert(a.key) if a.handler == "reports" else None
        reported = reports.get(reported_id) if reported_id is not None else None
        if reported is None:
            continue
        stay = store.active_stays([(reported.group_id, reported.author_id)]).get(
            (reported.group_id, reported.author_id)
        )
        by_staff = stay is not None and stay.role is not None
        shown[a.id] = InboxReport(reported.id, [] if by_staff else decisions.rules(playbook))
    return shown


SHOWN = 50  # reports by a member, and messages of theirs reported, on their page


@dataclass(frozen=True)
class MemberReports:
    """A member's page: their messages others reported, and the reports they made (each the
    latest `SHOWN`), with the groups' and the reported authors' names."""

    against: list[Against]
    made: list[MadeReport]
    groups: dict[int, str]
    authors: dict[int, str]

    @staticmethod
    def not_counted(report: Report) -> str:
        """Why a report did not count toward hiding, as staff read it ("" when it did)."""
        if report.not_counted is None:
            return ""
        why = TEXTS.say(NotCounted(report.not_counted).value, Language.EN)
        return f"not counted: {why}"


def member_reports(store: Store, community_id: int, member_id: int) -> MemberReports:
    """What the member's page says of reports by them and against them."""
    reports = SqlReports.on(store)
    against = reports.against(community_id, member_id, SHOWN)
    made = reports.made_by(community_id, member_id, SHOWN)
    groups = {g.id: g.name for g in store.list_groups(community_id)}
    authors = store.member_names({m.reported.author_id for m in made})
    return MemberReports(against, made, groups, authors)
