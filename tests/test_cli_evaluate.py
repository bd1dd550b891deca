"""`hearth moderate --evaluate`: recall and false alarms per family, for a playbook or template."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.text import train

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
    # the in-sample figures only: cross-validation trains a scorer on the shipped training data
    # (~3 s of CPU), which the table test below runs, and its figures are checked further down
    args = ["moderate", "--evaluate", str(corpus(tmp_path)), "-t", "default", "--json"]
    result = CliRunner().invoke(app, [*args, "--no-cross-validate"])
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


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (b"\xff\xfe{}\n", "2: not UTF-8 text (byte 0xff at column 1); a corpus is JSON lines in UTF-8"),
        (b"[" * 100_000 + b"\n", "2: expected a JSON object with 'text' and 'label' "
                                 "(this line nests lists or objects too deep to read)"),
        (b"[1, 2]\n", "2: expected a JSON object with 'text' and 'label', not a list ([1, 2])"),
        (b"1e999\n", "2: expected a JSON object with 'text' and 'label', not a number (inf)"),
        (b'{"label": "spam"}\n', "2: expected a JSON object with 'text' and 'label'; 'text' missing"),
        (b'{"text": "hi", "label": "SPAM"}\n', "2: 'label' must be spam or ham, not 'SPAM'"),
        (b'{"text": "hi", "label": null}\n', "2: 'label' must be spam or ham, not null"),
        (b'{"text": 5, "label": "ham"}\n', "2: 'text' must be a string, not a number (5)"),
        (b'{"text": "hi", "label": "ham", "split": "held_out"}\n',
         "2: 'split' must be tune or held-out (or left out), not 'held_out'"),
        (b'{"text": "hi", "label": "ham", "split": 1}\n',
         "2: 'split' must be tune or held-out (or left out), not a number (1)"),
    ],
)  # fmt: skip
def test_a_corpus_line_that_is_no_labelled_message_is_named_with_what_it_holds(
    tmp_path: Path, line: bytes, said: str
) -> None:
    # a binary file said only "'utf-8' codec can't decode byte 0xff in position 0" (no file, no
    # line), a deep nesting was "RecursionError … a bug in Hearthkeeper" (exit 2), a list
    # "list indices must be integers or slices, not str", a wrong label not what it was
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(b'{"text": "hello", "label": "ham"}\n' + line)
    result = CliRunner().invoke(app, ["moderate", "--evaluate", str(path), "-t", "default"])
    assert result.exit_code == 1, result.output
    assert result.output == f"error: {path}:{said}\n"


def test_a_row_of_an_unknown_split_is_named_not_left_out_of_the_count(tmp_path: Path) -> None:
    """A typo in a row's split (`held_out`) left the row out of `--split held-out` without a
    word: the evaluation counted fewer rows than the corpus held."""
    path = corpus(tmp_path)
    typo = {"text": "加微信领取福利", "label": "spam", "family": "app-spelled", "split": "held_out"}
    path.write_text(path.read_text("utf-8") + json.dumps(typo, ensure_ascii=False) + "\n")
    args = ["moderate", "--evaluate", str(path), "-t", "default", "--split", "held-out"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"error: {path}:5: 'split' must be tune or held-out (or left out), not 'held_out'\n"
    )


def test_a_negative_number_of_examples_to_show_is_refused(tmp_path: Path) -> None:
    # --show -1 showed none without a word
    path = str(corpus(tmp_path))
    result = CliRunner().invoke(app, ["moderate", "--evaluate", path, "-t", "default", "--show=-1"])
    assert result.exit_code == 2
    assert "Invalid value for '--show': -1 is too small: it must be at least 0" in result.output


def test_evaluate_needs_a_playbook_or_a_known_template(tmp_path: Path) -> None:
    path = str(corpus(tmp_path))
    missing = CliRunner().invoke(app, ["moderate", "--evaluate", path])
    assert missing.exit_code == 1 and "--playbook or --template" in missing.output
    unknown = CliRunner().invoke(app, ["moderate", "--evaluate", path, "-t", "nope"])
    assert unknown.exit_code == 1 and "club" in unknown.output


SCORED = (
    "烤红薯、糖炒栗子，楼下摊位，欢迎来尝"  # an ad no rule reads: only the shipped scorer flags it
)


def test_evaluate_prints_beside_the_in_sample_figure_the_one_a_scorer_never_trained_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the shipped scorer learnt SCORED; read by a scorer trained on the other folds of its
    # training data (here a small file standing for it), the ad is no longer caught
    training = tmp_path / "training.tsv.gz"
    lines = [f"spam\t{SCORED}", "ham\t明天早上八点集合", "ham\t今天下雨了，记得带伞"]
    with gzip.open(training, "wt", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))
    monkeypatch.setattr(train, "TRAINING_PATH", training)
    # the lines written for training alone are in every fold: none here
    monkeypatch.setattr(train, "WRITTEN_PATH", tmp_path / "no-written-lines.tsv.gz")
    path = tmp_path / "corpus.jsonl"
    rows = [*ROWS, {"text": SCORED, "label": "spam", "family": "job-pitch", "variant": "plain",
                    "split": "tune"}]  # fmt: skip
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    runner = CliRunner()
    args = ["moderate", "--evaluate", str(path), "-t", "default", "--split", "tune"]
    report = json.loads(runner.invoke(app, [*args, "--json"]).output)
    assert report["families"]["job-pitch"]["recall"] == 1.0
    unseen = report["out_of_sample"]
    assert unseen["trained_rows"] == 2 and unseen["folds"] == 5
    assert unseen["families"]["job-pitch"]["recall"] == 0.0
    assert unseen["families"]["app-spelled"]["recall"] == 1.0  # a rule's catch stays caught
    table = runner.invoke(app, args).output
    assert "out of sample" in table
    assert next(line for line in table.splitlines() if line.startswith("job-pitch")).split()[
        -3:
    ] == ["0.000", "-", "-"]
    quick = json.loads(runner.invoke(app, [*args, "--json", "--no-cross-validate"]).output)
    assert quick["out_of_sample"] is None
    held = json.loads(runner.invoke(app, [*args[:-1], "held-out", "--json"]).output)
    assert held["out_of_sample"] is None  # never trained on: the figure is already honest


def test_the_lines_written_for_training_alone_are_in_every_fold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `model/written.tsv.gz` is never evaluated, so no fold leaves it out: a fold's scorer
    # knows what the written lines taught, as the shipped scorer does
    training = [f"spam\t{SCORED}", "ham\t明天早上八点集合", "ham\t今天下雨了，记得带伞"]
    for name, lines in (
        ("training", training),
        ("written", [f"spam\t{SCORED}"] * 2),
    ):  # twice: rare n-grams are pruned
        with gzip.open(tmp_path / f"{name}.tsv.gz", "wt", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
    monkeypatch.setattr(train, "TRAINING_PATH", tmp_path / "training.tsv.gz")
    monkeypatch.setattr(train, "WRITTEN_PATH", tmp_path / "written.tsv.gz")
    path = tmp_path / "corpus.jsonl"
    rows = [*ROWS, {"text": "明天早上八点集合", "label": "ham", "family": "chat-zh", "split": "tune"},
            {"text": SCORED, "label": "spam", "family": "job-pitch", "variant": "plain",
             "split": "tune"}]  # fmt: skip
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    args = ["moderate", "--evaluate", str(path), "-t", "default", "--split", "tune", "--json"]
    report = json.loads(CliRunner().invoke(app, args).output)
    unseen = report["out_of_sample"]
    assert unseen["trained_rows"] == 3  # SCORED is read by a fold's scorer, not the shipped one
    assert unseen["families"]["job-pitch"]["recall"] == 1.0
