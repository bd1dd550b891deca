"""The web chat's round trip: a member asks a FAQ question, how long until the bot's answer
arrives on that member's own WebSocket.

A real server runs in a child process (`hearth serve`'s runner on 127.0.0.1, a free port;
SQLite in a temporary directory; the skincare template; the simulator off). 200 members join
through the HTTP invite flow (GET the join form, POST a nickname), open one WebSocket each and
accept the rules (同意, itself a round trip: the bot's "accepted" reply). After one question
to warm the FAQ up (its word lists load on first use; not counted), every member asks a
question the template's FAQ answers, all at the same moment (round 1), and again spread over
a few seconds (round 2). The time counted runs from sending the `say` frame to
the arrival of the bot message that replies to it.

The FAQ answers an entry at most once per cooldown in a group (10 minutes in the template),
so the benchmark sets the cooldown to 1 s and seats members in groups of 8, one per FAQ
entry: every question is then one the bot answers. The template's capacity (500) would
allow one group for all; `--per-group` changes the seating.

    .venv/bin/python benchmarks/webchat_roundtrip.py [--members N] [--per-group N]
        [--spread SECONDS] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.browser.live

from tests.browser.live import start_live_server

from hearthkeeper.carriers.webchat.plugin import WebChatLimits
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.templates import template_text

TEMPLATE = "skincare"
COOLDOWN = ("    cooldown: 10m", "    cooldown: 1s")
ANSWER_WAIT = 60.0  # seconds a member waits for an answer before counting it unanswered
JOINING_AT_ONCE = 20  # HTTP joins in flight together
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- the server, in a child process ----------------------------------------------------------


def with_short_cooldown(text: str) -> str:
    """The template with its FAQ cooldown at 1 s (every question asked gets its answer)."""
    if COOLDOWN[0] not in text:
        raise SystemExit(f"the {TEMPLATE} template no longer says {COOLDOWN[0].strip()!r}")
    return text.replace(*COOLDOWN)


def serve_child(pipe: Connection, data_dir: str, groups: int) -> None:
    """Run the server until the parent says stop; send it the URL and the invite codes."""
    # every simulated member joins from 127.0.0.1: the per-address join limit is lifted
    limits = WebChatLimits(joins_per_minute=10_000)
    server = start_live_server(
        Path(data_dir), groups=groups, playbook=with_short_cooldown, chat_limits=limits
    )
    try:
        pipe.send((server.url, [server.invite_code(n) for n in range(groups)]))
        pipe.recv()
    finally:
        server.stop()


# --- the members -------------------------------------------------------------------------------


@dataclass
class Member:
    """One member: a browser-like HTTP client for joining and one WebSocket."""

    nickname: str
    code: str
    token: str = ""
    me: str = ""
    socket: ClientConnection | None = None
    _asking: str | None = None
    _asked_id: int | None = None
    _answered: asyncio.Future[float] | None = None
    _hello: asyncio.Event = field(default_factory=asyncio.Event)

    async def join(self, url: str) -> None:
        """The invite flow: the join form, then posting a nickname (sets the member cookie)."""
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            form = await http.get(f"/join/{self.code}")
            found = CSRF.search(form.text)
            if form.status_code != 200 or found is None:
                raise SystemExit(f"join form for {self.nickname}: HTTP {form.status_code}")
            joined = await http.post(f"/join/{self.code}",
                                     data={"nickname": self.nickname, "csrf_token": found[1]})  # fmt: skip
            self.token = http.cookies.get("hearth_member") or ""
            if joined.status_code != 303 or not self.token:
                raise SystemExit(f"joining as {self.nickname}: HTTP {joined.status_code}")

    async def open(self, url: str) -> None:
        """Open the chat's WebSocket and wait for its hello."""
        ws_url = url.replace("http://", "ws://") + f"/chat/{self.code}/ws"
        self.socket = await connect(ws_url, additional_headers={
            "Cookie": f"hearth_member={self.token}"}, max_queue=None)  # fmt: skip
        asyncio.get_running_loop().create_task(self._read())
        await asyncio.wait_for(self._hello.wait(), ANSWER_WAIT)

    async def ask(self, text: str) -> float | None:
        """Say `text`; seconds until the bot's reply to it arrived (None: no reply in time)."""
        assert self.socket is not None
        self._asking, self._asked_id = text, None
        self._answered = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        await self.socket.send(json.dumps({"type": "say", "text": text}))
        try:
            arrived = await asyncio.wait_for(self._answered, ANSWER_WAIT)
        except TimeoutError:
            return None
        return arrived - start

    async def _read(self) -> None:
        assert self.socket is not None
        async for raw in self.socket:
            frame: dict[str, Any] = json.loads(raw)
            if frame["type"] == "hello":
                self.me = frame["me"]["user_id"]
                self._hello.set()
            elif frame["type"] == "message":
                self._seen(frame, time.perf_counter())

    def _seen(self, frame: dict[str, Any], at: float) -> None:
        if not frame["bot"]:
            if frame["user_id"] == self.me and frame["text"] == self._asking:
                self._asked_id = frame["id"]
            return
        waiting = self._answered
        if (self._asked_id is not None and frame["reply_to"] == self._asked_id
                and waiting is not None and not waiting.done()):  # fmt: skip
            waiting.set_result(at)


# --- the rounds ----------------------------------------------------------------------------------


@dataclass
class Round:
    """One round's round trips (seconds), and how many got no answer."""

    name: str
    times: list[float]
    unanswered: int

    def line(self) -> str:
        """The round as one line of figures in milliseconds."""
        if not self.times:
            return f"{self.name:<34} no answers; {self.unanswered} unanswered"
        ms = sorted(t * 1000 for t in self.times)
        q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
        return (f"{self.name:<34} p50 {q[49]:7.1f} ms  p90 {q[89]:7.1f} ms  "
                f"p99 {q[98]:7.1f} ms  max {ms[-1]:7.1f} ms  "
                f"answered {len(ms)}/{len(ms) + self.unanswered}")  # fmt: skip

    def figures(self) -> dict[str, Any]:
        """The round as JSON."""
        ms = sorted(t * 1000 for t in self.times)
        q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
        return {"round": self.name, "answered": len(ms), "unanswered": self.unanswered,
                "p50_ms": q[49] if ms else None, "p90_ms": q[89] if ms else None,
                "p99_ms": q[98] if ms else None, "max_ms": ms[-1] if ms else None}  # fmt: skip


async def ask_all(name: str, members: list[Member], questions: list[str], spread: float) -> Round:
    """Every member asks its question: at the same moment, or at a random time in `spread`."""
    go = asyncio.Event()

    async def one(member: Member, question: str) -> float | None:
        await go.wait()
        if spread:
            await asyncio.sleep(random.uniform(0, spread))
        return await member.ask(question)

    tasks = [asyncio.create_task(one(m, q)) for m, q in zip(members, questions, strict=True)]
    await asyncio.sleep(0.1)  # every task is waiting at the starting line
    go.set()
    results = await asyncio.gather(*tasks)
    times = [r for r in results if r is not None]
    return Round(name, times, len(results) - len(times))


async def run(url: str, codes: list[str], count: int, per_group: int, spread: float) -> list[Round]:
    """Join, connect, accept the rules, then the two rounds of questions."""
    entries = parse_playbook(template_text(TEMPLATE)).playbook.mechanisms.faq.entries
    members = [Member(f"成员{n:03d}", codes[n // per_group]) for n in range(count)]
    questions = [entries[n % per_group].question for n in range(count)]
    limit = asyncio.Semaphore(JOINING_AT_ONCE)

    async def join(member: Member) -> None:
        async with limit:
            await member.join(url)

    await asyncio.gather(*(join(m) for m in members))
    await asyncio.gather(*(m.open(url) for m in members))
    rounds = [await ask_all("accept the rules (同意), at once", members, ["同意"] * count, 0)]
    # The FAQ's word lists load on the first question a server is asked (about 0.4 s once):
    # one question first, not counted, so the rounds measure a server that is warm.
    await members[0].ask(questions[0])
    await asyncio.sleep(1.2)  # past the 1 s cooldown; each round starts on an idle server
    rounds.append(await ask_all("FAQ question, all at once", members, questions, 0))
    await asyncio.sleep(1.2)
    rounds.append(await ask_all(f"FAQ question, over {spread:g} s", members, questions, spread))
    for member in members:
        if member.socket is not None:
            await member.socket.close()
    return rounds


def machine() -> str:
    """Cores, CPU model and Python version."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model}), {platform.machine()}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200, help="members (default 200)")
    parser.add_argument("--per-group", type=int, default=8,
                        help="members per group, at most one per FAQ entry (default 8)")  # fmt: skip
    parser.add_argument("--spread", type=float, default=3.0,
                        help="seconds round 2's questions are spread over (default 3)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    entries = len(parse_playbook(template_text(TEMPLATE)).playbook.mechanisms.faq.entries)
    if not 1 <= args.per_group <= entries:
        parser.error(f"--per-group must be 1 to {entries} (the template's FAQ entries)")
    groups = -(-args.members // args.per_group)
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="hearth-roundtrip-") as tmp:
        ours, theirs = context.Pipe()
        child = context.Process(target=serve_child, args=(theirs, str(Path(tmp) / "data"), groups))
        child.start()
        try:
            if not ours.poll(120):
                raise SystemExit("the server did not start within 2 minutes")
            url, codes = ours.recv()
            started = time.perf_counter()
            rounds = asyncio.run(run(url, codes, args.members, args.per_group, args.spread))
            elapsed = time.perf_counter() - started
        finally:
            ours.send("stop")
            child.join(30)
    if args.json:
        print(json.dumps({"members": args.members, "groups": groups, "machine": machine(),
                          "rounds": [r.figures() for r in rounds]}, ensure_ascii=False))  # fmt: skip
        return
    print(f"web chat round trip — {args.members} members in {groups} group(s) of "
          f"{args.per_group}, one WebSocket each; {machine()}")  # fmt: skip
    for result in rounds:
        print("  " + result.line())
    print(f"  (joining, connecting and the three rounds took {elapsed:.1f} s)")


if __name__ == "__main__":
    main()
