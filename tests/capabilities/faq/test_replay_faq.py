"""`hearth replay` shows the FAQ answers a playbook would have given, cooldown included."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.playbook.templates import template_text

ORDER = "看到群里的接龙，回复「+1」或「接龙」占位，截单后下单助理会私信你付款链接。限量的按接龙顺序发货。"


def lines(*rows: dict[str, str]) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"


CONVERSATION = lines(
    {"group": "skin-1", "sender": "mei", "name": "小梅", "text": "團購怎麼下單？", "ts": "2026-10-01T09:00:00+08:00"},
    {"group": "skin-1", "sender": "tom", "text": "今天天气真好", "ts": "2026-10-01T09:01:00+08:00"},
    {"group": "skin-1", "sender": "ann", "text": "团购链接在哪", "ts": "2026-10-01T09:03:00+08:00"},
    {"group": "skin-1", "sender": "lu", "text": "团购怎么付款？", "ts": "2026-10-01T09:30:00+08:00"},
)  # fmt: skip


def replay(tmp_path: Path, *options: str) -> str:
    book = tmp_path / "skincare.yaml"
    book.write_text(template_text("skincare"), encoding="utf-8")
    source = tmp_path / "october.jsonl"
    source.write_text(CONVERSATION, encoding="utf-8")
    result = CliRunner().invoke(app, ["replay", str(source), "--playbook", str(book), *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_replay_shows_the_faq_answer_in_text(tmp_path: Path) -> None:
    out = replay(tmp_path)
    assert "2026-10-01 09:00:00  skin-1  小梅 [message]: 團購怎麼下單？" in out
    assert f"    → reply '{ORDER}'" in out


def test_replay_answers_an_entry_once_per_cooldown(tmp_path: Path) -> None:
    actions = [json.loads(line) for line in replay(tmp_path, "--format", "jsonl").splitlines()]
    answers = [a for a in actions if a["type"] == "reply" and a["text"] == ORDER]
    assert [a["member"] for a in answers] == ["mei", "lu"], "ann asked within the 10 minutes"
    assert answers[0]["reason"] == "FAQ: 团购怎么下单？"


def test_replay_shows_the_alert_about_a_question_nobody_answered(tmp_path: Path) -> None:
    book = tmp_path / "skincare.yaml"
    book.write_text(template_text("skincare"), encoding="utf-8")
    source = tmp_path / "unanswered.jsonl"
    source.write_text(lines(
        {"group": "skin-1", "sender": "mei", "name": "小梅", "text": "请问油痘肌晚上可以叠加用两支精华吗？",
         "ts": "2026-10-01T09:00:00+08:00"},
        {"group": "skin-1", "sender": "tom", "text": "今天天气真好", "ts": "2026-10-01T09:40:00+08:00"},
    ), encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(app, ["replay", str(source), "--playbook", str(book)])
    assert result.exit_code == 0, result.output
    scheduled = result.stdout.split("[scheduled: ")[1:]
    assert any("小梅" in part and "alert_staff" in part for part in scheduled), result.stdout
