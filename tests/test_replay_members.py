"""`hearth replay` shows check-ins, points and promotions as the playbook would have run them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hearthkeeper.cli import app
from tests.engine_setup import RULES
from tests.playbook_samples import MINIMAL

PLAYBOOK = """\
structure:
  levels:
    - {id: newcomer, name: Newcomer}
    - {id: regular, name: Regular, promote: {check_ins: 3, window: 7d}, perks: [early access]}
mechanisms:
  points:
    share: 2
  titles:
    - {name: Tea Master, duty: remind everyone to drink tea}
"""


def lines(*rows: dict[str, object]) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"


CONVERSATION = lines(
    {"type": "message", "sender": "mei", "text": "check in", "ts": "2026-10-01T08:00:00+01:00"},
    {"type": "message", "sender": "mei", "text": "check in", "ts": "2026-10-01T20:00:00+01:00"},
    {"type": "message", "sender": "mei", "text": "check in: day 2", "ts": "2026-10-02T08:00:00+01:00"},
    {"type": "message", "sender": "mei", "kind": "picture", "ts": "2026-10-02T08:05:00+01:00"},
    {"type": "message", "sender": "mei", "text": "/claim Tea Master", "ts": "2026-10-02T08:06:00+01:00"},
    {"type": "message", "sender": "mei", "text": "check in", "ts": "2026-10-03T07:30:00+01:00"},
    {"type": "message", "sender": "mei", "text": "/me", "ts": "2026-10-03T07:31:00+01:00"},
)  # fmt: skip


def replay(tmp_path: Path, *options: str) -> str:
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(MINIMAL + RULES + PLAYBOOK)
    source = tmp_path / "october.jsonl"
    source.write_text(CONVERSATION)
    result = CliRunner().invoke(app, ["replay", str(source), "--playbook", str(playbook), *options])
    assert result.exit_code == 0, result.stdout
    return result.stdout


def test_replay_shows_check_ins_rewards_and_the_promotion(tmp_path: Path) -> None:
    actions = [json.loads(line) for line in replay(tmp_path, "--format", "jsonl").splitlines()]
    spoken = [a["text"] for a in actions if a["type"] in ("reply", "send")]
    assert spoken[:3] == [
        "✅ mei checked in: #1 today, 1-day streak, +1 points",
        "mei, you already checked in today: 1-day streak. See you tomorrow!",
        "✅ mei checked in: #1 today, 2-day streak, +1 points",
    ]
    assert "📸 Thanks for sharing, mei! +2 points" in spoken
    assert "🎖 mei is now the Tea Master! Duty: remind everyone to drink tea" in spoken
    promotion = next(a for a in actions if a["type"] == "send")
    assert promotion["text"] == "🎉 mei is now Regular! Unlocked: early access."
    assert promotion["at"] == "2026-10-03T07:30:00+01:00"  # the community's clock, its offset
    card = spoken[-1].splitlines()
    assert card[:3] == ["👤 mei", "Level: Regular", "Points: 5"]


def test_replay_text_reads_as_a_conversation(tmp_path: Path) -> None:
    out = replay(tmp_path)
    assert "2026-10-01 08:00:00  group-1  mei [message]: check in" in out
    assert "→ reply '✅ mei checked in: #1 today, 1-day streak, +1 points'" in out
    assert "→ send '🎉 mei is now Regular! Unlocked: early access.'" in out
    assert "7 event(s) replayed" in out
