"""A small web application for the sign-in, CSRF and REST API tests: the real routers of
web/signin.py and web/api.py, the security headers, and two console stand-ins (a page and
a form target) guarded by the real dependencies."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from hearthkeeper.apply import apply_playbook
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.plugin import served
from hearthkeeper.clock import FrozenClock
from hearthkeeper.playbook import LoadedPlaybook, parse_playbook
from hearthkeeper.store import Operator, PlaybookVersion, Store, create_engine_for, sqlite_url
from hearthkeeper.store.database import SQLITE_FILE
from hearthkeeper.web.api import api_router
from hearthkeeper.web.auth import (
    hash_password,
    new_token,
    require_csrf,
    require_operator,
    token_hash,
)
from hearthkeeper.web.context import Web, WebSettings
from hearthkeeper.web.joined import add_routes
from hearthkeeper.web.security import install_security
from hearthkeeper.web.signin import signin_router
from hearthkeeper.web.slashed import install_slashed_names
from tests.capabilities.faq.test_faq import FAQ
from tests.engine_setup import RULES, Community, community
from tests.playbook_samples import MINIMAL

PASSWORD = "correct horse battery staple"
_SIGNIN_TOKEN = re.compile(r'name="signin_token" value="([^"]+)"')


class AppliedPlaybooks:
    """The `PlaybookHost` of the tests: applies through `apply_playbook`, runs nothing."""

    def __init__(self, store: Store, base: Path) -> None:
        self.store = store
        self.base = base
        self.replaced: list[str] = []

    def base_dir(self, community_id: int) -> Path:
        return self.base

    def replace(self, community_id: int, loaded: LoadedPlaybook, by: str) -> PlaybookVersion:
        self.replaced.append(by)
        return apply_playbook(self.store, loaded, by).version


@dataclass
class Site:
    store: Store
    clock: FrozenClock
    web: Web
    client: TestClient

    def add_operator(self, username: str = "mei", password: str = PASSWORD) -> Operator:
        return self.store.add_operator(username, _password_hash(password))

    def sign_in_form(self, next_url: str | None = None) -> str:
        """GET the sign-in page (which sets the form cookie); the form's hidden token."""
        params = {"next": next_url} if next_url is not None else None
        page = self.client.get("/console/sign-in", params=params, follow_redirects=False)
        assert page.status_code == 200, page.text
        found = _SIGNIN_TOKEN.search(page.text)
        assert found is not None, "the sign-in form has its hidden token"
        return found.group(1)

    def sign_in(self, username: str = "mei", password: str = PASSWORD, next_url: str = "",
                ) -> httpx.Response:  # fmt: skip
        token = self.sign_in_form()
        return self.client.post(
            "/console/sign-in",
            data={"username": username, "password": password, "next": next_url,
                  "signin_token": token},
            follow_redirects=False,
        )  # fmt: skip

    def token(self, operator: Operator, name: str = "script") -> str:
        """A new API token of `operator`."""
        token = new_token()
        self.store.add_api_token(operator.id, name, token_hash(token))
        return token


def build_site(store: Store, clock: FrozenClock, tmp_path: Path, *, secure: bool = False) -> Site:
    settings = WebSettings(data_dir=tmp_path, secure_cookies=secure,
                           public_url="http://chat.example")  # fmt: skip
    webchat = WebChatCarrier(store, clock, tmp_path / "uploads")
    web = Web(
        store, clock, settings, {webchat.name: served(webchat)}, AppliedPlaybooks(store, tmp_path)
    )
    app = FastAPI()
    install_security(app)
    install_slashed_names(app)  # as create_app installs it
    app.state.web = web
    add_routes(app, signin_router(web))  # as create_app adds them (web/joined.py)
    add_routes(app, api_router(web))

    @app.get("/console/c/{slug}/members", include_in_schema=False)
    async def members_page(
        slug: str, operator: Annotated[Operator, Depends(require_operator)]
    ) -> PlainTextResponse:
        return PlainTextResponse(f"members of {slug} for {operator.username}")

    @app.post(
        "/console/c/{slug}/act", dependencies=[Depends(require_csrf)], include_in_schema=False
    )
    async def act(slug: str) -> PlainTextResponse:
        return PlainTextResponse(f"done in {slug}")

    return Site(store, clock, web, TestClient(app))


def sqlite_store(migrated: Path, tmp_path: Path, clock: FrozenClock) -> Store:
    """A store on a copy of the session's migrated SQLite file (web tests need no PostgreSQL:
    the store tests cover both databases)."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copyfile(migrated, data / SQLITE_FILE)
    return Store(create_engine_for(sqlite_url(data)), clock)


AD = "加我微信 abc12345 低价出货"
INSULT = "你就是个傻逼"
TEA_PLAYBOOK = MINIMAL + RULES + FAQ


@dataclass
class Tea:
    """The "tea" community seen through the API: a few members, a strike and a mute, a staff
    alert and an unanswered question; a web chat group besides the fake carrier's g1."""

    site: Site
    chat: Community
    id: int
    operator: Operator
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params: object) -> httpx.Response:
        return self.site.client.get(f"/api/v1{path}", headers=self.auth, params=params or None)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return self.site.client.post(f"/api/v1{path}", headers=headers, **kwargs)  # type: ignore[arg-type]


def tea(site: Site) -> Tea:
    loaded = parse_playbook(TEA_PLAYBOOK)
    apply_playbook(site.store, loaded, "setup")
    chat = community(site.store, site.clock, loaded.playbook)
    site.store.add_group(chat.runtime.community_id, "Web lounge", "webchat", "lounge")
    ev = chat.events
    chat.engine.process([
        ev.join("mei", name="Mei"), ev.join("bob", name="Bob"), ev.join("spam", name="Spammer"),
        ev.message("mei", "agree", name="Mei"), ev.message("mei", "hello everyone", name="Mei"),
        ev.message("spam", AD, name="Spammer"), ev.message("spam", AD + " 2", name="Spammer"),
        ev.message("angry", INSULT, name="Angry"),
        ev.message("mei", "is there parking near the tasting room in Leeds?", name="Mei"),
    ])  # fmt: skip
    site.store.add_tag(chat.member_id("mei"), "oily", set_by="staff")
    operator = site.add_operator("mei")
    return Tea(site, chat, chat.runtime.community_id, operator, site.token(operator))


@cache
def _password_hash(password: str) -> str:
    """`password` hashed once per process (argon2 is slow on purpose); signing in still
    verifies it for real, and each operator's row holds it as its own."""
    return hash_password(password)
