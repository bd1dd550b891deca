"""A community served in Telegram groups of the fake Bot API, for the scenario tests: the
skincare template's engine on SQLite, the bot's `TelegramCarrier` (aiogram talking HTTP to
the fake), and members who act through the fake as a person in the Telegram app would."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.plugin import ServerParts
from hearthkeeper.carriers.telegram import ChatMap, TelegramCarrier, TelegramSettings
from hearthkeeper.carriers.telegram.plugin import adopt_chats
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.store import Store
from hearthkeeper.web.context import WebSettings
from tests.carriers.telegram.fake_bot_api import JSON, FakeBotApi
from tests.webchat_setup import sqlite_store

WAIT_S = 20.0
AD = "加我微信 abc12345 低价代购"
T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]] | Callable[[], T | None], what: str,
                     timeout: float = WAIT_S) -> T:  # fmt: skip
    """The first non-empty answer of `probe`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f}s for {what}")
        await asyncio.sleep(0.02)


@dataclass
class Hearth:
    """One community of the skincare template (or `text`) whose groups are Telegram groups."""

    api: FakeBotApi
    token: str
    store: Store
    clock: FrozenClock
    runtime: Runtime
    data_dir: Path
    owner: JSON
    chats: list[int] = field(default_factory=list)

    @property
    def bot_id(self) -> int:
        return int(self.api.bot_user(self.token)["id"])

    def settings(self, mode: Literal["polling", "webhook"] = "polling", webhook_url: str = "",
                 secret: str = "") -> TelegramSettings:  # fmt: skip
        return TelegramSettings(token=self.token, mode=mode, api_base=self.api.base_url,
                                groups={str(c): self.runtime.slug for c in self.chats},
                                webhook_url=webhook_url, webhook_secret=secret,
                                poll_timeout=1)  # fmt: skip

    def parts(self) -> ServerParts:
        admission = Admission(self.store, self.clock,
                              {self.runtime.community_id: self.runtime}.get)  # fmt: skip
        return ServerParts(store=self.store, clock=self.clock,
                           web=WebSettings(data_dir=self.data_dir),
                           communities={c.slug: c for c in self.store.list_communities()},
                           admission=admission)  # fmt: skip

    def carrier(self, settings: TelegramSettings | None = None) -> TelegramCarrier:
        """A bot process's carrier, as `hearth serve` builds it (groups adopted, the door)."""
        settings = settings or self.settings()
        parts = self.parts()
        adopt_chats(self.store, settings, parts.communities)
        return TelegramCarrier(settings, ChatMap(dict(settings.groups)), self.clock,
                               admission=parts.admission)  # fmt: skip

    def group(self, title: str = "颜学院护肤社 1群") -> int:
        """A supergroup the owner made, the bot an administrator in it."""
        chat = self.api.supergroup(title, self.owner)
        self.api.add_bot(chat, self.token)
        self.chats.append(chat)
        return chat

    def person(self, name: str) -> JSON:
        return self.api.user(name)

    async def newcomer(self, name: str, *chats: int) -> JSON:
        """A member who joined `chats` (the bot serving), was welcomed, accepted the rules."""
        user = self.person(name)
        for chat in chats:
            self.api.join(chat, user)
            await bot_message(self, chat, f"欢迎 {name}")
        self.api.say(chats[0], user, "同意")
        await bot_message(self, chats[0], f"{name} 已接受群规")
        return user


def said(community: Hearth, chat: int, containing: str) -> list[JSON]:
    """The bot's messages in `chat` containing `containing`, as members read them."""
    return [m for m in community.api.messages(chat, by=community.bot_id)
            if containing in str(m.get("text", ""))]  # fmt: skip


async def bot_message(community: Hearth, chat: int, containing: str,
                      timeout: float = WAIT_S) -> JSON:  # fmt: skip
    """The bot's message containing `containing`, once it arrives."""

    def probe() -> JSON | None:
        found = said(community, chat, containing)
        return found[0] if found else None

    return await eventually(probe, f"the bot to say {containing!r} in {chat}", timeout)


@contextlib.asynccontextmanager
async def fake_api(clock: FrozenClock) -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(clock.now)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@contextlib.asynccontextmanager
async def hearth(api: FakeBotApi, store: Store, clock: FrozenClock, data_dir: Path,
                 text: str | None = None) -> AsyncIterator[Hearth]:  # fmt: skip
    """The skincare community (or the playbook `text`), applied; no groups yet."""
    loaded = parse_playbook(text or template_text("skincare"), str(data_dir / "playbook.yaml"))
    copy_content("skincare", data_dir)
    apply_playbook(store, loaded, "test")
    runtime = runtime_for(store, loaded.playbook, data_dir)
    owner = api.user("Owner")
    yield Hearth(api, api.bot(), store, clock, runtime, data_dir, owner)


@contextlib.asynccontextmanager
async def on_sqlite(folder: Path, migrated: Path, text: str | None = None) -> AsyncIterator[Hearth]:
    """`hearth` on a fresh fake Bot API and a copy of the migrated SQLite file, in `folder`
    (its data directory `folder/data`), on a clock frozen at the real time now."""
    clock = FrozenClock(real_now())
    async with fake_api(clock) as api:
        with sqlite_store(folder, migrated, clock) as store:
            async with hearth(api, store, clock, folder / "data", text) as found:
                yield found


@contextlib.asynccontextmanager
async def serving(
    community: Hearth, carrier: TelegramCarrier | None = None
) -> AsyncIterator[Engine]:
    """`hearth serve` for the community's groups: the engine runs until the block ends."""
    engine = Engine(community.store, community.clock, [community.runtime],
                    {"telegram": carrier or community.carrier()})  # fmt: skip
    stop = asyncio.Event()
    asked = len(community.api.calls)
    task = asyncio.create_task(engine.run(stop, idle=0.05))
    ticking = asyncio.create_task(tick(community.clock, stop))
    try:
        # Until the bot has asked for updates (and said which), Telegram keeps no chat_member
        # update for it: a bot serving for the first time misses joins before that.
        await eventually(lambda: any(m in ("getUpdates", "setWebhook")
                                     for m, _ in community.api.calls[asked:]), "the bot to ask")  # fmt: skip
        yield engine
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=WAIT_S)
        await ticking


TICK_S = 0.1  # every 100 ms of real time the clock moves a second: 10 times as fast


async def tick(clock: FrozenClock, stop: asyncio.Event) -> None:
    """Move the engine's (and the fake's) clock on while serving: the queue counts Telegram's
    1 message/s per chat on it, so a clock that stood still would let one message a chat out.
    A test moves it further by hand (a mute's end, a scheduled post)."""
    while not stop.is_set():
        await asyncio.sleep(TICK_S)
        clock.advance(timedelta(seconds=1))


def real_now() -> datetime:
    return datetime.now(UTC)


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text", ""))
