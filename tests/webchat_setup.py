"""A web chat on a test store: a community with web chat groups, the carrier, and the web
routes in a small FastAPI app, for the tests of the built-in web chat."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.webchat import WebChatCarrier
from hearthkeeper.carriers.webchat.plugin import WebChatLimits, served
from hearthkeeper.carriers.webchat.records import WebUser
from hearthkeeper.carriers.webchat.routes import webchat_router
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import LoadedPlaybook, parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.store import (
    Group,
    PlaybookVersion,
    Store,
    create_engine_for,
    sqlite_url,
)
from hearthkeeper.store.database import SQLITE_FILE
from hearthkeeper.web.clientaddr import parse_proxies
from hearthkeeper.web.context import Web, WebSettings

_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class NoPlaybooks:
    """The web chat never touches playbooks; this stands in for the server's."""

    def base_dir(self, community_id: int) -> Path:
        raise NotImplementedError

    def replace(self, community_id: int, loaded: LoadedPlaybook, by: str) -> PlaybookVersion:
        raise NotImplementedError


@dataclass
class Chat:
    """A community with web chat groups ("Tea room" holds 3, "Garden" 5)."""

    store: Store
    clock: FrozenClock
    carrier: WebChatCarrier
    web: Web
    app: FastAPI
    community_id: int
    groups: list[Group] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def member(self, nickname: str, group: int = 0) -> tuple[WebUser, str]:
        """A member seated in group `group` (by the carrier's API): the user and cookie token."""
        user, token = self.carrier.create_user(nickname)
        self.carrier.platform.take_seat(self.groups[group].id, user.user_id, self.clock.now())
        return user, token


NAMES = ("Tea lovers", "Tea room", "Garden")


def build_chat(store: Store, clock: FrozenClock, data_dir: Path, *,
               max_upload_bytes: int = 64 * 1024, secure_cookies: bool = False,
               names: tuple[str, str, str] = NAMES,
               limits: WebChatLimits | None = None,
               language: Language = Language.EN) -> Chat:  # fmt: skip
    """The web chat of a community (`names`: "Tea lovers", its members reading `language`)
    with two groups ("Tea room" holds 3, "Garden" 5), served by a FastAPI app."""
    community = store.ensure_community("tea", names[0])
    carrier = WebChatCarrier(store, clock, data_dir / "uploads", max_upload_bytes=max_upload_bytes,
                             languages={community.id: language})  # fmt: skip
    settings = WebSettings(data_dir=data_dir, max_upload_bytes=max_upload_bytes,
                           secure_cookies=secure_cookies)  # fmt: skip
    web = Web(store=store, clock=clock, settings=settings,
              carriers={carrier.name: served(carrier, limits)},
              playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(webchat_router(web, carrier, limits))
    chat = Chat(store, clock, carrier, web, app, community.id)
    for n, (name, capacity) in enumerate(((names[1], 3), (names[2], 5)), start=1):
        group = store.add_group(community.id, name, "webchat", f"tea-{n}", capacity=capacity)
        chat.groups.append(group)
        chat.codes.append(carrier.invite_code(group.id))
    return chat


def join(client: TestClient, code: str, nickname: str, *, via: str | None = None,
         **fields: str) -> Response:  # fmt: skip
    """Open the invite link (with `?via=` when given) and submit the nickname form with its
    hidden fields and `fields` (an invite code, answers), as a browser does."""
    page = client.get(f"/join/{code}", params={} if via is None else {"via": via})
    found = _CSRF.search(page.text)
    assert found is not None, page.text
    hidden = dict(_HIDDEN.findall(page.text))
    data = {**hidden, "nickname": nickname, "csrf_token": found[1], **fields}
    return client.post(f"/join/{code}", data=data, follow_redirects=False)


def picture(kind: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    """A small real picture."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, kind)
    return out.getvalue()


@contextmanager
def sqlite_store(folder: Path, migrated: Path, clock: FrozenClock) -> Iterator[Store]:
    """A store on a copy of the session's migrated SQLite file (for tests that need one
    database, not both)."""
    (folder / "db").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated, folder / "db" / SQLITE_FILE)
    engine = create_engine_for(sqlite_url(folder / "db"))
    try:
        yield Store(engine, clock)
    finally:
        engine.dispose()


@dataclass
class SkincareChat:
    """The skincare template's engine behind a web chat group ("颜学院护肤社 1群")."""

    store: Store
    group: Group
    carrier: WebChatCarrier
    engine: Engine
    app: FastAPI

    @property
    def code(self) -> str:
        return self.carrier.invite_code(self.group.id)

    def engine_round(self, client: TestClient) -> None:
        """What a server does continuously: hand the carrier's events to the engine, then
        perform the actions it decided."""
        assert client.portal is not None
        self.engine.process(client.portal.call(self.carrier.take_events))
        client.portal.call(self.engine.drain)


def skincare_chat(store: Store, clock: FrozenClock, folder: Path, *, door: bool = False,
                  trial: str | None = None, trial_limit_exempt: tuple[str, ...] = (),
                  playbook: str | None = None) -> SkincareChat:  # fmt: skip
    """Apply the skincare template (or `playbook`; content copied into `folder`) and serve one
    of its groups through the web chat, its engine run by hand (`SkincareChat.engine_round`).
    With `door`, the join page asks the template's `paid` threshold (otherwise everyone gets
    in); `trial` gives its plan a free trial that long; `trial_limit_exempt` is `[server]`'s."""
    text = playbook or template_text("skincare")
    if trial is not None:
        text = text.replace("period: 6 months", f"period: 6 months\n      trial: {trial}", 1)
    loaded = parse_playbook(text, str(folder / "playbook.yaml"))
    copy_content("skincare", folder)
    community = apply_playbook(store, loaded, "test").community
    group = store.add_group(community.id, "颜学院护肤社 1群", "webchat", "skin-1", 500)
    runtime = runtime_for(store, loaded.playbook, folder)
    admission = Admission(store, clock, {community.id: runtime}.get) if door else None
    carrier = WebChatCarrier(store, clock, folder / "uploads", admission=admission)
    engine = Engine(store, clock, [runtime], {"webchat": carrier})
    settings = WebSettings(data_dir=folder, trial_limit_exempt=parse_proxies(trial_limit_exempt))
    web = Web(store=store, clock=clock, settings=settings,
              carriers={carrier.name: served(carrier)}, playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(webchat_router(web, carrier))
    return SkincareChat(store, group, carrier, engine, app)


def frames_until(ws: Any, kind: str) -> list[dict[str, Any]]:
    """The frames a socket receives up to and including the first of `kind`."""
    frames = [ws.receive_json()]
    while frames[-1]["type"] != kind:
        frames.append(ws.receive_json())
    return frames
