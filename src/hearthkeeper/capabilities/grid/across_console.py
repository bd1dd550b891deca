"""The Matrix page's "Across the chosen groups" form, `POST /console/c/{slug}/matrix/across`: the
rows checked (or every group the page shows) take one poll, one check-in prompt or one skip of
a scheduled post's firing (`across.py`). A poll or a prompt is shown first — where it will go
and where not, and why — and done once confirmed; a skip is done at once. The answer says how
many groups it reached and names those it did not."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from hearthkeeper.capabilities.grid.across import (
    MAX_POLL,
    MAX_PROMPT,
    AcrossError,
    Choice,
    Reach,
    choose,
    plan_polls,
    plan_prompts,
    prompt_asked,
    push_prompts,
    read_poll_asked,
    skip_posts,
    start_polls,
)
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import Pages, SignedIn
from hearthkeeper.web.templates import render

Doing = Literal["poll", "checkin", "skip"]


def add_routes(routes: APIRouter, pages: Pages) -> None:
    """Add the form's route to the Matrix page's router."""
    web = pages.web

    @routes.post("/console/c/{slug}/matrix/across", response_class=HTMLResponse,
                 dependencies=[Depends(require_csrf)])  # fmt: skip
    def across(
        request: Request, slug: str, operator: SignedIn,
        action: Annotated[Doing, Form()],
        group_id: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies it)
        shown_id: Annotated[list[int], Form()] = [],  # noqa: B006
        every_shown: Annotated[bool, Form()] = False,
        poll: Annotated[str, Form(max_length=MAX_POLL)] = "",
        prompt: Annotated[str, Form(max_length=MAX_PROMPT)] = "",
        post: Annotated[str, Form(max_length=64)] = "",
        on: Annotated[str, Form(max_length=10)] = "",
        confirmed: Annotated[bool, Form()] = False,
    ) -> HTMLResponse:  # fmt: skip
        view = pages.community(slug)
        now, by = web.clock.now(), f"console:{operator.username}"
        ids = tuple(dict.fromkeys([*group_id, *(shown_id if every_shown else [])]))
        asked: dict[str, Any] = {"action": action, "ids": ids, "poll": poll, "prompt": prompt,
                                 "post": post, "on": on}  # fmt: skip

        def page(status: int = 200, **more: Any) -> HTMLResponse:
            reach = more.get("reach")
            more["whys"] = reach_lines(reach) if isinstance(reach, Reach) else {}
            return render(request, "console/grid_across.html", status_code=status,
                          operator=operator, active="matrix", asked=asked, **more,
                          **view.context())  # fmt: skip

        playbook = view.playbook
        try:
            if playbook is None:
                raise AcrossError("no playbook is applied to this community yet: apply one "
                                  "first (the Playbook page)")  # fmt: skip
            if not ids:
                raise AcrossError("no group was chosen: tick the groups in the matrix (or "
                                  "“every group shown”) and ask again")  # fmt: skip
            chosen = choose(web.store, view.community.id, playbook, Choice(ids=ids), now)
            if action == "skip":
                day = _day(on)
                reach = skip_posts(web.store, playbook, chosen, post.strip().lower(), day, by,
                                   operator.username, now)  # fmt: skip
                return page(reach=reach, done=True, zone=_zone(view.zone))
            if action == "poll":
                request_ = read_poll_asked(playbook, poll, now)
                if not confirmed:
                    return page(reach=plan_polls(web.store, playbook, chosen, request_, now),
                                done=False, poll_asked=request_, zone=_zone(view.zone))  # fmt: skip
                reach = start_polls(web.store, playbook, chosen, request_, by, now)
                return page(reach=reach, done=True, poll_asked=request_, zone=_zone(view.zone))
            checkin = prompt_asked(playbook, prompt, now)
            if not confirmed:
                return page(reach=plan_prompts(web.store, playbook, chosen, checkin, now),
                            done=False, zone=_zone(view.zone))  # fmt: skip
            reach = push_prompts(web.store, playbook, chosen, checkin, by, now)
            return page(reach=reach, done=True, zone=_zone(view.zone))
        except AcrossError as exc:
            return page(400, problem=str(exc), reach=None)


def _day(on: str) -> date | None:
    if not on.strip():
        return None
    try:
        return date.fromisoformat(on.strip())
    except ValueError:
        raise AcrossError(f"“{on[:10]}” is not a day: write it as YYYY-MM-DD, or leave it "
                          "empty for the post's next firing") from None  # fmt: skip


def _zone(zone: object) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


def reach_lines(reach: Reach) -> dict[str, list[str]]:
    """The groups left out, by why (for the page)."""
    whys: dict[str, list[str]] = {}
    for missed in reach.missed:
        whys.setdefault(missed.why, []).append(missed.group.name)
    return whys
