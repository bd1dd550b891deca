"""The QQ reply round trip: a member asks a FAQ question in a QQ group, how long until the
bot's reply reaches QQ — Hearthkeeper against a bare echo bot on the same fake OneBot v11
implementation, in the same run, reported as a ratio (target ≤ 1.1).

The fake (`tests/carriers/onebot/fake_onebot.py`) plays NapCat and QQ in this process: one
fake account per bot, each connecting to its bot's reverse WebSocket with the access token.
Two bots, each in a child process of its own:

- the echo bot: a bare `websockets` server that checks the token and answers every group
  message with `send_group_msg`: the same text, quoting the message (a `reply` segment), as
  Hearthkeeper's FAQ replies do;
- Hearthkeeper: the skincare template's runtime and the engine on SQLite (the system clock)
  with the `OneBotCarrier` (its defaults, quotas raised out of the way).

The member accepts the rules in Hearthkeeper's group (同意), warms both bots up (not counted),
then asks N questions of each bot, interleaved (A B, B A, …), one at a time, pairs at least
`PACE` s apart. The time counted runs from the member's message event being written to the
WebSocket to the bot's `send_group_msg` call quoting it being read by the fake. The FAQ
cooldown is set to 1 s and the flooding and repeated-text limits lifted, as in the Matrix
benchmark, so that every question is answered.

    .venv/bin/python benchmarks/onebot_roundtrip.py [--questions N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.carriers.onebot

from tests.carriers.onebot.fake_onebot import FakeOneBot

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.onebot import OneBotCarrier, OneBotSettings
from hearthkeeper.carriers.onebot.plugin import adopt_groups
from hearthkeeper.clock import SystemClock
from hearthkeeper.engine.carrier import RateLimit
from hearthkeeper.engine.engine import Engine
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import copy_content, template_text
from hearthkeeper.store import Store, create_engine_for, sqlite_url, upgrade

TEMPLATE = "skincare"
TOKEN = "bench-token"
PATH = "/onebot/v11/ws"
ECHO_GROUP, HEARTH_GROUP = 600_000_001, 600_000_002
MEMBER = 3_100_001
COOLDOWN = ("    cooldown: 10m", "    cooldown: 1s")
FLOODING = (
    "flooding: {max_messages: 8, per: 10s}",
    "flooding: {max_messages: 100000, per: 10s}\n    repeated_text: {max_repeats: 100000}",
)
OPEN = ("    kind: paid  ", "    kind: open  ")
PLAN = ("    plan: half-year\n", "")
WARM_UP = 3
PACE = 0.15


def benchmark_playbook(text: str) -> str:
    for old, new in (COOLDOWN, FLOODING, OPEN, PLAN):
        if old not in text:
            raise SystemExit(f"the {TEMPLATE} template no longer says {old.strip()!r}")
        text = text.replace(old, new)
    return text


# --- the echo bot ------------------------------------------------------------------------------


def echo_child(pipe: Connection) -> None:
    asyncio.run(echo(pipe))


async def echo(pipe: Connection) -> None:
    from websockets.asyncio.server import ServerConnection, serve
    from websockets.http11 import Request, Response

    echoes = iter(range(1, 10**9))

    def admit(connection: ServerConnection, request: Request) -> Response | None:
        given = request.headers.get("Authorization", "").partition(" ")[2]
        if not hmac.compare_digest(given.encode(), TOKEN.encode()):
            return connection.respond(401, "no\n")
        return None

    async def handle(connection: ServerConnection) -> None:
        async for frame in connection:
            event = json.loads(frame)
            if event.get("post_type") != "message" or event.get("message_type") != "group":
                continue
            text = "".join(s["data"].get("text", "") for s in event["message"]
                           if s["type"] == "text")  # fmt: skip
            await connection.send(json.dumps({"action": "send_group_msg", "params": {
                "group_id": event["group_id"], "message": [
                    {"type": "reply", "data": {"id": str(event["message_id"])}},
                    {"type": "text", "data": {"text": text}}]},
                "echo": f"e{next(echoes)}"}, ensure_ascii=False))  # fmt: skip

    async with serve(handle, "127.0.0.1", 0, process_request=admit, compression=None) as server:
        pipe.send(next(iter(server.sockets)).getsockname()[1])
        await asyncio.to_thread(pipe.recv)


# --- Hearthkeeper --------------------------------------------------------------------------------


def hearth_child(pipe: Connection, data_dir: str) -> None:
    asyncio.run(hearth(pipe, Path(data_dir)))


async def hearth(pipe: Connection, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    url = sqlite_url(data_dir)
    upgrade(url)
    clock = SystemClock()
    store = Store(create_engine_for(url), clock)
    loaded = parse_playbook(benchmark_playbook(template_text(TEMPLATE)), str(data_dir / "pb.yaml"))
    copy_content(TEMPLATE, data_dir)
    apply_playbook(store, loaded, "bench")
    runtime = runtime_for(store, loaded.playbook, data_dir)
    settings = OneBotSettings(
        host="127.0.0.1", port=0, path=PATH, access_token=TOKEN, token_env="-", self_id=None,
        groups={str(HEARTH_GROUP): runtime.slug}, per_group=RateLimit(count=100_000, seconds=60),
        overall=RateLimit(count=100_000, seconds=1),
        requests_file=data_dir / "onebot-requests.json",
    )  # fmt: skip
    community = store.get_community(runtime.slug)
    assert community is not None
    adopt_groups(store, settings, {community.slug: community})
    carrier = OneBotCarrier(settings)
    engine = Engine(store, clock, [runtime], {"qq": carrier})
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    while carrier.port == 0:
        await asyncio.sleep(0.01)
    pipe.send(carrier.port)
    await asyncio.to_thread(pipe.recv)
    stop.set()
    await task


# --- the member ----------------------------------------------------------------------------------


@dataclass
class Bot:
    name: str
    fake: FakeOneBot
    group: int
    times: list[float] = field(default_factory=list)
    unanswered: int = 0

    def quantiles(self) -> dict[str, float]:
        ms = sorted(t * 1000 for t in self.times)
        q = statistics.quantiles(ms, n=100, method="inclusive")
        return {"p50": q[49], "p90": q[89], "p99": q[98], "max": ms[-1]}


async def ask(bot: Bot, text: str) -> float | None:
    """The round trip of one question, or None when no answer quoting it came in 5 s."""
    fake = bot.fake
    started = time.perf_counter()
    asked = str(await fake.say(bot.group, MEMBER, text))

    def answered() -> float | None:
        for said in reversed(fake.bot_said(bot.group)):
            if said.quoted() == asked:
                return time.perf_counter()
        return None

    try:
        arrived = await fake.until(answered, f"{bot.name} to answer", timeout=5)
    except AssertionError:
        return None
    return arrived - started


async def run(count: int, tmp: Path) -> list[Bot]:
    context = multiprocessing.get_context("spawn")
    children: list[tuple[Connection, Any]] = []
    for target, args in ((echo_child, ()), (hearth_child, (str(tmp / "hearth"),))):
        ours, theirs = context.Pipe()
        child = context.Process(target=target, args=(theirs, *args))
        child.start()
        children.append((ours, child))
    fakes = [FakeOneBot(self_id=2_900_000_001), FakeOneBot(self_id=2_900_000_002)]
    try:
        bots = []
        for (pipe, _), fake, (name, group) in zip(
            children, fakes, (("echo bot", ECHO_GROUP), ("Hearthkeeper", HEARTH_GROUP)),
            strict=True,
        ):  # fmt: skip
            if not await asyncio.to_thread(pipe.poll, 120):
                raise SystemExit(f"the {name} did not start within 2 minutes")
            port = pipe.recv()
            fake.group(group)
            await fake.connect(f"ws://127.0.0.1:{port}{PATH}", TOKEN)
            await fake.join(group, MEMBER, "小美")
            bots.append(Bot(name, fake, group))
        hearth = bots[1].fake
        await hearth.bot_message(HEARTH_GROUP, "欢迎 小美", timeout=60)
        await hearth.say(HEARTH_GROUP, MEMBER, "同意")
        await hearth.bot_message(HEARTH_GROUP, "已接受群规")
        entries = parse_playbook(template_text(TEMPLATE)).playbook.mechanisms.faq.entries
        questions = [e.question for e in entries]
        for n in range(WARM_UP):
            for bot in bots:
                if await ask(bot, questions[n % len(questions)]) is None:
                    raise SystemExit(f"the {bot.name} did not answer the warm-up question")
        await asyncio.sleep(1.2)  # past the FAQ cooldown
        for n in range(count):
            started = time.monotonic()
            for bot in bots if n % 2 == 0 else bots[::-1]:
                took = await ask(bot, questions[n % len(questions)])
                if took is None:
                    bot.unanswered += 1
                else:
                    bot.times.append(took)
            await asyncio.sleep(max(0.0, PACE - (time.monotonic() - started)))
        return bots
    finally:
        for fake in fakes:
            await fake.disconnect()
        for pipe, _ in children:
            pipe.send("stop")
        for _, child in children:
            child.join(45)
            if child.is_alive():
                child.terminate()


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import websockets

    return (f"{os.cpu_count()} cores ({model}), {platform.machine()}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"websockets {websockets.__version__}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=100,
                        help="questions asked of each bot (default 100)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.questions < 2:
        parser.error("--questions must be at least 2")
    with tempfile.TemporaryDirectory(prefix="hearth-onebot-bench-") as tmp:
        bots = asyncio.run(run(args.questions, Path(tmp)))
    echo_bot, hearthkeeper = bots
    if not echo_bot.times or not hearthkeeper.times:
        raise SystemExit("a bot answered nothing")
    e, h = echo_bot.quantiles(), hearthkeeper.quantiles()
    ratio = {"p50": h["p50"] / e["p50"], "p99": h["p99"] / e["p99"]}
    if args.json:
        print(json.dumps({"questions": args.questions, "machine": machine(),
                          "bots": {b.name: {**b.quantiles(), "answered": len(b.times),
                                            "unanswered": b.unanswered} for b in bots},
                          "ratio": ratio}, indent=2))  # fmt: skip
        return
    print(f"QQ (OneBot v11) reply round trip, {args.questions} questions each · {machine()}")
    print(f"{'bot':<14} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}  answered")
    for bot in bots:
        q = bot.quantiles()
        print(f"{bot.name:<14} {q['p50']:>6.2f}ms {q['p90']:>6.2f}ms {q['p99']:>6.2f}ms "
              f"{q['max']:>6.2f}ms  {len(bot.times)}/{len(bot.times) + bot.unanswered}")  # fmt: skip
    print(f"ratio Hearthkeeper / echo: p50 {ratio['p50']:.2f}, p99 {ratio['p99']:.2f}")


if __name__ == "__main__":
    main()
