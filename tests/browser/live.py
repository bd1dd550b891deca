"""A real Hearthkeeper server for browser tests, screenshots and the round-trip benchmark.

`start_live_server(data_dir)` writes the skincare template into `data_dir`, migrates a SQLite
database there, builds a `Host` (the simulator is not started), adds web chat groups and an
operator, and serves it with the serve package's runner on 127.0.0.1 (a free port) in a
background thread with its own event loop; `more` runs further communities on that server. `LiveServer.stop()` stops it and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.groups import add_webchat_group
from hearthkeeper.carriers.webchat.plugin import WebChatLimits, WebChatSetup
from hearthkeeper.clock import Clock, SystemClock
from hearthkeeper.config import DATABASE_NAME, Settings, sqlite_url_for
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.serve import Host, open_socket, serve
from hearthkeeper.store import Group, Store, upgrade
from hearthkeeper.web.auth import hash_password
from hearthkeeper.web.context import WebSettings
from tests.migrated import migrated_sqlite
from tests.playbook_samples import open_to_everyone

TEMPLATE = "skincare"
OPERATOR = "operator"
PASSWORD = "correct horse battery staple"
START_SECONDS = 30
STOP_SECONDS = 15
T = TypeVar("T")


class MovableClock:
    """The wall clock, moved forward when a test says so: the server's time (what its engine
    runs scheduled work by, what its pages show) jumps, while the browser and the server's
    own timers keep running in real time."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, at: datetime) -> None:
        """From now on, the time is `at` (and runs on from there)."""
        self._offset = at - datetime.now(UTC)


@dataclass
class LiveServer:
    """A server running in a background thread: its address and handles for assertions."""

    url: str
    host: Host
    operator: str = OPERATOR
    password: str = PASSWORD
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _thread: threading.Thread | None = None
    _failure: list[BaseException] = field(default_factory=list)

    @property
    def store(self) -> Store:
        """The server's store (the same database the pages show)."""
        return self.host.store

    @property
    def community_id(self) -> int:
        """The one community this server runs."""
        return self.host.running[0].community.id

    @property
    def slug(self) -> str:
        """The community's slug, as console URLs spell it."""
        return self.host.running[0].community.slug

    def community_of(self, slug: str | None) -> int:
        """The id of the community `slug` runs as (None: the first one)."""
        if slug is None:
            return self.community_id
        return next(r.community.id for r in self.host.running if r.community.slug == slug)

    def groups(self, community: str | None = None) -> list[Group]:
        """The web chat groups of the community (slug; None: the first), in the order they
        were made."""
        found = self.store.list_groups(self.community_of(community))
        return [g for g in found if g.carrier == "webchat"]

    def invite_code(self, n: int = 0, community: str | None = None) -> str:
        """The invite code of web chat group `n` (0 = the first)."""
        return self.host.carrier(WebChatCarrier).invite_code(self.groups(community)[n].id)

    def invite_url(self, n: int = 0, community: str | None = None) -> str:
        """The invite link of web chat group `n`."""
        return f"{self.url}/join/{self.invite_code(n, community)}"

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the server's event loop (where the web chat carrier lives) and
        return its result: tests use it to act as members without a browser."""
        assert self._loop is not None, "the live server is not running"
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(START_SECONDS)

    def add_member(self, nickname: str, group: int = 0) -> str:
        """A web chat member who joined group `group` (no browser); their user id."""
        return self.seat_member(nickname, group)[0]

    def seat_member(
        self, nickname: str, group: int = 0, community: str | None = None
    ) -> tuple[str, str]:
        """A web chat member seated in group `group` of the community (slug; None: the
        first) without a browser and without its door: their user id and the token of their
        `hearth_member` cookie (a browser holding it is them)."""
        chat = self.host.carrier(WebChatCarrier)
        user, token = chat.create_user(nickname)
        self.call(chat.join(self.groups(community)[group].id, user.user_id))
        return user.user_id, token

    def say(self, user_id: str, text: str, group: int = 0) -> int:
        """`user_id` says `text` in group `group` (no browser); the message id."""
        return self.call(
            self.host.carrier(WebChatCarrier).say(self.groups()[group].id, user_id, text)
        )

    def wait_for_ticks(self, n: int = 3, seconds: float = START_SECONDS) -> None:
        """Wait until the engine has done what time asks for (`Engine.tick`, then performing
        what fell due) `n` more times: after a `MovableClock` moved, what fell due has run
        (n=3: one whole tick and its sending begun after this call, whatever was under way)."""
        engine = self.host.engine
        wanted = engine.ticks + n
        deadline = time.monotonic() + seconds
        while engine.ticks < wanted:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the engine at {self.url} did not tick in {seconds} s")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop the server (engine and web) and wait for its thread."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            stop = self._stop
            with contextlib.suppress(RuntimeError):  # the loop already finished
                self._loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)
            if self._thread.is_alive():
                raise RuntimeError(f"the live server at {self.url} did not stop in time")
        self.host.close()
        if self._failure:
            raise RuntimeError(f"the live server at {self.url} failed") from self._failure[0]


@cache
def _password_hash() -> str:
    """The operator's password hashed once per process (argon2 is slow on purpose); every
    sign-in still verifies it for real."""
    return hash_password(PASSWORD)


def start_live_server(
    data_dir: Path,
    *,
    groups: int = 1,
    playbook: Callable[[str], str] | None = None,
    public_url: str | None = None,
    chat_limits: WebChatLimits | None = None,
    open_door: bool = True,
    more: Sequence[Callable[[str], str]] = (),
    clock: Clock | None = None,
) -> LiveServer:
    """Start a server on a fresh `data_dir` with `groups` web chat groups; `playbook` may
    rewrite the template's text first (the benchmark turns the FAQ cooldown down);
    `public_url` is what pages show as the server's address (default: the real one);
    `chat_limits` replaces the web chat's abuse limits (the benchmark's 200 members all join
    from 127.0.0.1); `open_door` lets strangers in (the template is paid) unless False;
    `clock` is the server's clock (default: the wall clock; a `MovableClock` lets a test jump
    to a reminder or an expiry)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    text = template_text(TEMPLATE)
    if open_door:
        text = open_to_everyone(text)
    if playbook is not None:
        text = playbook(text)
    playbook_file = data_dir / "playbook.yaml"
    playbook_file.write_text(text, encoding="utf-8")
    playbooks = [playbook_file]
    for n, rewrite in enumerate(more, start=2):
        playbooks.append(data_dir / f"playbook-{n}.yaml")
        playbooks[-1].write_text(rewrite(template_text(TEMPLATE)), encoding="utf-8")
    copy_content(TEMPLATE, data_dir)
    database_url = sqlite_url_for(data_dir)
    if (data_dir / DATABASE_NAME).exists():  # a restart on the same data_dir
        upgrade(database_url)
    else:
        migrated_sqlite(data_dir)
    settings = Settings(
        data_dir=data_dir, database_url=database_url, playbooks=tuple(playbooks), config_file=None
    )
    if chat_limits is not None:
        settings = replace(settings, carriers={"webchat": WebChatSetup(chat_limits)})
    sock = open_socket("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        web_settings = WebSettings(data_dir=data_dir, public_url=public_url or url)
        host = Host.build(settings, web_settings, clock=clock or SystemClock())
    except BaseException:
        sock.close()
        raise
    for running in host.running:
        community = running.community.id
        for n in range(2, groups + 1):
            add_webchat_group(host.store, community, host.runtimes[community].playbook, n)
    if host.store.operator_by_name(OPERATOR) is None:  # a restart on the same data_dir keeps it
        host.store.add_operator(OPERATOR, _password_hash())
    server = LiveServer(url=url, host=host)
    ready = threading.Event()

    def run() -> None:
        loop = asyncio.new_event_loop()
        server._loop = loop
        try:
            server._stop = asyncio.Event()
            loop.run_until_complete(
                serve(host, sock=sock, stop=server._stop, on_ready=lambda _port: ready.set())
            )
        except BaseException as exc:
            server._failure.append(exc)
        finally:
            ready.set()
            loop.close()

    server._thread = threading.Thread(target=run, name=f"live-server {url}", daemon=True)
    server._thread.start()
    if not ready.wait(START_SECONDS) or server._failure:
        server.stop()
        raise RuntimeError(f"the live server at {url} did not start")
    return server
