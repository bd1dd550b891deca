"""What every console page shares: the community it is about (or a 404 page in the layout),
the playbook it runs, its time zone, notices after a form, and safe redirects."""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from typing import Annotated, Any, Final
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from hearthkeeper.apply import stored_playbook
from hearthkeeper.carriers.closing import SHORT
from hearthkeeper.engine.not_closed import PLATFORMS
from hearthkeeper.playbook import Playbook
from hearthkeeper.store import Community, Group, Operator, PlaybookVersion
from hearthkeeper.store.records import find_community, several_meant
from hearthkeeper.web.auth import require_operator
from hearthkeeper.web.context import Web
from hearthkeeper.web.invalid import CONSOLE, community_context
from hearthkeeper.web.overflow import overflow_answer
from hearthkeeper.web.slashed import named
from hearthkeeper.web.templates import render

SignedIn = Annotated[Operator, Depends(require_operator)]
PAGE_SIZE: Final = 50
_CACHED_PLAYBOOKS: Final = 32

# A group closed already whose platform refused the last close (the bot lacked the right),
# closed again: the platform is asked again (`carriers/closing.py`)
ASKED_AGAIN: Final = ("The group was closed already; {platform} is asked again to stop members "
                      "posting. If the bot still lacks the right, the Inbox's alerts say so.")  # fmt: skip
# What a finished form says on the page it returns to: fixed texts, chosen by a code in the
# URL, so a link cannot make the console say anything else.
NOTICES: Final = {
    "given": "Days of membership given: the new end is under Paid membership; the member is "
    "told in private where the carrier can.",
    "pardoned": "Strike pardoned.",
    "lifted": "Sanction lifted; the carrier is asked to undo it.",
    "handled": "Alert marked handled.",
    "not-an-ad": "Alert marked handled; this community's spam scorer learns the message was "
    "ordinary chat.",
    "appeal-pardoned": "Appeal pardoned: the strike is taken back (the spam scorer learns the "
    "message was acceptable), its mute lifted; the member is told.",
    "appeal-upheld": "Appeal upheld: the decision stands; the member is told.",
    "report-upheld": "Reported message deleted and its author struck (the ladder's step "
    "follows; the spam scorer learns the message).",
    "report-dismissed": "Reports dismissed: nobody is struck.",
    "answered": "Question marked answered.",
    "applied": "The new playbook version is applied and running.",
    "group-opened": "A new web chat group is open.",
    "group-closed": "The group is closed: it takes no newcomers and gets no scheduled posts; "
    "its history stays.",
    "group-closed-short": "The group is closed: it takes no newcomers and gets no scheduled "
    "posts; its history stays. The group its members are sent to has no room for all of them: "
    f"{SHORT}.",
    "group-reopened": "The group is open again.",
    "groups-opened": "The new web chat groups are open; their invite links are at the end of the "
    "list.",
    "deleted": "Message deleted; this community's spam scorer learns from it.",
    "banned": "Member banned and the message deleted; this community's spam scorer learns from it.",
    "approved": "Application approved; the applicant's carrier is asked to let them in.",
    "refused": "Application refused; the applicant sees your message when they come back.",
    "code-revoked": "Invite code revoked; the people it let in stay.",
    **{
        f"group-asked-again-{carrier}": ASKED_AGAIN.format(platform=platform)
        for carrier, platform in PLATFORMS.items()
        if carrier != "webchat"
    },
    "group-asked-again": ASKED_AGAIN.format(platform="its platform"),  # after the ';'
}
PROBLEMS: Final = {
    "already-pardoned": "That strike was pardoned already.",
    "already-lifted": "That sanction was lifted already.",
    "already-handled": "That alert was handled already.",
    "appeal-waiting": "That alert is a member's appeal: pardon or uphold it, which marks it "
    "handled and tells them.",
    "no-message": "That alert names no member's message to learn from; mark it handled.",
    "already-decided": "That appeal was decided already; the first decision stands.",
    "note-too-long": "Keep the note to the member to 500 characters: nothing was decided.",
    "already-decided-report": "Those reports were decided already; the first decision stands.",
    "report-waiting": "That alert is members' reports of a message: delete it (striking its "
    "author) or dismiss the reports, which marks it handled.",
    "no-such-rule": "Pick one of the playbook's rules to strike the author on.",
    "report-against-staff": "That message is a staff member's: staff are not struck through "
    "reports. Dismiss the reports, or take it up with them.",
    "already-answered": "That question was answered already.",
    "no-sender": "That message has no sender to ban.",
    "already-reviewed": "That application was reviewed already; the first decision stands.",
    "already-revoked": "That invite code was revoked already.",
    "group-opened-already": "A group was opened since that page was shown (a second click or a "
    "form sent again): no other was opened. Open another from the list as it is now.",
}


class PageNotFound(Exception):
    """Something a console URL names does not exist; shown as a 404 page in the layout."""

    def __init__(self, what: str, community: CommunityView | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.community = community


class CommunityMoved(Exception):
    """A console URL names a community by its name or another case (`/console/c/Tea Friends`,
    `/console/c/TEA`): answered by a redirect to the same page under its slug."""

    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


def _under_slug(request: Request, slug: str) -> str:
    """The address `request` asked for, with the community segment replaced by `slug`."""
    path: str = request.scope["path"]
    rest = path.removeprefix(f"{CONSOLE}/c/").partition("/")
    moved = f"{CONSOLE}/c/{quote(slug)}" + (f"/{quote(rest[2])}" if rest[1] else "")
    return f"{moved}?{request.url.query}" if request.url.query else moved


class ConsoleRoute(APIRoute):
    """A route whose `PageNotFound` (raised by the handler or a dependency) becomes the
    console's 404 page; an `OverflowError` (an id beyond any row's) its 404 or 400 page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except CommunityMoved as moved:  # 307: a form sent there is sent again, as it was
                return RedirectResponse(_under_slug(request, moved.slug), status_code=307)
            except PageNotFound as missing:
                context: dict[str, Any] = {"what": missing.what}
                if missing.community is not None:
                    context |= missing.community.context()
                return render(request, "console/not_found.html", status_code=404, **context)
            except OverflowError as exc:  # an id no row can have, or a number out of range
                status, what = overflow_answer(request, exc)
                heading = "Not found" if status == 404 else "Out of range"
                return render(request, "console/not_found.html", status_code=status, what=what,
                              heading=heading, **community_context(request))  # fmt: skip

        return handle


@dataclass(frozen=True)
class CommunityView:
    """A community as its pages see it: the version it runs and its time zone."""

    community: Community
    communities: list[Community]
    version: PlaybookVersion | None
    playbook: Playbook | None
    zone: tzinfo
    inbox_count: int

    @property
    def path(self) -> str:
        """The community's console URL."""
        return f"/console/c/{self.community.slug}"

    def start_of_day(self, now: datetime) -> datetime:
        """Midnight of `now`'s day in the community's time zone."""
        local = now.astimezone(self.zone)
        return datetime.combine(local.date(), time(0), self.zone)

    def context(self) -> dict[str, Any]:
        """What the layout needs: the community, the switcher and the inbox count."""
        return {
            "community": self.community,
            "communities": self.communities,
            "inbox_count": self.inbox_count,
            "tz": self.zone,
            "base": self.path,
        }


class Pages:
    """The console's shared state: the web parts, and parsed playbooks by their hash (the
    stored text is parsed once per version, not on every request)."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self._playbooks: dict[str, Playbook | None] = {}
        self._lock = threading.Lock()

    def community(self, slug: str) -> CommunityView:
        """The community `slug`, else `CommunityMoved` to its slug when `slug` names it by its
        name or in another case (as the API and every command find one: `find_community`),
        else `PageNotFound`. A name holding `/` is written `%2F` in the address (`slashed`)."""
        slug = named(slug)
        store = self.web.store
        communities = store.list_communities()
        found = next((c for c in communities if c.slug == slug), None)
        if found is None:
            meant = find_community(communities, slug)
            if meant is not None:
                raise CommunityMoved(meant.slug)
            several = several_meant(communities, slug)
            raise PageNotFound(f"There is no community “{slug}”." if several is None
                               else f"{several}.")  # fmt: skip
        version = store.latest_playbook_version(found.id)
        playbook = None if version is None else self.playbook(version)
        return CommunityView(
            community=found,
            communities=communities,
            version=version,
            playbook=playbook,
            zone=_zone(playbook),
            inbox_count=store.inbox_count(found.id),
        )

    def playbook(self, version: PlaybookVersion) -> Playbook | None:
        """The stored version, parsed as it was accepted (None if it no longer parses with
        this release)."""
        with self._lock:  # pages run in worker threads
            if version.sha256 in self._playbooks:
                return self._playbooks[version.sha256]
        parsed = stored_playbook(version.source_text, version.version)
        with self._lock:
            if len(self._playbooks) >= _CACHED_PLAYBOOKS:
                self._playbooks.pop(next(iter(self._playbooks)))
            self._playbooks[version.sha256] = parsed
        return parsed

    def invite_url(self, group: Group) -> str | None:
        """The link members open to join `group` (None for carriers not hosted here)."""
        return self.web.invite_url(group)


def _zone(playbook: Playbook | None) -> tzinfo:
    if playbook is None:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(playbook.community.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def asked_again(carrier: str) -> str:
    """The notice code for a closed group's platform asked again to stop members posting."""
    code = f"group-asked-again-{carrier}"
    return code if code in NOTICES else "group-asked-again"


def messages_from(request: Request) -> dict[str, Any]:
    """The notice or problem a form left for this page (`?notice=` / `?problem=` codes)."""
    found: dict[str, Any] = {}
    notice = NOTICES.get(request.query_params.get("notice", ""))
    if notice:
        found["notice"] = notice
    problem = PROBLEMS.get(request.query_params.get("problem", ""))
    if problem:
        found["problem"] = problem
    return found


def back_to(view: CommunityView, back: str | None, fallback: str, **query: str) -> RedirectResponse:
    """303 to `back` if it is one of this community's console pages, else to `fallback`
    (a path under the community); `query` is added (notice= or problem=)."""
    target = fallback
    if back and back.startswith(view.path + "/") and _plain_path(back):
        target = back.removeprefix(view.path)
    url = view.path + target
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return RedirectResponse(url, status_code=303)


def _plain_path(path: str) -> bool:
    """A path with no query, fragment, dot segments or odd characters."""
    return all(c.isalnum() or c in "/-_" for c in path) and ".." not in path


def page_number(request: Request, key: str = "page") -> int:
    """The `?page=` (or `?<key>=`) asked for, at least 1."""
    try:
        return max(1, int(request.query_params.get(key, "1")))
    except ValueError:
        return 1


def paged(request: Request, total: int, key: str = "page") -> tuple[int, int]:
    """(the page to show, how many pages) for `total` rows, `PAGE_SIZE` a page: the page
    asked for (`?page=` or `?<key>=`), the last one when it asks past the end (an old link,
    the last rows handled), so a page never says "nothing" while there are rows."""
    pages = max(1, -(-total // PAGE_SIZE))
    return min(page_number(request, key), pages), pages
