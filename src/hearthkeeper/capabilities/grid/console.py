"""The console's matrix of groups, `/console/c/{slug}/matrix`: every group side by side
(size and fill, messages and active members over 7 days, health, stage, who is in charge,
its playbook override), sortable by any column (links, no script), narrowed to one stage or
to the groups whose name or carrier id holds what was typed (a matrix of hundreds of groups:
"which are dying?", "where is 12群?"), the warnings above it, putting staff in charge of
a group or taking them off, and one poll, check-in prompt or skip across the groups ticked
(`across_console.py`)."""

from __future__ import annotations

import io
from collections import Counter
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearthkeeper.capabilities.grid import across_console
from hearthkeeper.capabilities.grid.decide import (
    MAX_FIND,
    SORTS,
    STAGE_FILTER,
    matrix_warnings,
    narrowed,
    sorted_lines,
)
from hearthkeeper.capabilities.grid.export import rows, write_csv
from hearthkeeper.capabilities.grid.load import load_matrix
from hearthkeeper.capabilities.grid.repository import CLOSED_TAKES_NOBODY, NOT_IN_IT, SqlGrid
from hearthkeeper.capabilities.grid.stage import Stage
from hearthkeeper.carriers.closing import refused_closes
from hearthkeeper.playbook.groups import override_for
from hearthkeeper.store import Operator, Store
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.groups import by_id
from hearthkeeper.web.console.pages import NOTICES as PAGE_NOTICES
from hearthkeeper.web.console.pages import (
    CommunityView,
    ConsoleRoute,
    PageNotFound,
    Pages,
    SignedIn,
    back_to,
)
from hearthkeeper.web.templates import render

NOTICES: Final = {
    "assigned": "Put in charge of the group.",
    "assigned-not-in": f"Put in charge of the group. They are not in it yet: {NOT_IN_IT}.",
    "unassigned": "Taken off the group.",
    "already": "They were in charge of that group already.",
    "not-in-charge": "They were not in charge of that group.",
    "not-staff": "Choose a staff member of this community.",
    "closed-takes-nobody": f"That group is closed: {CLOSED_TAKES_NOBODY} (its Reopen button).",
    "group-closed": "The group is closed: it takes no newcomers, its members can no longer "
    "post, and it gets no scheduled posts; its history stays.",
    "group-closed-short": PAGE_NOTICES["group-closed-short"],
    "group-reopened": "The group is open again.",
    **{code: said for code, said in PAGE_NOTICES.items() if code.startswith("group-asked-again")},
}


def matrix_context(pages: Pages, view: CommunityView, sort: str, order: str,
                   stage: str = "", find: str = "") -> dict[str, Any]:  # fmt: skip
    """What the page shows: the sorted lines of the stage asked for (`stage`, else every
    stage) whose name or carrier id holds `find`, their warnings (and the community's), the
    number of groups at each stage, and who may be put in charge."""
    web, playbook = pages.web, view.playbook
    zone = view.zone if isinstance(view.zone, ZoneInfo) else ZoneInfo("UTC")
    matrix = load_matrix(web.store, view.community.id, playbook, zone, web.clock.now())
    grid = SqlGrid.on(web.store)
    warnings = [] if playbook is None else matrix_warnings(matrix.lines, playbook)
    by_group: dict[int, list[str]] = {}
    for warning in warnings:
        if warning.group_id is not None:
            by_group.setdefault(warning.group_id, []).append(warning.kind.value)
    overrides = {} if playbook is None else {
        line.group_id: o for line in matrix.lines
        if (o := override_for(playbook, line.name, line.carrier_group_id)) is not None}  # fmt: skip
    wanted = stage.strip().casefold()[:MAX_FIND]  # a bookmark's ?stage=Dying too
    chosen = Stage(wanted) if wanted in {s.value for s in Stage} else None
    # an unknown stage is named, not silently read as "every stage"
    unknown = stage.strip()[:MAX_FIND] if wanted and chosen is None else ""
    find = find.strip()[:MAX_FIND]
    shown = narrowed(matrix.lines, chosen, find)
    filtered = chosen is not None or bool(find)
    if filtered:
        ids = {line.group_id for line in shown}
        warnings = [w for w in warnings if w.group_id is None or w.group_id in ids]
    kept = {k: v for k, v in (("stage", "" if chosen is None else chosen.value), ("q", find)) if v}
    sort = sort if sort in SORTS else "name"  # by name (2群 before 10群) unless asked
    order = "desc" if order == "desc" else "asc"
    plain = sort == "name" and order == "asc"
    return {
        "matrix": matrix, "lines": sorted_lines(shown, sort, descending=order == "desc"),
        "sort": sort, "order": order, "stage": chosen, "find": find, "filtered": filtered,
        "unknown_stage": unknown, "stage_names": [s.value for s in Stage],
        "stages": [(s, Counter(line.stage for line in matrix.lines)[s]) for s in STAGE_FILTER],
        "kept": ("&" + urlencode(kept)) if kept else "",
        "sorting": "" if plain else "&" + urlencode({"sort": sort, "order": order}),
        "warnings": warnings, "flagged": by_group, "alerted": grid.conditions(view.community.id),
        # closed lines whose platform refused the close: members still post; asked again here
        "refused": refused_closes(web.store, view.community.id,
                                  [(line.group_id, line.carrier) for line in shown
                                   if line.closed]),
        "staff": grid.staff_of(view.community.id), "overrides": overrides,
        "limits": None if playbook is None else playbook.replication,
        "circle": None if playbook is None else playbook.structure.groups.small_circle_size,
        "post_ids": [] if playbook is None else [p.id for p in playbook.calendar.posts],
    }  # fmt: skip


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/matrix`, and putting staff in charge of groups."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web

    @routes.get("/console/c/{slug}/matrix", response_class=HTMLResponse)
    def matrix(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        query = request.query_params
        notice = NOTICES.get(query.get("done", ""))
        return render(request, "console/grid.html", operator=operator, active="matrix",
                      notice=notice, **matrix_context(pages, view, query.get("sort", "name"),
                                                      query.get("order", "asc"),
                                                      query.get("stage", ""),
                                                      query.get("q", "")),
                      **view.context())  # fmt: skip

    @routes.get("/console/c/{slug}/matrix/export", response_model=None)
    def export(request: Request, slug: str, operator: SignedIn) -> Response:
        """The matrix as CSV (`hearth grid export`): the groups the page shows, as it orders
        them (its stage, search and sort kept in the link)."""
        view = pages.community(slug)
        query = request.query_params
        shown = matrix_context(pages, view, query.get("sort", "name"), query.get("order", "asc"),
                               query.get("stage", ""), query.get("q", ""))  # fmt: skip
        buffer = io.StringIO()
        buffer.write("\ufeff")  # a BOM: Excel reads the file as UTF-8, as the CLI's
        write_csv(buffer, rows(shown["lines"], shown["warnings"], shown["overrides"]))
        name = f"matrix-{view.community.slug}-{shown['matrix'].as_of.isoformat()}.csv"
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip

    @routes.post("/console/c/{slug}/matrix/charge", dependencies=[Depends(require_csrf)])
    def charge(slug: str, operator: SignedIn, group_id: Annotated[int, Form()],
               member_id: Annotated[int, Form()],
               action: Annotated[Literal["assign", "unassign"], Form()] = "assign",
               ) -> RedirectResponse:  # fmt: skip
        view = pages.community(slug)
        grid = SqlGrid.on(web.store)
        groups = {g.id: g for g in web.store.list_groups(view.community.id)}
        if group_id not in groups or member_id not in grid.staff_of(view.community.id):
            return back_to(view, None, "/matrix", done="not-staff")
        if action == "assign" and groups[group_id].closed:  # a form loaded before it closed
            return back_to(view, None, "/matrix", done="closed-takes-nobody")
        by, now = f"console:{operator.username}", web.clock.now()
        with web.store.transaction() as tx:
            repo = SqlGrid.on(tx)
            done = (repo.unassign(group_id, member_id) if action == "unassign"
                    else repo.assign(group_id, member_id, by, now))  # fmt: skip
            if done:
                tx.audit(by, f"group.{action}", view.community.id, target=f"group {group_id}",
                         detail={"member": member_id, "group": groups[group_id].name})  # fmt: skip
        unassign = action == "unassign"
        code = {(True, True): "unassigned", (True, False): "not-in-charge",
                (False, True): "assigned", (False, False): "already"}[(unassign, done)]  # fmt: skip
        if code == "assigned" and group_id not in web.store.open_groups(member_id):
            code = "assigned-not-in"
        return back_to(view, None, "/matrix", done=code)

    @routes.get("/console/c/{slug}/matrix/charge", response_class=HTMLResponse)
    def charge_form(request: Request, slug: str, operator: SignedIn,
                    group_id: int = 0) -> HTMLResponse:  # fmt: skip
        """One group's "Put in charge" form: the fragment the Matrix page's row asks for,
        or (without script) a page of its own."""
        view = pages.community(slug)
        return _group_form(request, web.store, view, operator, group_id, "charge",
                           staff=SqlGrid.on(web.store).staff_of(view.community.id))  # fmt: skip

    @routes.get("/console/c/{slug}/matrix/close", response_class=HTMLResponse)
    def close_form(request: Request, slug: str, operator: SignedIn,
                   group_id: int = 0) -> HTMLResponse:  # fmt: skip
        """One group's Close form (with the open groups its members may carry on in), as
        the row's fragment or a page of its own."""
        view = pages.community(slug)
        groups = web.store.list_groups(view.community.id)
        open_names = [g.name for g in groups if not g.closed and g.id != group_id]
        return _group_form(
            request, web.store, view, operator, group_id, "close", open_names=open_names
        )

    across_console.add_routes(routes, pages)
    return routes


def _group_form(request: Request, store: Store, view: CommunityView, operator: Operator,
                group_id: int, form: str, **context: Any) -> HTMLResponse:  # fmt: skip
    """The form `form` for the community's group `group_id`: the bare form for htmx, else a
    page; a group of another community or none is not found."""
    found, problem = by_id(store, view.community.id, group_id)
    if found is None:
        raise PageNotFound(problem, view)
    fragment = request.headers.get("HX-Request") == "true"
    name = "console/_grid_forms.html" if fragment else "console/grid_group.html"
    return render(request, name, operator=operator, active="matrix", form=form, group=found,
                  fragment=fragment, **context, **view.context())  # fmt: skip
