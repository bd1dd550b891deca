"""The Telegram reply round trip: a member asks a FAQ question in a group, how long until the
bot's reply is in the group — Hearthkeeper against a bare echo bot on the same fake Bot API
(tests/carriers/telegram/fake_bot_api.py), in the same run, reported as a ratio (target ≤ 1.1).

One process, one event loop: the fake server (aiohttp on 127.0.0.1), and two bots, each an
aiogram `Bot` talking HTTP to it and long-polling `getUpdates` (30 s), each in its own group:

- the echo bot: answers every member's message with the same text, as a reply
  (`reply_parameters`), as Hearthkeeper's FAQ answers are;
- Hearthkeeper: the skincare template's runtime and the engine on SQLite (the system clock)
  with the `TelegramCarrier` (its defaults, quotas included), the bot an administrator.

The member posts through the fake (as the Telegram app would); the time counted runs from the
post being stored to the bot's reply being stored. Questions alternate between the bots (A B
A B …), one at a time, each pair at least `PACE` s after the previous one: Telegram's quotas
(about one message a second in a chat, twenty a minute in a group), which Hearthkeeper's queue
keeps and the echo bot does not, would otherwise be what is measured. The FAQ cooldown is set to 1 s and the flooding and
repeat limits lifted, as in benchmarks/matrix_roundtrip.py.

    .venv/bin/python benchmarks/telegram_roundtrip.py [--questions N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.carriers.telegram

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import ReplyParameters
from tests.carriers.telegram.fake_bot_api import FakeBotApi

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.carriers.telegram import ChatMap, TelegramCarrier, TelegramSettings
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
PACE = 3.1  # seconds at least between two pairs: Telegram allows ~20 messages a minute a group
WARM_UP = 3
ANSWER_WAIT = 20.0


def benchmark_playbook(text: str) -> str:
    for old, new in (COOLDOWN, FLOODING):
        if old not in text:
            raise SystemExit(f"the {TEMPLATE} template no longer says {old.strip()!r}")
        text = text.replace(old, new)
    return text


async def echo_bot(api: FakeBotApi, token: str, stop: asyncio.Event) -> None:
    """The bare echo bot: long-poll, reply with the same text."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    bot = Bot(token, session=session)
    offset: int | None = None
    try:
        while not stop.is_set():
            updates = await bot.get_updates(offset=offset, timeout=30, request_timeout=45)
            for update in updates:
                offset = update.update_id + 1
                message = update.message
                if message is None or not message.text:
                    continue
                await bot.send_message(message.chat.id, message.text,
                                       reply_parameters=ReplyParameters(
                                           message_id=message.message_id))  # fmt: skip
    finally:
        await session.close()


class Replies:
    """Waits for the reply to one message (the fake tells of each message it stores)."""

    def __init__(self, api: FakeBotApi) -> None:
        self.waiting: dict[tuple[int, int], asyncio.Future[float]] = {}
        original: Callable[..., dict[str, Any]] = api._message

        def stored(chat: Any, sender: Any, text: str, *, reply_to: int | None = None) -> Any:
            message = original(chat, sender, text, reply_to=reply_to)
            future = self.waiting.pop((chat.id, reply_to), None) if reply_to else None
            if future is not None and not future.done():
                future.set_result(time.perf_counter())
            return message

        api._message = stored  # type: ignore[method-assign]

    async def ask(self, api: FakeBotApi, chat: int, member: dict[str, Any], text: str) -> float:
        started = time.perf_counter()
        message_id = api.say(chat, member, text)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[(chat, message_id)] = future
        return (await asyncio.wait_for(future, ANSWER_WAIT)) - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(count: int) -> dict[str, Any]:
    api = FakeBotApi(lambda: datetime.now(UTC))
    await api.start()
    folder = Path(tempfile.mkdtemp(prefix="hearth-tg-bench-"))
    upgrade(sqlite_url(folder))
    store = Store(create_engine_for(sqlite_url(folder)), SystemClock())
    loaded = parse_playbook(benchmark_playbook(template_text(TEMPLATE)), str(folder / "pb.yaml"))
    copy_content(TEMPLATE, folder)
    apply_playbook(store, loaded, "bench")
    runtime = runtime_for(store, loaded.playbook, folder)
    owner, member = api.user("Owner"), api.user("Mei")
    hearth_token, echo_token = api.bot("Hearth", "hearth_bench_bot"), api.bot("Echo", "echo_bot")
    hearth_chat, echo_chat = api.supergroup("Hearth", owner), api.supergroup("Echo", owner)
    api.add_bot(hearth_chat, hearth_token)
    api.add_bot(echo_chat, echo_token)
    settings = TelegramSettings(token=hearth_token, mode="polling", api_base=api.base_url,
                                groups={str(hearth_chat): runtime.slug})  # fmt: skip
    store.add_group(runtime.community_id, "Hearth", "telegram", str(hearth_chat))
    carrier = TelegramCarrier(settings, ChatMap(dict(settings.groups)), SystemClock())
    engine = Engine(store, SystemClock(), [runtime], {"telegram": carrier})
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(engine.run(stop)),
        asyncio.create_task(echo_bot(api, echo_token, stop)),
    ]
    replies = Replies(api)
    questions = [e.question for e in loaded.playbook.mechanisms.faq.entries]
    await asyncio.sleep(0.5)
    api.join(hearth_chat, member)
    api.join(echo_chat, member)
    await asyncio.sleep(1.5)
    api.say(hearth_chat, member, "同意")
    await asyncio.sleep(1.5)
    took: dict[str, list[float]] = {"hearthkeeper": [], "echo": []}
    for n in range(WARM_UP + count):
        started = time.monotonic()
        text = questions[n % len(questions)]
        for name, chat in (("hearthkeeper", hearth_chat), ("echo", echo_chat)):
            seconds = await replies.ask(api, chat, member, text)
            if n >= WARM_UP:
                took[name].append(seconds * 1000)
        await asyncio.sleep(max(0.0, PACE - (time.monotonic() - started)))
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await api.stop()
    result: dict[str, Any] = {"questions": count, "machine": f"{platform.machine()}, "
                              f"{os.cpu_count()} cores, Python {platform.python_version()}"}  # fmt: skip
    for name, values in took.items():
        result[name] = {"p50_ms": round(statistics.median(values), 2),
                        "p99_ms": round(percentile(values, 99), 2)}  # fmt: skip
    for p in ("p50_ms", "p99_ms"):
        result[f"ratio_{p[:3]}"] = round(result["hearthkeeper"][p] / result["echo"][p], 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.questions))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    h, e = result["hearthkeeper"], result["echo"]
    print(f"Telegram reply round trip through the fake Bot API, {args.questions} questions each")
    print(f"  echo bot      p50 {e['p50_ms']:.2f} ms  p99 {e['p99_ms']:.2f} ms")
    print(f"  Hearthkeeper  p50 {h['p50_ms']:.2f} ms  p99 {h['p99_ms']:.2f} ms")
    print(f"  ratio         p50 {result['ratio_p50']:.3f}  p99 {result['ratio_p99']:.3f} "
          f"(target ≤ 1.1)")  # fmt: skip


if __name__ == "__main__":
    main()
