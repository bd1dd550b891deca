"""The Matrix reply round trip: a member asks a FAQ question in a room, how long until the
bot's reply arrives at the member's own client — Hearthkeeper against a bare echo bot on the
same Synapse, in the same run, reported as a ratio (target ≤ 1.1).

One throwaway Synapse (`tests.integration.synapse.start()`: 127.0.0.1, SQLite, relaxed rate
limits). Two bots, each in a child process of its own, each serving one room:

- the echo bot: a minimal matrix-nio client that long-polls /sync (30 s, as the carrier does)
  and answers every member's message with the same text, as a reply (`m.in_reply_to`) that
  mentions the sender (`m.mentions`), as the spec asks of replies and as Hearthkeeper's do;
- Hearthkeeper: the skincare template's runtime and the engine on SQLite (the system clock)
  with the `MatrixCarrier` (its defaults), the bot given power level 100 in its room.

The member is a matrix-nio client in this process, long-polling /sync. It accepts the rules in
Hearthkeeper's room (同意), warms both bots up (not counted: the FAQ loads its word lists on
the first question), then asks N questions of each bot, interleaved (A B A B …) so both see
the same server conditions, one at a time. The time counted runs from the member's send
returning (the event is stored) to the arrival, in the member's sync, of the bot message that
replies to that event. Both bots are sent the same texts: the template's FAQ questions.

The FAQ answers an entry at most once per cooldown in a group (10 minutes in the template) and
the template mutes a member posting more than 8 messages in 10 s or the same text more than 3
times in 10 minutes, so the benchmark sets the cooldown to 1 s, lifts those two limits, and
starts the pairs of questions at least `PACE` s apart (the 8 FAQ entries come round again after ≥ 1.2 s): every question is answered.

    .venv/bin/python benchmarks/matrix_roundtrip.py [--questions N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from nio import AsyncClient, AsyncClientConfig, MatrixRoom, RoomMessageText, RoomSendResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.integration.synapse

from tests.integration.synapse import MatrixUser, SynapseServer, start

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.matrix import MatrixAccount, MatrixCarrier, RoomMap, SyncPosition
from hearthkeeper.clock import SystemClock
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade

TEMPLATE = "skincare"
COOLDOWN = ("    cooldown: 10m", "    cooldown: 1s")
FLOODING = (
    "flooding: {max_messages: 8, per: 10s}",
    "flooding: {max_messages: 100000, per: 10s}\n    repeated_text: {max_repeats: 100000}",
)
CLIENT = "/_matrix/client/v3"
SYNC_TIMEOUT_MS = 30_000  # the carrier's default long poll; the echo bot's and the member's
ANSWER_WAIT = 20.0  # seconds the member waits for a reply before counting it unanswered
PACE = 0.15  # seconds at least between the starts of two pairs of questions
WARM_UP = 3  # questions to each bot before counting


def nio_client(base_url: str, user: dict[str, str]) -> AsyncClient:
    """A matrix-nio client signed in by access token, no encryption, nothing stored."""
    config = AsyncClientConfig(encryption_enabled=False, store_sync_tokens=False)
    client = AsyncClient(base_url, user["user_id"], device_id=user["device_id"], config=config)
    client.access_token = user["access_token"]
    client.user_id = user["user_id"]
    return client


def reply_to(event: RoomMessageText) -> str | None:
    """The event id a message replies to, if any."""
    relates = event.source.get("content", {}).get("m.relates_to", {})
    found = relates.get("m.in_reply_to", {}).get("event_id")
    return str(found) if found else None


# --- the echo bot, in a child process ---------------------------------------------------------


def echo_child(pipe: Connection, base_url: str, user: dict[str, str], room: str) -> None:
    """Join `room` and echo every other user's text message as a reply, until told to stop."""
    asyncio.run(echo(pipe, base_url, user, room))


async def echo(pipe: Connection, base_url: str, user: dict[str, str], room: str) -> None:
    client = nio_client(base_url, user)
    me = user["user_id"]

    async def on_message(where: MatrixRoom, event: RoomMessageText) -> None:
        if where.room_id != room or event.sender == me:
            return
        await client.room_send(room, "m.room.message", {
            "msgtype": "m.text", "body": event.body,
            "m.mentions": {"user_ids": [event.sender]},
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        })  # fmt: skip

    await client.join(room)
    await client.sync(timeout=0)  # the position to start from: nothing older is echoed
    client.add_event_callback(on_message, RoomMessageText)
    syncing = asyncio.create_task(client.sync_forever(timeout=SYNC_TIMEOUT_MS))
    pipe.send("ready")
    await asyncio.to_thread(pipe.recv)
    syncing.cancel()
    await client.close()


# --- Hearthkeeper, in a child process -----------------------------------------------------------


def benchmark_playbook(text: str) -> str:
    """The template with its FAQ cooldown at 1 s and the flooding and repeat limits lifted."""
    for old, new in (COOLDOWN, FLOODING):
        if old not in text:
            raise SystemExit(f"the {TEMPLATE} template no longer says {old.strip()!r}")
        text = text.replace(old, new)
    return text


def hearth_child(pipe: Connection, base_url: str, user: dict[str, str], room: str,
                 data_dir: str) -> None:  # fmt: skip
    """`hearth serve` for one community whose one group is `room`, until told to stop."""
    asyncio.run(hearth(pipe, base_url, user, room, Path(data_dir)))


async def hearth(pipe: Connection, base_url: str, user: dict[str, str], room: str,
                 data_dir: Path) -> None:  # fmt: skip
    data_dir.mkdir(parents=True)
    url = sqlite_url(data_dir)
    upgrade(url)
    clock = SystemClock()
    database = create_engine_for(url)
    store = Store(database, clock)
    loaded = parse_playbook(benchmark_playbook(template_text(TEMPLATE)),
                            str(data_dir / "playbook.yaml"))  # fmt: skip
    copy_content(TEMPLATE, data_dir)
    apply_playbook(store, loaded, "bench")
    runtime = runtime_for(store, loaded.playbook, data_dir)
    account = MatrixAccount(homeserver=base_url, user_id=user["user_id"],
                            access_token=user["access_token"])  # fmt: skip
    carrier = MatrixCarrier(account, RoomMap({room: runtime.slug}),
                            SyncPosition(data_dir / "matrix-sync.json"))  # fmt: skip
    engine = Engine(store, clock, [runtime], {"matrix": carrier},
                    adopt_groups_into=runtime.community_id)  # fmt: skip
    stop = asyncio.Event()
    serving = asyncio.create_task(engine.run(stop))
    pipe.send("ready")
    await asyncio.to_thread(pipe.recv)
    stop.set()
    await asyncio.wait_for(serving, timeout=SYNC_TIMEOUT_MS / 1000 + 10)
    database.dispose()


# --- the member ---------------------------------------------------------------------------------


@dataclass
class Member:
    """The member's own client: sends, and notes when each bot message arrives."""

    client: AsyncClient
    bots: set[str]
    replies: dict[str, float] = field(default_factory=dict)  # replied-to event id → arrival
    said: list[tuple[str, str]] = field(default_factory=list)  # (room, text) of bot messages
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        at = time.perf_counter()
        if event.sender not in self.bots:
            return
        answered = reply_to(event)
        if answered is not None:
            self.replies.setdefault(answered, at)
        self.said.append((room.room_id, event.body))
        self.arrived.set()

    async def send(self, room: str, text: str) -> tuple[str, float]:
        """Post `text`; its event id and when the send returned."""
        sent = await self.client.room_send(room, "m.room.message", {"msgtype": "m.text",
                                                                    "body": text})  # fmt: skip
        returned = time.perf_counter()
        if not isinstance(sent, RoomSendResponse):
            raise SystemExit(f"the member could not send to {room}: {sent}")
        return sent.event_id, returned

    async def wait_for(self, done: Any, what: str) -> None:
        deadline = time.monotonic() + ANSWER_WAIT
        while not done():
            self.arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(f"waited {ANSWER_WAIT:.0f} s for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), left)

    async def ask(self, room: str, text: str) -> float | None:
        """Seconds from the send returning to the reply's arrival (None: no reply in time)."""
        event_id, returned = await self.send(room, text)
        try:
            await self.wait_for(lambda: event_id in self.replies, "a reply")
        except SystemExit:
            return None
        return max(0.0, self.replies[event_id] - returned)


# --- setting up and running ---------------------------------------------------------------------


def as_dict(user: MatrixUser) -> dict[str, str]:
    return {"user_id": user.user_id, "access_token": user.access_token,
            "device_id": user.device_id}  # fmt: skip


async def create_room(owner: httpx.AsyncClient, bot: str) -> str:
    response = await owner.post(f"{CLIENT}/createRoom",
                                json={"preset": "public_chat", "invite": [bot]})  # fmt: skip
    response.raise_for_status()
    return str(response.json()["room_id"])


async def joined(owner: httpx.AsyncClient, room: str, user_id: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = await owner.get(f"{CLIENT}/rooms/{quote(room)}/joined_members")
        if user_id in response.json().get("joined", {}):
            return
        await asyncio.sleep(0.1)
    raise SystemExit(f"{user_id} did not join {room} within 60 s")


async def empower(owner: httpx.AsyncClient, room: str, user_id: str) -> None:
    path = f"{CLIENT}/rooms/{quote(room)}/state/m.room.power_levels/"
    levels = (await owner.get(path)).json()
    levels.setdefault("users", {})[user_id] = 100
    (await owner.put(path, json=levels)).raise_for_status()


@dataclass
class Bot:
    name: str
    room: str
    times: list[float] = field(default_factory=list)
    unanswered: int = 0

    def quantiles(self) -> dict[str, float]:
        ms = sorted(t * 1000 for t in self.times)
        q = statistics.quantiles(ms, n=100, method="inclusive")
        return {"p50": q[49], "p90": q[89], "p99": q[98], "max": ms[-1]}


async def measure(member: Member, bots: list[Bot], questions: list[str], count: int) -> None:
    """Warm both bots up, then `count` questions to each, interleaved, one at a time."""
    for n in range(WARM_UP):
        for bot in bots:
            if await member.ask(bot.room, questions[n % len(questions)]) is None:
                raise SystemExit(f"{bot.name} did not answer the warm-up question")
    await asyncio.sleep(1.2)  # past the FAQ cooldown
    for n in range(count):
        started = time.monotonic()
        for bot in bots if n % 2 == 0 else bots[::-1]:
            took = await member.ask(bot.room, questions[n % len(questions)])
            if took is None:
                bot.unanswered += 1
            else:
                bot.times.append(took)
        await asyncio.sleep(max(0.0, PACE - (time.monotonic() - started)))


async def run(server: SynapseServer, count: int, tmp: Path) -> list[Bot]:
    owner_user, member_user = server.register(), server.register()
    echo_user, hearth_user = server.register(), server.register()
    base = server.base_url
    owner = httpx.AsyncClient(base_url=base, headers=owner_user.headers, timeout=30)
    echo_room = await create_room(owner, echo_user.user_id)
    hearth_room = await create_room(owner, hearth_user.user_id)

    context = multiprocessing.get_context("spawn")
    children: list[tuple[Connection, Any]] = []
    for target, args in (
        (echo_child, (base, as_dict(echo_user), echo_room)),
        (hearth_child, (base, as_dict(hearth_user), hearth_room, str(tmp / "hearth"))),
    ):
        ours, theirs = context.Pipe()
        child = context.Process(target=target, args=(theirs, *args))
        child.start()
        children.append((ours, child))
    member = Member(nio_client(base, as_dict(member_user)),
                    {echo_user.user_id, hearth_user.user_id})  # fmt: skip
    try:
        for pipe, _ in children:
            if not await asyncio.to_thread(pipe.poll, 120):
                raise SystemExit("a bot did not start within 2 minutes")
            pipe.recv()
        await joined(owner, echo_room, echo_user.user_id)
        await joined(owner, hearth_room, hearth_user.user_id)
        await empower(owner, hearth_room, hearth_user.user_id)

        client = member.client
        for room in (echo_room, hearth_room):
            await client.join(room)
        await client.sync(timeout=0)
        client.add_event_callback(member.on_message, RoomMessageText)
        syncing = asyncio.create_task(client.sync_forever(timeout=SYNC_TIMEOUT_MS))
        await member.send(hearth_room, "同意")
        await member.wait_for(lambda: any(r == hearth_room and "已接受群规" in text
                                          for r, text in member.said), "the rules accepted")  # fmt: skip
        entries = parse_playbook(template_text(TEMPLATE)).playbook.mechanisms.faq.entries
        bots = [Bot("echo bot", echo_room), Bot("Hearthkeeper", hearth_room)]
        await measure(member, bots, [e.question for e in entries], count)
        syncing.cancel()
        return bots
    finally:
        for pipe, _ in children:
            pipe.send("stop")
        for _, child in children:
            child.join(45)
            if child.is_alive():
                child.terminate()
        await member.client.close()
        await owner.aclose()


def machine(synapse_version: str) -> str:
    """Cores, CPU model, Python and Synapse versions."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model}), {platform.machine()}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"Synapse {synapse_version}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=100,
                        help="questions asked of each bot (default 100)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.questions < 2:
        parser.error("--questions must be at least 2")
    from synapse import __version__ as synapse_version

    server = start()
    if isinstance(server, str):
        raise SystemExit(f"cannot start Synapse: {server}")
    try:
        with tempfile.TemporaryDirectory(prefix="hearth-matrix-bench-") as tmp:
            bots = asyncio.run(run(server, args.questions, Path(tmp)))
    finally:
        server.stop()
    echo_bot, hearthkeeper = bots
    if not echo_bot.times or not hearthkeeper.times:
        raise SystemExit("a bot answered nothing")
    e, h = echo_bot.quantiles(), hearthkeeper.quantiles()
    ratio = {"p50": h["p50"] / e["p50"], "p99": h["p99"] / e["p99"]}
    if args.json:
        print(json.dumps({"questions": args.questions, "machine": machine(synapse_version),
                          "bots": {b.name: {**b.quantiles(), "answered": len(b.times),
                                            "unanswered": b.unanswered} for b in bots},
                          "ratio": ratio}, ensure_ascii=False))  # fmt: skip
        return
    print(f"Matrix reply round trip — {args.questions} questions to each bot, interleaved; "
          f"{machine(synapse_version)}")  # fmt: skip
    for bot in bots:
        q = bot.quantiles()
        print(f"  {bot.name:<13} p50 {q['p50']:7.1f} ms  p90 {q['p90']:7.1f} ms  "
              f"p99 {q['p99']:7.1f} ms  max {q['max']:7.1f} ms  "
              f"answered {len(bot.times)}/{len(bot.times) + bot.unanswered}")  # fmt: skip
    print(f"  ratio Hearthkeeper / echo: p50 {ratio['p50']:.2f}  p99 {ratio['p99']:.2f}"
          f"  (target ≤ 1.1)")  # fmt: skip


if __name__ == "__main__":
    main()
