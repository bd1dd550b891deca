"""The console under test: the real application (create_app) over a SQLite store holding the
skincare template's community, fed realistic events through the engine with a FakeCarrier
named "webchat": strikes and a mute for an advertiser, a staff alert for an insult, an
unanswered question, and members with hostile names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.plugin import served
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.store import Store
from hearthkeeper.testing import EventBuilder, FakeCarrier
from hearthkeeper.web.app import create_app
from hearthkeeper.web.auth import SESSION_COOKIE, hash_password, new_token, token_hash
from hearthkeeper.web.context import Web, WebSettings
from tests.web_auth_setup import PASSWORD, AppliedPlaybooks, Site, sqlite_store

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
AD = "加我微信 abc12345 低价出货"
INSULT = "你就是个傻逼"
QUESTION = "有人知道杭州哪里能做线下肤质检测吗？" + SCRIPT
SLUG = "yan-academy-skincare"
BASE = f"/console/c/{SLUG}"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    """A signed-in console over the skincare community."""

    site: Site
    store: Store
    clock: FrozenClock
    engine: Engine
    events: EventBuilder
    community_id: int
    group_id: int
    playbooks: AppliedPlaybooks

    @property
    def client(self) -> TestClient:
        return self.site.client

    def member_id(self, user: str) -> int:
        found = self.store.find_member("webchat", user)
        assert found is not None
        return found.id

    def get(self, path: str, **params: str) -> httpx.Response:
        """A page of the community (path relative to its console URL), following nothing."""
        return self.client.get(BASE + path, params=params or None, follow_redirects=False)

    def csrf(self, path: str = "") -> str:
        """The CSRF token the page's forms carry."""
        found = _CSRF.search(self.get(path).text)
        assert found is not None, "the page has forms with the CSRF token"
        return found.group(1)

    def post(self, path: str, data: dict[str, str] | None = None,
             files: dict[str, tuple[str, bytes]] | None = None) -> httpx.Response:  # fmt: skip
        """Submit a form to `path` (relative to the community) with the session's token."""
        fields = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(BASE + path, data=fields, files=files, follow_redirects=False)


def build_console(store: Store, clock: FrozenClock, tmp_path: Path) -> Console:
    """The skincare community with a day's worth of trouble, and an operator signed in."""
    text = template_text("skincare")
    loaded = parse_playbook(text, str(tmp_path / "playbook.yaml"))
    copy_content("skincare", tmp_path)
    applied = apply_playbook(store, loaded, "setup")
    cid = applied.community.id
    group = store.add_group(cid, "颜学院护肤社 1群", "webchat", f"{SLUG}-1", 500)
    carrier = FakeCarrier("webchat")
    engine = Engine(store, clock, [runtime_for(store, loaded.playbook, tmp_path)],
                    {"webchat": carrier})  # fmt: skip
    events = EventBuilder(clock.now(), carrier="webchat", group=group.carrier_group_id)
    engine.process([
        events.join("mei", name="美美"),
        events.join("spam", name=SCRIPT),
        events.join("angry", name=IMG),
        events.message("mei", "同意", name="美美"),
        events.message("mei", "大家好，我是混油皮", name="美美"),
        events.message("spam", AD, name=SCRIPT),
        events.message("spam", AD + " 2", name=SCRIPT),
        events.message("angry", INSULT + IMG, name=IMG),
        events.message("mei", QUESTION, name="美美"),
        events.join("left", name="走了"),
        events.leave("left", name="走了"),
    ])  # fmt: skip
    clock.set(clock.now() + timedelta(minutes=10))
    settings = WebSettings(data_dir=tmp_path, public_url="http://chat.example")
    webchat = WebChatCarrier(store, clock, tmp_path / "uploads")
    playbooks = AppliedPlaybooks(store, tmp_path)
    web = Web(store, clock, settings, {webchat.name: served(webchat)}, playbooks)
    site = Site(store, clock, web, TestClient(create_app(web)))
    operator = store.add_operator("ann", _password_hash())
    # Signed in the way the sign-in route does it, without argon2's deliberate slowness on
    # every test; test_console_pages signs in through the real route.
    token = new_token()
    store.create_session(
        operator.id, token_hash(token), new_token(), clock.now() + timedelta(hours=12)
    )
    site.client.cookies.set(SESSION_COOKIE, token)
    return Console(site, store, clock, engine, events, cid, group.id, playbooks)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def open_console(migrated: Path, tmp_path: Path, clock: FrozenClock) -> Console:
    """`build_console` on a copy of the session's migrated SQLite file (the console's queries
    run on both databases in tests/test_store_directory.py)."""
    return build_console(sqlite_store(migrated, tmp_path, clock), clock, tmp_path)
