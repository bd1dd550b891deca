"""The playbook: the version running, its ISOOC summary and gaps, every version applied, and
uploading a new one — validated (problems located by line and column, nothing stored), then
a diff to confirm, then applied through the running server."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from hearthkeeper.apply import stored_group_names, stored_over_limit, stored_refused_since
from hearthkeeper.capabilities.activities.left import left_behind
from hearthkeeper.capabilities.billing.dropped import dropped_plans
from hearthkeeper.capabilities.moderation.expiry import expiry_changed
from hearthkeeper.playbook import (
    CarrierKinds,
    LoadedPlaybook,
    Playbook,
    PlaybookError,
    Problem,
    parse_playbook,
)
from hearthkeeper.playbook.checks import GroupsOf
from hearthkeeper.playbook.diff import diff_content, playbook_content
from hearthkeeper.playbook.loader import MAX_PLAYBOOK_BYTES, KiB
from hearthkeeper.playbook.summary import Element, summarise
from hearthkeeper.store import Operator
from hearthkeeper.store.columns import storable
from hearthkeeper.web.auth import require_csrf
from hearthkeeper.web.console.pages import (
    CommunityView,
    ConsoleRoute,
    Pages,
    SignedIn,
    back_to,
    messages_from,
)
from hearthkeeper.web.templates import render

LIMIT: Final = f"{MAX_PLAYBOOK_BYTES // KiB} KiB"  # the same limit as the REST API's
UPLOADED: Final = "uploaded playbook"


class Refused(Exception):
    """An upload that cannot become a version: why, in the operator's words."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def normalised(text: str) -> str:
    """The text as it is kept and hashed: line breaks as LF (forms send CRLF), storable."""
    return storable(text.replace("\r\n", "\n").replace("\r", "\n"))


def sha256_of(text: str) -> str:
    """The hash the store keeps of a version's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def uploaded_text(form: FormData) -> str:
    """The playbook from the form: the chosen file, else the pasted text (at most 256 KiB)."""
    chosen = form.get("file")
    if isinstance(chosen, UploadFile) and chosen.filename:
        data = await chosen.read(MAX_PLAYBOOK_BYTES + 1)
        if len(data) > MAX_PLAYBOOK_BYTES:
            raise Refused(
                f"{chosen.filename} is larger than {LIMIT}, the most a playbook may be; nothing "
                "was stored. Keep long texts in content libraries (calendar.posts[].content."
                "library) rather than in the playbook itself."
            )
        try:
            return normalised(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise Refused(
                f"{chosen.filename} is not UTF-8 text (byte {exc.start + 1} cannot be read); "
                "save it as UTF-8 and upload it again."
            ) from None
    pasted = form.get("text")
    text = pasted if isinstance(pasted, str) else ""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PLAYBOOK_BYTES:
        raise Refused(
            f"The pasted playbook is larger than {LIMIT}, the most a playbook may be; nothing "
            "was stored. Keep long texts in content libraries (calendar.posts[].content.library)."
        )
    if not text.strip():
        raise Refused("Choose a playbook file or paste its text, then upload.")
    return normalised(text)


def checked(
    view: CommunityView, text: str, now: datetime, groups: GroupsOf | None = None
) -> LoadedPlaybook:
    """The playbook in `text`, if valid and for this community; else `Refused`. Its warnings
    include a one-off activity starting before `now`; `groups`: the names of the groups that
    exist (a post naming one is no slip)."""
    try:
        loaded = parse_playbook(text, UPLOADED, now=now, groups=groups)
    except PlaybookError as exc:
        count = len(exc.problems)
        raise Refused(
            f"The playbook has {count} problem{'s' if count != 1 else ''}; nothing was stored. "
            f"Fix {'them' if count != 1 else 'it'} and upload the playbook again.",
            exc.problems,
        ) from None
    slug = loaded.playbook.community.slug
    if slug != view.community.slug:
        raise Refused(
            f"This playbook is for the community “{slug}”, not “{view.community.slug}” "
            f"(community.slug); nothing was stored. Upload it on that community's page, or "
            f"set community.slug: {view.community.slug}."
        )
    return loaded


def _summary(
    playbook: Playbook, base_dir: Path, group_names: list[str], running: Collection[str]
) -> list[Element]:
    """The ISOOC summary with the gaps `hearth playbook show` names: also what no installed
    carrier runs, a carrier named that this server does not run (`running`: the kinds it
    runs), and what the posts' content folders hold that a carrier named does not send;
    the naming of the community's next group as its groups, `group_names`, make it."""
    from hearthkeeper.capabilities.calendar.library import posts_with_files
    from hearthkeeper.carriers.installed import (
        installed_file_kinds,
        installed_kinds,
        installed_tables,
    )

    files = posts_with_files(playbook.calendar.posts, base_dir)
    kinds = CarrierKinds(installed_kinds(), frozenset(running), tables=installed_tables(),
                         sends_files=installed_file_kinds())  # fmt: skip
    return summarise(playbook, kinds, files, group_names)


def router(pages: Pages) -> APIRouter:
    """`/console/c/{slug}/playbook`: view, upload (review the diff), apply."""
    routes = APIRouter(route_class=ConsoleRoute)
    web = pages.web
    store = web.store

    def page(request: Request, view: CommunityView, operator: Operator, *,
             status: int = 200, **context: Any) -> HTMLResponse:  # fmt: skip
        versions = store.playbook_versions(view.community.id)
        names = [g.name for g in store.list_groups(view.community.id)]
        summary = _summary(view.playbook, web.playbooks.base_dir(view.community.id), names,
                           web.carriers) if view.playbook is not None else []  # fmt: skip
        stored = None if view.version is None else view.version.source_text
        over = () if stored is None else stored_over_limit(stored)
        since = () if stored is None else stored_refused_since(stored)
        return render(request, "console/playbook.html", status_code=status, operator=operator,
                      active="playbook", versions=list(reversed(versions)), summary=summary,
                      current=view.version, over_limit=over, refused_since=since, **context,
                      **view.context())  # fmt: skip

    def review(request: Request, view: CommunityView, operator: Operator, text: str,
               loaded: LoadedPlaybook, **context: Any) -> HTMLResponse:  # fmt: skip
        current = view.version
        digest = sha256_of(text)
        if current is not None and current.sha256 == digest:
            return page(request, view, operator, notice="The uploaded playbook is the same as "
                        f"version {current.version}, which is running; nothing to apply.")  # fmt: skip
        new = playbook_content(loaded.playbook)
        changes = diff_content(current.content, new) if current is not None else []
        held = [] if current is None else dropped_plans(web.store, view.community.id,
                                                        current.content, loaded.playbook)  # fmt: skip
        if current is not None:
            held += left_behind(web.store, view.community.id, loaded.playbook, web.clock.now())
            held += expiry_changed(web.store, view.community.id, current.content,
                                   loaded.playbook, web.clock.now(), write=False)  # fmt: skip
        return render(
            request, "console/playbook_review.html", operator=operator, active="playbook",
            text=text, sha256=digest, base_version=current.version if current else 0,
            next_version=(current.version if current else 0) + 1, changes=changes,
            current=current, warnings=loaded.warnings, members_hold=held, **context, **view.context(),
        )  # fmt: skip

    @routes.get("/console/c/{slug}/playbook", response_class=HTMLResponse)
    def show(request: Request, slug: str, operator: SignedIn) -> HTMLResponse:
        view = pages.community(slug)
        return page(request, view, operator, **messages_from(request))

    @routes.post("/console/c/{slug}/playbook", dependencies=[Depends(require_csrf)])
    async def upload(request: Request, slug: str, operator: SignedIn) -> Response:
        view = pages.community(slug)
        text = ""
        try:
            text = await uploaded_text(await request.form())
            loaded = checked(view, text, web.clock.now(), stored_group_names(web.store))
        except Refused as refused:  # the text goes back in the textarea, to fix in place
            return page(request, view, operator, status=422, problem=refused.message,
                        problems=refused.problems, pasted=text)  # fmt: skip
        return review(request, view, operator, text, loaded)

    @routes.post("/console/c/{slug}/playbook/apply", dependencies=[Depends(require_csrf)])
    async def apply(request: Request, slug: str, operator: SignedIn) -> Response:
        view = pages.community(slug)
        form = await request.form()
        text = normalised(str(form.get("text", "")))
        base = str(form.get("base", ""))
        try:
            if sha256_of(text) != form.get("sha256"):
                raise Refused("The playbook changed on its way back from the page; upload it "
                              "again.")  # fmt: skip
            loaded = checked(view, text, web.clock.now(), stored_group_names(web.store))
        except Refused as refused:
            return page(request, view, operator, status=422, problem=refused.message,
                        problems=refused.problems)  # fmt: skip
        running = view.version.version if view.version else 0
        if base != str(running):
            assert view.version is not None
            return review(
                request, view, operator, text, loaded, problem=f"Version {running} was applied "
                f"by {view.version.applied_by} while you reviewed; here are the changes against "
                "it. Apply again if they are still what you want.",
            )  # fmt: skip
        try:
            web.playbooks.replace(view.community.id, loaded, by=f"console:{operator.username}")
        except PlaybookError as exc:
            return page(request, view, operator, status=422, problems=exc.problems,
                        problem="The server refused this playbook; nothing was applied.")  # fmt: skip
        except ValueError as exc:
            return page(request, view, operator, status=409, problem=f"{exc}; nothing was applied.")
        return back_to(view, None, "/playbook", notice="applied")

    return routes
