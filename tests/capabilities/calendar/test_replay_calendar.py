"""`hearth replay` shows scheduled posts and live sessions whose firings fall inside the
recorded time span, between the events around them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hearthkeeper.cli import app
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL

CALENDAR = """\
calendar:
  posts:
    - id: morning
      schedule: every day 08:00
      content: {text: "Good morning, tea friends."}
  live_sessions:
    - id: brew
      title: Brewing oolong
      speaker: Mei
      schedule: every day 20:00
      remind_before: []
      digest: false
"""


def events(*rows: dict[str, object]) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"


def test_replay_crosses_a_daily_post_and_a_session_start(tmp_path: Path) -> None:
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(MINIMAL + RULES + CALENDAR)
    source = tmp_path / "days.jsonl"
    source.write_text(events(
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "good evening", "ts": "2026-10-01T19:00:00+01:00"},
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "good night", "ts": "2026-10-01T21:00:00+01:00"},
        {"type": "message", "group": "tea-1", "sender": "mei", "text": "morning!", "ts": "2026-10-02T09:00:00+01:00"},
    ))  # fmt: skip
    result = CliRunner().invoke(app, ["replay", str(source), "--playbook", str(playbook)])
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "[scheduled: calendar.session]" in line)
    post = next(i for i, line in enumerate(lines) if "[scheduled: calendar.post]" in line)
    assert lines[start].startswith("2026-10-01 20:00:00") and "Starting now" in lines[start + 1]
    assert lines[post].startswith("2026-10-02 08:00:00")
    assert "Good morning, tea friends." in lines[post + 1]
    assert start < post
    assert "3 event(s) replayed: send 2." in result.stdout
