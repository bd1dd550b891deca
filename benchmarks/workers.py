"""Engine workers sharing one PostgreSQL database: messages decided per second by 1, 2 and 4
`hearth serve --role engine` processes, and how long a killed worker's groups wait.

A throwaway PostgreSQL server (started as the tests start theirs: 127.0.0.1 only, fsync off)
gets the skincare template's community with `--groups` web chat groups, and the web chat's
queue is filled with `--messages` members' messages (the synthetic stream of `hearth bench
engine`: Chinese and English chat, 3% evasive ads), as web nodes would have queued them. Each
run copies that database and starts the workers, which take the groups between them
(advisory-lock leases) and decide everything with every mechanism of the template on.
Throughput is the messages over the span between the first and the last event recorded
(`events.recorded_at`), so the workers' start-up is not counted.

The takeover run starts two workers and kills one with SIGKILL halfway: the figure is the
longest any group waited after the kill for its next decision.

    .venv/bin/python benchmarks/workers.py [--messages 20000] [--groups 40] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.integration

from sqlalchemy import insert, text
from tests.integration import postgres
from tests.playbook_samples import open_to_everyone

from hearthkeeper.apply import apply_playbook
from hearthkeeper.bench.synthetic import stream
from hearthkeeper.carriers.webchat.groups import ensure_webchat_group, open_next_group
from hearthkeeper.clock import SystemClock
from hearthkeeper.playbook import load_playbook
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store, create_engine_for, upgrade
from hearthkeeper.store.models import (
    WebChatEventRow,
    WebChatMessageRow,
    WebChatSeatRow,
    WebChatUserRow,
)

TEMPLATE_DB = "workers_template"


def main() -> int:
    args = _arguments()
    say = (lambda *_: None) if args.json else print
    server = postgres.start()
    if isinstance(server, str):
        print(f"PostgreSQL cannot run here: {server}", file=sys.stderr)
        return 1
    figures: dict[str, Any] = {"machine": _machine(), "postgres": server.version,
                               "messages": args.messages, "groups": args.groups}  # fmt: skip
    try:
        with tempfile.TemporaryDirectory(prefix="hearth-workers-") as tmp:
            folder = Path(tmp)
            say(f"filling the queue: {args.messages:,} messages in {args.groups} groups …")
            _prepare(server, folder, args.messages, args.groups)
            for count in args.workers:
                rate = _run(server, folder, count, args.messages)
                figures[f"workers_{count}_msg_s"] = rate
                say(f"{count} engine worker{'s' if count > 1 else ''}: {rate:,.0f} messages/s")
            wait = _takeover(server, folder, args.messages)
            figures["takeover_s"] = wait
            say(f"a killed worker's groups decided again after at most {wait:.2f} s")
    finally:
        server.stop()
    if args.json:
        print(json.dumps(figures))
    return 0


def _prepare(server: postgres.PostgresServer, folder: Path, messages: int, groups: int) -> None:
    """The template database: the community, its groups, members and the queue filled."""
    with server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    url = server.url(TEMPLATE_DB)
    upgrade(url)
    playbook_file = folder / "skincare.yaml"
    playbook_file.write_text(open_to_everyone(template_text("skincare")), encoding="utf-8")
    engine = create_engine_for(url)
    store = Store(engine, SystemClock())
    loaded = load_playbook(playbook_file)
    community = apply_playbook(store, loaded, actor="bench").community
    first = ensure_webchat_group(store, community.id, loaded.playbook)
    ids = [] if first is None else [first.id]
    while len(ids) < groups:
        ids.append(open_next_group(store, community.id, loaded.playbook).id)
    now = datetime.now(UTC) - timedelta(minutes=5)
    members = 2000  # each seated in the groups it writes in (moderation mutes and bans them)
    with engine.begin() as conn:
        conn.execute(insert(WebChatUserRow), [
            {"user_id": f"w-{n}", "token_hash": f"{n:064x}", "nickname": f"member {n}",
             "created_at": now} for n in range(members)
        ])  # fmt: skip
        rows = []
        for n, message in enumerate(stream(messages, groups=groups, members=members, start=now)):
            group = ids[int(message.group[1:]) % len(ids)]
            rows.append({"group_id": group, "user_id": message.sender.user_id.replace("u", "w-"),
                         "nickname": message.sender.display_name, "kind": "text",
                         "text": message.text, "mentions": [], "sent_at": now,
                         "seq": n})  # fmt: skip
        seated = {(row["group_id"], row["user_id"]) for row in rows}
        conn.execute(insert(WebChatSeatRow), [
            {"group_id": group, "user_id": user, "joined_at": now} for group, user in seated
        ])  # fmt: skip
        made = conn.execute(
            insert(WebChatMessageRow).returning(WebChatMessageRow.id, sort_by_parameter_order=True),
            [{k: v for k, v in row.items() if k != "seq"} for row in rows],
        ).scalars().all()  # fmt: skip
        conn.execute(insert(WebChatEventRow), [
            {"group_id": row["group_id"], "event_id": str(message_id), "kind": "message",
             "user_id": row["user_id"], "message_id": message_id, "mentions_bot": False,
             "at": now} for row, message_id in zip(rows, made, strict=True)
        ])  # fmt: skip
    engine.dispose()
    (folder / "hearth.toml").write_text(
        'data_dir = "data"\nplaybooks = ["skincare.yaml"]\n', encoding="utf-8"
    )


def _database(server: postgres.PostgresServer, name: str) -> str:
    with server.admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    return server.url(name)


def _workers(folder: Path, url: str, count: int) -> list[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
    env["HEARTH_DATABASE_URL"] = url
    processes = []
    for n in range(count):
        with (folder / f"worker-{n}.log").open("wb") as log:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "hearthkeeper", "serve", "--config", "hearth.toml",
                 "--role", "engine"],
                cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True,
            ))  # fmt: skip
    return processes


def _decided(url: str) -> int:
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM events WHERE type = 'message'")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _wait_for(url: str, messages: int, processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 600
    while _decided(url) < messages:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not decide everything within 10 minutes")
        if not any(p.poll() is None for p in processes):
            raise SystemExit("every worker stopped; see worker-*.log")
        time.sleep(0.5)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(60)


def _span(url: str) -> float:
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            first, last = conn.execute(
                text("SELECT min(recorded_at), max(recorded_at) FROM events WHERE type = 'message'")
            ).one()
    finally:
        engine.dispose()
    return float((last - first).total_seconds())


def _run(server: postgres.PostgresServer, folder: Path, count: int, messages: int) -> float:
    url = _database(server, f"workers_{count}")
    processes = _workers(folder, url, count)
    try:
        _wait_for(url, messages, processes)
    finally:
        _stop(processes)
    return round(messages / _span(url), 1)


def _takeover(server: postgres.PostgresServer, folder: Path, messages: int) -> float:
    """Two workers; one killed halfway: the longest a group waited for its next decision."""
    url = _database(server, "workers_takeover")
    processes = _workers(folder, url, 2)
    try:
        while _decided(url) < messages // 2:
            time.sleep(0.05)
        victim = random.choice(processes)
        killed = datetime.now(UTC)
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
        _wait_for(url, messages, processes)
    finally:
        _stop(processes)
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            waits = conn.execute(text("""
                SELECT min(recorded_at) FROM events WHERE recorded_at > :killed
                GROUP BY group_id"""), {"killed": killed}).scalars().all()  # fmt: skip
    finally:
        engine.dispose()
    return round(max((w - killed).total_seconds() for w in waits), 2)


def _machine() -> str:
    return f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--workers", type=lambda s: [int(n) for n in s.split(",")],
                        default=[1, 2, 4])  # fmt: skip
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    return parser.parse_args()


if __name__ == "__main__":
    raise SystemExit(main())
