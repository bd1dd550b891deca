"""Helpers for the server tests: a project with the skincare template and a `Host` on it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from hearthkeeper.apply import apply_playbook
from hearthkeeper.carriers.webchat.groups import ensure_webchat_group
from hearthkeeper.carriers.webchat.records import WebChatMessage
from hearthkeeper.carriers.webchat.repository import SqlWebChat
from hearthkeeper.clock import Clock, FrozenClock
from hearthkeeper.config import Settings
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.serve import Host
from hearthkeeper.store import Store
from hearthkeeper.web.context import WebSettings
from tests.migrated import migrate

PLAYBOOK = "playbook.yaml"


def project(root: Path, template: str = "skincare") -> Path:
    """A folder with the template's playbook and content; the playbook file."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / PLAYBOOK
    path.write_text(template_text(template), encoding="utf-8")
    copy_content(template, root)
    return path


def served_community(store: Store, text: str) -> int:
    """The playbook `text` applied and its first web chat group made, as `hearth serve`
    leaves it (run where the command's data directory may be: the current folder); its id."""
    loaded = parse_playbook(text)
    applied = apply_playbook(store, loaded, "test")
    ensure_webchat_group(store, applied.community.id, loaded.playbook)
    return applied.community.id


def settings_for(playbook: Path, database_url: str) -> tuple[Settings, WebSettings]:
    """Settings that run `playbook` on `database_url`, data next to the playbook."""
    data_dir = playbook.parent / "data"
    settings = Settings(data_dir=data_dir, database_url=database_url, playbooks=(playbook,),
                        config_file=None)  # fmt: skip
    return settings, WebSettings(data_dir=data_dir)


def build(playbook: Path, database_url: str, clock: Clock) -> Host:
    """Migrate the database (a new SQLite one: a copy of one migrated) and build a host."""
    migrate(database_url)
    settings, web_settings = settings_for(playbook, database_url)
    return Host.build(settings, web_settings, clock=clock)


def bot_messages(host: Host, group_id: int) -> list[WebChatMessage]:
    """What the bot said in a web chat group."""
    return [m for m in SqlWebChat.on(host.store).history(group_id, limit=1000) if m.user_id is None]


async def eventually(
    check: Callable[[], bool], what: str = "the engine's work", *, within: float = 30.0
) -> None:
    """Wait until `check()` holds (the engine runs in the background); fail after `within`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, f"never saw {what}"
        await asyncio.sleep(0.05)


def stepping(clock: FrozenClock, real: float = 0.005) -> Callable[[float], Awaitable[None]]:
    """A simulator pause that moves the frozen clock by the pause and lets the engine run."""

    async def wait(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(real)

    return wait
