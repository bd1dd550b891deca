"""A community on the web chat with its engine and live codes served, for the live-code tests:
newcomers open `/go/<slug>`, follow the redirect to the join page and join, as browsers do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.livecodes.records import Channel, ChannelKind
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.capabilities.livecodes.web import router as livecode_router
from hearthkeeper.carriers.webchat import WebChatCarrier
from hearthkeeper.carriers.webchat.groups import ensure_webchat_group
from hearthkeeper.carriers.webchat.plugin import served
from hearthkeeper.carriers.webchat.routes import webchat_router
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Group, Store
from hearthkeeper.web.context import Web, WebSettings
from tests.playbook_samples import MINIMAL
from tests.webchat_setup import NoPlaybooks, join


def playbook_text(capacity: int = 3, code_cap: int | None = None, daily: int | None = None,
                  open_at: float = 1.0, language: str = "en") -> str:  # fmt: skip
    """The sample community with small groups."""
    groups = f"capacity: {capacity}, join_by_code_cap: {code_cap or capacity}"
    if daily is not None:
        groups += f", daily_code_cap: {daily}"
    text = MINIMAL.replace("language: en", f"language: {language}")
    return text + f"structure:\n  groups: {{{groups}}}\ncopy:\n  open_new_group_at: {open_at}\n"


@dataclass
class Codes:
    """The community ("Tea Friends"), its web chat, engine and one live code, `poster`."""

    store: Store
    clock: FrozenClock
    carrier: WebChatCarrier
    engine: Engine
    web: Web
    app: FastAPI
    community_id: int
    channel: Channel

    def groups(self) -> list[Group]:
        return [g for g in self.store.list_groups(self.community_id) if g.carrier == "webchat"]

    def seated(self) -> dict[str, list[str]]:
        """Each web chat group's members, by group name, in order of joining."""
        return {g.name: [s.nickname for s in self.carrier.platform.seated(g.id)]
                for g in self.groups()}  # fmt: skip

    def engine_round(self, portal: TestClient) -> None:
        """Hand the carrier's events to the engine and perform what it decided."""
        assert portal.portal is not None
        self.engine.process(portal.portal.call(self.carrier.take_events))
        portal.portal.call(self.engine.drain)

    def arrive(self, nickname: str, *, slug: str = "poster",
               client: TestClient | None = None) -> Response:  # fmt: skip
        """A newcomer (a browser of their own unless `client`) opens the live code and joins
        where it sends them; the join form's response (the 303 into the chat), or the live
        code's own answer when it sends them nowhere."""
        browser = client or TestClient(self.app)
        sent = browser.get(f"/go/{slug}", follow_redirects=False)
        if sent.status_code != 303:
            return sent
        return self.follow(browser, sent, nickname)

    def arrive_each(self, portal: TestClient, *nicknames: str, expect: int | None = None) -> None:
        """Newcomers `arrive` one after another, the engine handling each one's arrival before
        the next comes (`engine_round`); with `expect`, each join's answer has that status."""
        for nickname in nicknames:
            answer = self.arrive(nickname)
            if expect is not None:
                assert answer.status_code == expect, nickname
            self.engine_round(portal)

    @staticmethod
    def follow(browser: TestClient, sent: Response, nickname: str) -> Response:
        """Follow a live code's redirect to the join page and join there."""
        target = urlsplit(sent.headers["location"])
        code = target.path.removeprefix("/join/")
        via = parse_qs(target.query)["via"][0]
        return join(browser, code, nickname, via=via)


def build_codes(store: Store, clock: FrozenClock, folder: Path, text: str) -> Codes:
    """Apply `text`, give the community its first web chat group, serve the web chat and the
    live codes, and make the live code `poster`."""
    loaded = parse_playbook(text, str(folder / "playbook.yaml"))
    community = apply_playbook(store, loaded, "test").community
    playbook = loaded.playbook
    ensure_webchat_group(store, community.id, playbook)
    carrier = WebChatCarrier(store, clock, folder / "uploads",
                             languages={community.id: playbook.community.language})  # fmt: skip
    engine = Engine(store, clock, [runtime_for(store, playbook, folder)], {"webchat": carrier})
    web = Web(store=store, clock=clock, settings=WebSettings(data_dir=folder),
              carriers={carrier.name: served(carrier)}, playbooks=NoPlaybooks())  # fmt: skip
    app = FastAPI()
    app.include_router(webchat_router(web, carrier))
    app.include_router(livecode_router(web))
    channel = SqlLiveCodes.on(store).add_channel(community.id, "poster", "Spring poster",
                                                 ChannelKind.POSTER, notes="", carrier="webchat",
                                                 by="test", at=clock.now())  # fmt: skip
    return Codes(store, clock, carrier, engine, web, app, community.id, channel)
