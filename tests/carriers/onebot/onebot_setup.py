"""A community served in QQ groups through the fake OneBot implementation, for the scenario
tests: the skincare template's engine on SQLite, the `OneBotCarrier` listening on a free
port of 127.0.0.1, and the fake connecting to it as NapCat would."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.onebot import OneBotCarrier, OneBotSettings
from hearthkeeper.carriers.onebot.carrier import UPLOAD_TIMEOUT
from hearthkeeper.carriers.onebot.plugin import adopt_groups
from hearthkeeper.carriers.onebot.post_files import Transfer
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.admission import Admission
from hearthkeeper.engine.carrier import RateLimit
from hearthkeeper.engine.engine import Engine
from hearthkeeper.engine.executor import Runtime
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.store import Store
from tests.carriers.onebot.fake_onebot import WAIT_S, FakeOneBot

TOKEN = "kSLuTF2GC2Q4q4ugm3"  # the access token of the spec's example
AD = "加我微信 abc12345 低价代购"
_people = itertools.count(3_000_001)
T = TypeVar("T")


def open_threshold(text: str) -> str:
    """The skincare template admitting everyone (its own threshold is a paid membership)."""
    return text.replace("    kind: paid  ", "    kind: open  ").replace("    plan: half-year\n", "")


@dataclass
class QQ:
    """One community of the skincare template whose groups are QQ groups of the fake."""

    store: Store
    clock: FrozenClock
    runtime: Runtime
    data_dir: Path
    fake: FakeOneBot
    groups: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    per_group: RateLimit = field(default_factory=lambda: RateLimit(count=1000, seconds=60))

    def settings(self, port: int = 0) -> OneBotSettings:
        return OneBotSettings(
            host="127.0.0.1", port=port, path="/onebot/v11/ws", access_token=TOKEN,
            token_env="HEARTH_ONEBOT_TOKEN", self_id=self.fake.self_id,
            groups={str(g): self.runtime.slug for g in self.groups}, per_group=self.per_group,
            overall=RateLimit(count=1000, seconds=1),
            requests_file=self.data_dir / "onebot-requests.json",
        )  # fmt: skip

    def carrier(self, *, screening: bool = True, file_transfer: Transfer = "base64",
                upload_timeout: float = UPLOAD_TIMEOUT,
                journal: bool = False) -> OneBotCarrier:  # fmt: skip
        """A Hearthkeeper process's carrier, as `hearth serve` builds it (with the door, and
        the store where staff are told of a post's file not sent; with `journal`, the event
        journal `hearth serve` keeps under the data directory)."""
        settings = dataclasses.replace(
            self.settings(), file_transfer=file_transfer,
            journal_file=self.data_dir / "onebot-events.jsonl" if journal else None)  # fmt: skip
        community = self.store.get_community(self.runtime.slug)
        assert community is not None
        adopt_groups(self.store, settings, {community.slug: community})
        admission = Admission(self.store, self.clock,
                              {self.runtime.community_id: self.runtime}.get)  # fmt: skip
        return OneBotCarrier(settings, admission=admission if screening else None,
                             upload_timeout=upload_timeout, store=self.store,
                             clock=self.clock)  # fmt: skip

    async def until_due(self, probe: Callable[[], T | None], what: str) -> T:
        """`fake.until(probe)` with the frozen clock moved on 3 s before every look. A try
        refused before the connection was up waits 2 s for its retry, counted from when the
        refusal was recorded: under load that can be after any single move of the clock the
        test made, and the retry would never fall due."""

        def later() -> T | None:
            self.clock.advance(timedelta(seconds=3))
            return probe()

        return await self.fake.until(later, what)

    def group(self) -> int:
        """A new QQ group the bot administers."""
        number = 700_000_001 + len(self.groups)
        self.fake.group(number)
        self.groups.append(number)
        return number

    def person(self, name: str | None = None) -> int:
        user = next(_people)
        self.names[user] = name or f"小美{user % 1000}"
        return user

    async def newcomer(self, *groups: int, name: str | None = None) -> int:
        """A member who joined `groups` (the bot serving), was welcomed and accepted the rules."""
        user = self.person(name)
        for group in groups:
            await self.fake.join(group, user, self.names[user])
            await self.fake.bot_message(group, f"欢迎 {self.names[user]}")
        await self.fake.say(groups[0], user, "同意")
        await self.fake.bot_message(groups[0], f"{self.names[user]} 已接受群规")
        return user


@contextlib.asynccontextmanager
async def qq_community(store: Store, clock: FrozenClock, data_dir: Path, *,
                       playbook: str | None = None) -> AsyncIterator[QQ]:  # fmt: skip
    """The skincare community (admitting everyone unless `playbook` says otherwise)."""
    text = playbook or open_threshold(template_text("skincare"))
    loaded = parse_playbook(text, str(data_dir / "playbook.yaml"))
    copy_content("skincare", data_dir)
    apply_playbook(store, loaded, "test")
    runtime = runtime_for(store, loaded.playbook, data_dir)
    fake = FakeOneBot()
    try:
        yield QQ(store, clock, runtime, data_dir, fake)
    finally:
        await fake.close()


def url(carrier: OneBotCarrier) -> str:
    return f"ws://127.0.0.1:{carrier.port}/onebot/v11/ws"


@contextlib.asynccontextmanager
async def serving(qq: QQ, carrier: OneBotCarrier | None = None, *,
                  connect: bool = True) -> AsyncIterator[OneBotCarrier]:  # fmt: skip
    """`hearth serve` for the community's QQ groups, the fake connected (unless `connect` is
    false); the engine runs until the block ends."""
    carrier = carrier or qq.carrier()
    engine = Engine(qq.store, qq.clock, [qq.runtime], {"qq": carrier})
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop, idle=0.05))
    try:
        async with asyncio.timeout(WAIT_S):
            while carrier.port == 0 and not task.done():
                await asyncio.sleep(0.01)
        if connect:
            await qq.fake.connect(url(carrier), TOKEN)
            async with asyncio.timeout(WAIT_S):
                await carrier.link.connected.wait()
        yield carrier
    finally:
        await qq.fake.disconnect()
        stop.set()
        await asyncio.wait_for(task, timeout=WAIT_S)


def real_now() -> datetime:
    """The fake stamps events with the wall clock; the frozen clock starts there."""
    return datetime.now(UTC)
