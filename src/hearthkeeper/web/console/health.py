"""The community's health dashboard: activity over time, segments, cohort retention, health
components, the content-kind ranking, the lifecycle stage and heat-death warnings — the
report of `hearth report`, live from the store, for the whole community or one group.

The page carries the chart data in a `<script type="application/json">` block (data, not
code: the console's policy runs no inline script) and `/static/console/charts.js` draws it.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hearthkeeper.analytics.report import ScopeReport, build_report, default_start, most_days
from hearthkeeper.analytics.report_cache import ReportCache
from hearthkeeper.analytics.report_charts import ALL, chart_data, scope_key
from hearthkeeper.web.console.pages import CommunityView, ConsoleRoute, Pages, SignedIn
from hearthkeeper.web.templates import local, render

PERIODS: Final = (30, 90, 365)  # days the dashboard offers, and all the history ("all")
DEFAULT_DAYS: Final = 90
ALL_DAYS: Final = "all"


def _days(request: Request) -> int | None:
    """The days asked for; None: all the history."""
    asked = request.query_params.get("days", "")
    if asked == ALL_DAYS:
        return None
    return int(asked) if asked.isdigit() and int(asked) in PERIODS else DEFAULT_DAYS


def dashboard_context(pages: Pages, view: CommunityView, scope: str, days: int | None,
                      cache: ReportCache | None = None) -> dict[str, Any]:  # fmt: skip
    """The report of the last `days` local days (None: the whole history; from the first
    message, if later), its chart data for the whole community and the group `scope` names,
    and what is shown (`cache`: the page's reports, built again only when their data
    changed)."""
    store = pages.web.store
    now = pages.web.clock.now()
    today = now.astimezone(view.zone).date()
    zone = view.zone
    first = default_start(store, view.community.id, zone, today)
    wanted = (today - first).days + 1 if days is None else days
    longest = most_days(len(store.list_groups(view.community.id)))
    shown_days = min(wanted, longest)  # so many groups: a shorter period than chosen
    start = max(today - timedelta(days=shown_days - 1), first)
    report = build_report(store, view.community.id, now=now, start=start, end=today,
                          playbook=view.playbook, cache=cache)  # fmt: skip
    data = report.to_json()
    groups = {scope_key(g["id"]): g for g in data["groups"]}
    chosen = scope if scope in groups else ALL
    shown = [groups[chosen]["id"]] if chosen != ALL else []
    return {
        "r": data,
        # paid membership's figures, the report's own (None: the community sells nothing)
        "money": report.money,
        "by_health": by_health(data["groups"]),
        "scope": chosen,
        "group": groups.get(chosen),
        "scopes": [(ALL, f"{view.community.name} (all groups)")]
        + [(key, g["name"]) for key, g in groups.items()],
        "days": ALL_DAYS if days is None else days,
        "shortened": shown_days if shown_days < wanted else None,  # the days shown instead
        "periods": PERIODS,
        "all_days": ALL_DAYS,
        # history before the period and none in it (an import of a chat that ended): said
        "earlier": first.isoformat() if first < start and not data["overall"]["messages"] else None,
        "charts": chart_data(data, groups=shown, selected=chosen),
        "times": {ALL: _span(report.overall, zone)}
        | {scope_key(g.group.id): _span(g, zone) for g in report.groups if g.group is not None},
    }


def by_health(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's groups as "Health by group" lists them: the lowest score first (the
    groups that need the operator), then the new ones, then those not measured, then the
    closed ones (no longer the operator's to revive); in the report's order among equals."""

    def rank(group: dict[str, Any]) -> tuple[int, int]:
        health = group.get("health") or {}
        if group.get("closed"):
            return 3, 0
        if health.get("score") is not None and not health.get("new"):
            return 0, int(health["score"])
        return (1, 0) if health.get("new") else (2, 0)

    return sorted(groups, key=rank)


def _span(scope: ScopeReport, zone: tzinfo) -> tuple[str, str]:
    """First and last message, for the page (already in the community's time zone)."""
    return local(scope.span[0], zone), local(scope.span[1], zone)


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/health`."""
    routes = APIRouter(route_class=ConsoleRoute)
    cache = ReportCache()

    @routes.get("/console/c/{slug}/health", response_class=HTMLResponse)
    def health(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        scope = request.query_params.get("scope", ALL)
        return render(
            request, "console/health.html", operator=operator, active="health",
            **dashboard_context(pages, view, scope, _days(request), cache), **view.context(),
        )  # fmt: skip

    return routes
