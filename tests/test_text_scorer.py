"""The learned scorer: trained from the shipped data, explained, and taught by a community."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.rules import Rules
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text import Scanner, is_advertising, scorer
from hearthkeeper.text.scorer import MODEL_PATH, SpamScorer, load_scorer
from hearthkeeper.text.train import TRAINING_PATH, WRITTEN_PATH, read_written, save, train
from hearthkeeper.text.train import main as train_main

# Written for this test, in none of the corpus files: ads a template must catch even with
# contact detection off, and ordinary chat it must leave alone.
ADS = [
    "宝妈在家兼职，手机操作，每天结算，想了解的滴我",
    "招募居家副业，零基础可做，收益日结，私信详聊",
    "Make $300 a day from your phone, no experience, message me now",
    "URGENT! You have won a free cruise, call now to claim your prize",
]
CHAT = [
    "今天的分享会几点开始？我可能晚到十分钟",
    "孩子这周感冒了，周末的活动我们就不去了",
    "我把照片都传到群相册里了，大家自己下载",
    "Does anyone have the slides from yesterday's talk?",
    "See you all at the park at 10, bring water",
]


@pytest.fixture(scope="module")
def trained() -> SpamScorer:
    """The scorer trained from the committed data: the model `make` built from it when that is
    newer than the data and every module of `hearthkeeper.text` (the same scorer, read in a
    tenth of a second), else trained here (seconds), so the test does not need `make` and a
    changed scorer or normaliser is never tested through a model built before the change."""
    sources = [TRAINING_PATH, WRITTEN_PATH, *Path(scorer.__file__).parent.glob("*.py")]
    try:
        built = MODEL_PATH.stat().st_mtime
    except OSError:
        return train()
    if all(source.stat().st_mtime <= built for source in sources if source.exists()):
        return load_scorer(MODEL_PATH)
    return train()


def test_the_trained_scorer_catches_ads_and_leaves_chat_alone(trained: SpamScorer) -> None:
    assert [trained.score(text).probability >= 0.95 for text in ADS] == [True] * len(ADS)
    assert [trained.score(text).probability < 0.5 for text in CHAT] == [True] * len(CHAT)


def test_the_verdict_is_explained_by_the_ngrams_that_argued_for_it(trained: SpamScorer) -> None:
    scanner = Scanner.from_rules(Rules(), scorer=trained)
    [finding] = scanner.scan("Make $300 a day from your phone, no experience, message me now")
    assert finding.kind == "advertising"
    assert finding.explanation.startswith("learned scorer: spam ")
    assert finding.matched in finding.explanation


def test_learning_a_communitys_decisions_flips_a_borderline_verdict(trained: SpamScorer) -> None:
    # a group where members may not sell their own goods: staff deleted two such messages
    borderline = "腊肠做好了，大家可以看看"
    before = trained.score(borderline).probability
    deleted = [("腊肠做好了，需要的看看", True), ("腊肠新做了一批，大家看看", True)]
    taught = trained.learn(deleted)
    assert before < 0.5 and taught.score(borderline).probability >= 0.95
    # a pardon teaches the other way, and the shipped scorer is left as it was
    pardoned = taught.learn([(borderline, False)] * 3)
    assert pardoned.score(borderline).probability < taught.score(borderline).probability
    assert trained.score(borderline).probability == before


def test_a_scanner_taught_by_staff_reads_a_text_it_has_read_before_anew(
    trained: SpamScorer,
) -> None:
    # moderation hands the scanner a new scorer when staff's decisions teach it: a text the
    # scanner has read (and remembers) must then be read with what staff taught
    borderline = "腊肠做好了，大家可以看看"
    scanner = Scanner.from_rules(Rules(), scorer=trained)
    assert not is_advertising(scanner.scan(borderline))
    deleted = [("腊肠做好了，需要的看看", True), ("腊肠新做了一批，大家看看", True)]
    scanner.scorer = trained.learn(deleted)
    assert is_advertising(scanner.scan(borderline))
    # the same text as a command, and a command as plain text, are each read as what they are
    assert scanner.scan(borderline, command=True) == []
    assert not is_advertising(Scanner.from_rules(Rules(), scorer=trained).scan(borderline))


def test_a_saved_model_scores_as_the_trained_one(trained: SpamScorer, tmp_path: Path) -> None:
    save(trained, tmp_path / "model.json.gz")
    loaded = load_scorer(tmp_path / "model.json.gz")
    assert loaded.score(ADS[0]) == trained.score(ADS[0])


def test_without_a_model_moderation_uses_its_rules_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(scorer, "MODEL_PATH", tmp_path / "missing.json.gz")
    scorer.shipped_scorer.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            scanner = Scanner.from_rules(Rules())
        assert scanner.scorer is None
        assert "rules only" in caplog.text
        assert is_advertising(scanner.scan("加微信领取免费资料"))
    finally:
        scorer.shipped_scorer.cache_clear()


def test_a_playbook_can_turn_the_scorer_off(trained: SpamScorer) -> None:
    rules = Rules.model_validate({"violations": {"advertising": {"learned": {"enabled": False}}}})
    assert Scanner.from_rules(rules, scorer=trained).scorer is None
    assert not is_advertising(Scanner.from_rules(rules, scorer=trained).scan(ADS[2]))


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_catches_advertising(name: str, trained: SpamScorer) -> None:
    rules = parse_playbook(template_text(name), name).playbook.rules
    scanner = Scanner.from_rules(rules, scorer=trained)
    assert all(is_advertising(scanner.scan(text)) for text in ADS), name
    assert not any(is_advertising(scanner.scan(text)) for text in CHAT), name


def test_bot_commands_are_not_scored(trained: SpamScorer) -> None:
    scanner = Scanner.from_rules(Rules(), scorer=trained)
    assert trained.score("/claim Tea Master").probability >= 0.95  # 'claim' is SMS-spam talk
    assert scanner.scan("/claim Tea Master", command=True) == []


def test_a_reply_to_a_mechanism_is_asked_about_only_when_the_scorer_would_judge_the_text() -> None:
    # Moderation asks what of a message is the member's own, not the sign-up's or poll's it
    # replies to (the scorer does not judge those), only when the scorer flags it: nothing of
    # their own drops the verdict, all of it keeps it, and a text the scorer lets pass, or a
    # rule already caught, never asks.
    goods = SpamScorer.trained(
        [(t, True) for t in ("西兰花 特价 便宜卖 2份", "胡萝卜 西兰花 限量 份", "西兰花 份 便宜")]
        + [(t, False) for t in ("今天天气不错", "周末一起去爬山吧", "我刚吃完饭")]
    )
    scanner = Scanner.from_rules(Rules(), scorer=goods)
    asked: list[str] = []

    def answer(reply: bool, text: str) -> Callable[[], str]:
        def own() -> str:
            asked.append(text)
            return "" if reply else text

        return own

    flagged, chat, ruled = "+1 西兰花 2份", "今天天气不错", "加微信领取免费资料"
    assert is_advertising(scanner.scan(flagged)) and not scanner.scan(chat)
    assert scanner.scan(flagged, own=answer(True, flagged)) == []
    assert is_advertising(scanner.scan(flagged, own=answer(False, flagged)))
    assert scanner.scan(flagged, own=answer(False, flagged)) == scanner.scan(flagged)
    assert scanner.scan(chat, own=answer(True, chat)) == []
    assert scanner.scan(ruled, own=answer(True, ruled)) == scanner.scan(ruled)
    assert asked == [flagged, flagged, flagged]  # never for the chat line nor the rule's catch


def test_latin_script_text_needs_less_doubt_than_chinese_text(trained: SpamScorer) -> None:
    # Written for this test: three short English replies in SMS shorthand and a Chinese shop ad,
    # all four scored between the playbook's 0.95 and 0.9933. The scorer's English spam is nearly
    # all SMS spam, so English needs 1 - 0.05 / 7.5 before it counts; the Chinese ad is caught at
    # 0.95. All three replies are over 0.9833: a third of the remaining doubt at 0.95 (the
    # divisor when the default was 0.98) would let them count. (Texts chosen again for the
    # model trained in session 33; still so with session 35's.)
    replies = ["Pls reply my msg", "Txt me back", "Reply my msg pls"]
    ad = "土鸡蛋便宜卖"
    assert all(0.95 <= trained.score(text).probability < 0.9933 for text in [*replies, ad])
    assert all(trained.score(text).probability >= 1 - 0.05 / 3 for text in replies)
    scanner = Scanner.from_rules(Rules(), scorer=trained)
    assert [scanner.scan(text) for text in replies] == [[], [], []]
    assert is_advertising(scanner.scan(ad))


def test_english_without_a_number_needs_a_fiftieth_of_the_remaining_doubt(
    trained: SpamScorer,
) -> None:
    # Written for this test: members' short English replies in SMS shorthand, no number in
    # them, scored between 0.9933 (where English with a number counts) and 0.999; an SMS-style
    # ad with a short code is still caught. Nearly every English spam the scorer learned from
    # carries a number, so without one its confidence rests on words members use too.
    replies = ["Pls txt me", "Pls reply ur msg", "Check ur mobile", "Reply to my txt"]
    assert all(0.9933 <= trained.score(text).probability < 0.999 for text in replies)
    assert not any(trained.score(text).numbered for text in replies)
    scanner = Scanner.from_rules(Rules(), scorer=trained)
    assert [scanner.scan(text) for text in replies] == [[], [], [], []]
    ad = "Reply 1 to claim ur reward now"
    assert trained.score(ad).numbered
    (finding,) = scanner.scan(ad)
    assert finding.explanation.startswith("learned scorer: spam 1.00")
    # a playbook that asks for less doubt moves the Latin thresholds with it (0.75: 0.995 for
    # English with no number in it, as these replies are)
    loose = Scanner.from_rules(
        Rules.model_validate({"violations": {"advertising": {"learned": {"threshold": 0.75}}}}),
        scorer=trained,
    )
    assert all(is_advertising(loose.scan(text)) for text in replies)


def test_chinese_text_counts_from_095_and_latin_bars_stay_where_they_were(
    trained: SpamScorer,
) -> None:
    # Written for this test: home-made dumplings sold in a group, scored between 0.95 and 0.98.
    # Since session 35 the default threshold (Chinese text's bar) is 0.95, where more plain
    # Chinese ads are caught out of sample with no more members' lines flagged; at 0.98 (the
    # default before, still anyone's to write) the ad goes through.
    ads = ["手工水饺现包现卖", "家里包的饺子，现包现卖"]
    assert all(0.95 <= trained.score(text).probability < 0.98 for text in ads)
    assert all(is_advertising(Scanner.from_rules(Rules(), scorer=trained).scan(t)) for t in ads)
    strict = Rules.model_validate({"violations": {"advertising": {"learned": {"threshold": 0.98}}}})
    assert [Scanner.from_rules(strict, scorer=trained).scan(text) for text in ads] == [[], []]
    # Text mostly in Latin script keeps the bars it had at the default (0.9933 with a number,
    # 0.999 without); a threshold of one's own moves them by the same share of doubt.
    default = Rules().violations.advertising.learned.threshold

    def counts(probability: float, numbered: bool, threshold: float = default) -> bool:
        verdict = scorer.ScoreResult(probability, (), latin=True, numbered=numbered)
        return verdict.counts_at(threshold)

    assert [counts(0.9933, True), counts(0.99334, True)] == [False, True]
    assert [counts(0.9989, False), counts(0.999, False)] == [False, True]
    assert [counts(0.9972, True, 0.98), counts(0.9974, True, 0.98)] == [False, True]


def test_a_written_file_named_on_the_command_line_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a mistyped --written path used to train silently without the written lines
    missing = tmp_path / "writen.tsv.gz"
    out = tmp_path / "model.json.gz"
    argv = ["train", "--written", str(missing), "--out", str(out)]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as exited:
        train_main()
    assert exited.value.code != 0
    assert f"--written {missing}: no such file" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(FileNotFoundError):
        read_written(missing)
    assert read_written() == read_written(WRITTEN_PATH)  # the default is read as before


def _gzipped(path: Path, lines: bytes) -> Path:
    with gzip.open(path, "wb") as handle:
        handle.write(lines)
    return path


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"spam buy now\n", "{data}:1: expected 'spam|ham<TAB>text', not 'spam buy now'"),
        (b"\xff\xfe\tx\n", "{data}:1: not UTF-8 text (byte 0xff at column 1)"),
        (b"", "no spam line in {data} or the written lines: the scorer learns from both; "
              "{out} was left as it was"),
        (b"ham\thello\n", "no spam line in {data} or the written lines: the scorer learns from "
                          "both; {out} was left as it was"),
        (None, "cannot read {data}: not a gzip file (training files are gzip-compressed "
               "'spam|ham<TAB>text' lines)"),
        (b"cut", "cannot read {data}: the gzip file is cut short"),
    ],
)  # fmt: skip
def test_training_data_that_cannot_train_a_scorer_is_named_and_the_model_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    data: bytes | None, said: str,
) -> None:  # fmt: skip
    # each was a traceback (BadGzipFile, UnicodeDecodeError, EOFError, ValueError), and data
    # with no spam (or nothing at all) wrote over the model a scorer that had learnt nothing
    path = tmp_path / "data.tsv.gz"
    if data is None:
        path.write_bytes(b"spam\tbuy now\n")  # not compressed
    elif data == b"cut":
        path.write_bytes(_gzipped(tmp_path / "whole.gz", b"spam\tbuy now\n" * 50).read_bytes()[:30])
    else:
        _gzipped(path, data)
    written = _gzipped(tmp_path / "written.tsv.gz", b"ham\thello\n")
    out = tmp_path / "model.json.gz"
    out.write_bytes(b"the model in use")
    argv = ["train", "--data", str(path), "--written", str(written), "--out", str(out)]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as exited:
        train_main()
    assert exited.value.code == 1
    assert capsys.readouterr().err == f"error: {said.format(data=path, out=out)}\n"
    assert out.read_bytes() == b"the model in use"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, written.name, out.name, *(["whole.gz"] if data == b"cut" else [])]
    )


def test_a_model_that_cannot_be_written_is_said_and_nothing_is_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _gzipped(tmp_path / "data.tsv.gz", b"spam\tbuy now\nham\thello\n")
    (tmp_path / "file").write_text("a file, not a folder")
    (tmp_path / "model.json.partial").mkdir()  # where the model is written first is taken
    for out, said in [
        (tmp_path / "file" / "model.json.gz", "File exists"),  # the folder it names is a file
        (tmp_path / "model.json.gz", "Is a directory"),
    ]:
        argv = ["train", "--data", str(data), "--written", str(data), "--out", str(out)]
        monkeypatch.setattr("sys.argv", argv)
        with pytest.raises(SystemExit) as exited:
            train_main()
        assert exited.value.code == 1
        error = capsys.readouterr().err
        assert error.startswith(f"error: cannot write {out}: {said}"), error
        assert error.endswith("nothing was written\n")
        assert not out.exists()
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.setattr("sys.argv", ["train", "--data", str(data), "--out", str(folder)])
    with pytest.raises(SystemExit) as exited:
        train_main()
    assert exited.value.code == 2
    assert f"--out {folder}: is a folder; name the model file" in capsys.readouterr().err
