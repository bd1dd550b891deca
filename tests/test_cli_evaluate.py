"""`hearth moderate --evaluate`: recall and false alarms per family, for a playbook or template."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hearthkeeper.cli import app

ROWS = [
    {"text": "加我 w.e.i.x.i.n 详聊", "label": "spam", "family": "app-spelled", "variant": "evasive",
     "split": "tune"},
    {"text": "有需要的加我微信", "label": "spam", "family": "app-spelled", "variant": "plain",
     "split": "held-out"},
    {"text": "我朋友也想进群，可以拉她进来吗？", "label": "ham", "family": "chat-zh", "split": "tune"},
    {"text": "明天早上八点集合", "label": "ham", "family": "chat-zh", "split": "tune"},
]  # fmt: skip


def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ROWS), "utf-8")
    return path


def test_evaluate_reports_recall_and_false_alarms_per_family(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["moderate", "--evaluate", str(corpus(tmp_path)), "-t", "default", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["families"]["app-spelled"]["recall"] == 1.0
    assert report["families"]["chat-zh"]["false_positive_rate"] == 0.0
    assert report["summary"]["evasive variants"]["spam"] == 1


def test_evaluate_one_split_of_a_template_as_a_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["moderate", "--evaluate", str(corpus(tmp_path)), "-t", "club", "--split", "tune"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("club (")
    assert "split tune" in result.output
    assert "app-spelled" in result.output and "plain ads" not in result.output


def test_evaluate_with_a_bad_corpus_line_says_where(tmp_path: Path) -> None:
    path = corpus(tmp_path)
    path.write_text(path.read_text("utf-8") + '{"text": "x"}\n', "utf-8")
    result = CliRunner().invoke(app, ["moderate", "--evaluate", str(path), "-t", "default"])
    assert result.exit_code == 1
    assert f"{path}:5:" in result.output


def test_evaluate_needs_a_playbook_or_a_known_template(tmp_path: Path) -> None:
    path = str(corpus(tmp_path))
    missing = CliRunner().invoke(app, ["moderate", "--evaluate", path])
    assert missing.exit_code == 1 and "--playbook or --template" in missing.output
    unknown = CliRunner().invoke(app, ["moderate", "--evaluate", path, "-t", "nope"])
    assert unknown.exit_code == 1 and "club" in unknown.output
