"""`hearth replay` shows what sign-up lists and polls would have done on a recorded chat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL


@pytest.fixture
def playbook_file(tmp_path: Path) -> Path:
    path = tmp_path / "pb.yaml"
    path.write_text(MINIMAL + RULES)
    return path


def line(sender: str, text: str, minute: int, **extra: str) -> str:
    row = {"type": "message", "group": "runners", "sender": sender, "text": text,
           "ts": f"2026-10-03T09:{minute:02}:00+01:00", **extra}  # fmt: skip
    return json.dumps(row, ensure_ascii=False)


CHAT = "\n".join([
    line("boss", "/signup Saturday run | max 2 | until 20:00", 0, role="manager"),
    line("mei", "+1", 1),
    line("bob", "+1 bringing water", 2),
    line("ann", "+1", 3),
    line("mei", "-1", 4),
    line("bob", "/list", 5),
    line("boss", "/poll Where to? | hike | museum | anonymous", 6),
    line("mei", "1", 7),
    line("ann", "B", 8),
    line("bob", "1", 9),
    line("ann", "/results", 10),
]) + "\n"  # fmt: skip


def replay(source: Path, playbook_file: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        app, ["replay", str(source), "--playbook", str(playbook_file), *extra]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_replay_shows_the_numbered_list_the_waitlist_and_the_poll(
    playbook_file: Path, tmp_path: Path
) -> None:
    source = tmp_path / "runners.jsonl"
    source.write_text(CHAT, encoding="utf-8")
    texts = [a["text"] for a in map(json.loads, replay(source, playbook_file, "-f", "jsonl").splitlines())
             if a["type"] in ("reply", "send")]  # fmt: skip
    assert texts[0].startswith(
        "[Sign-up] Saturday run\nCloses Sat 3 Oct 20:00\nPlaces: 2 of 2 left"
    )
    assert texts[2].startswith("✅ bob is #2. Saturday run is now full.")
    assert "2. bob bringing water" in texts[2]
    assert texts[3].startswith("ann, Saturday run is full: you are #1 on the waitlist.")
    assert texts[4:6] == ["mei has left the list.", "@ann a place opened up: you are now #2."]
    assert texts[6].endswith("1. bob bringing water\n2. ann\n2 signed up")
    assert texts[7].startswith("📊 Poll: Where to?\n1. hike\n2. museum\nsingle choice · anonymous")
    assert texts[8:11] == ["✅ mei, your vote is counted."] + [
        f"✅ {who}, your vote is counted." for who in ("ann", "bob")]  # fmt: skip
    assert "1. hike  ███████ 2 (67%)\n2. museum  ███ 1 (33%)\n3 voted" in texts[11]


def test_replay_text_lists_each_step(playbook_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "runners.jsonl"
    source.write_text(CHAT, encoding="utf-8")
    out = replay(source, playbook_file)
    assert "runners  boss [message]: /signup Saturday run | max 2 | until 20:00" in out
    assert "→ send '@ann a place opened up: you are now #2.'" in out
    assert "→ reply '✅ mei, your vote is counted.'" in out
    assert "11 event(s) replayed" in out
