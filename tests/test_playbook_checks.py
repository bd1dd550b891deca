"""Keyword lists and schedules that validate but would misbehave: refused, or said out loud."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hearthkeeper.cli import app
from hearthkeeper.playbook import PlaybookError, Problem, parse_playbook
from hearthkeeper.playbook.templates import TEMPLATES, template_text
from hearthkeeper.text.normalise import compact, normalise
from tests.playbook_samples import MINIMAL


def problems(text: str) -> list[Problem]:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "pb.yaml")
    return info.value.problems


def advertising(*keywords: str) -> str:
    listed = "".join(f"        - '{k}'\n" for k in keywords)
    return MINIMAL + f"rules:\n  violations:\n    advertising:\n      extra_keywords:\n{listed}"


@pytest.mark.parametrize(
    ("keyword", "reduced"),
    [("(a+)+$", "'a'"), ("[a-z]", "'az'"), (r"\d+", "'d'"), (r"加微信\s*\d{6}", None)],
)
def test_a_keyword_written_as_a_regular_expression_is_refused_where_it_is(
    keyword: str, reduced: str | None
) -> None:
    [p] = problems(advertising("加我微信", keyword))
    assert (p.line, p.column) == (15, 11)
    assert p.path == "rules.violations.advertising.extra_keywords[1]"
    assert not p.is_warning
    assert "looks like a regular expression" in p.message
    assert "keywords are literal text" in p.message
    if reduced is not None:
        assert f"it matches {reduced}" in p.message


def test_alternatives_written_with_a_bar_are_suggested_as_separate_keywords() -> None:
    [p] = problems(advertising("加微信|加V信"))
    assert "list each alternative as a keyword of its own: '加微信', '加V信'" in p.message


@pytest.mark.parametrize("keyword", ["a", "X", "7", " b ", "a!"])
def test_a_single_latin_letter_or_digit_is_refused(keyword: str) -> None:
    [p] = problems(advertising(keyword))
    assert p.path == "rules.violations.advertising.extra_keywords[0]"
    assert "single character" in p.message and "ordinary sentences" in p.message


@pytest.mark.parametrize("keyword", ["!!!", "...", "~_~", "🙂"])
def test_a_keyword_with_nothing_to_match_is_refused(keyword: str) -> None:
    [p] = problems(advertising(keyword))
    assert "can never match" in p.message


def test_a_two_letter_keyword_is_a_located_warning_and_the_playbook_stays_valid() -> None:
    loaded = parse_playbook(advertising("加微信", "sb"), "pb.yaml")
    [w] = loaded.warnings
    assert w.is_warning and (w.line, w.path) == (
        15,
        "rules.violations.advertising.extra_keywords[1]",
    )
    assert str(w).startswith("pb.yaml:15:11: rules.violations.advertising.extra_keywords[1]: "
                             "warning: keyword 'sb' is only two Latin characters")  # fmt: skip
    assert loaded.playbook.rules.violations.advertising.extra_keywords == ["加微信", "sb"]


@pytest.mark.parametrize(
    "keyword", ["t.me/joinchat", "[红包]", "加 微 信", "dm me for", "100% free", "c+ class", "¥99"]
)
def test_ordinary_keywords_pass_without_a_word(keyword: str) -> None:
    assert parse_playbook(advertising(keyword)).warnings == ()


def test_every_keyword_list_matched_in_messages_is_checked() -> None:
    text = MINIMAL + (
        "rules:\n  violations:\n"
        "    contact:\n      keywords: ['v']\n"
        "    invites:\n      extra_keywords: ['.*群']\n"
        "    insults:\n      keywords: ['idiot', '[^a]']\n"
        "mechanisms:\n"
        "  faq:\n    entries:\n      - question: Where do I buy?\n        keywords: ['x']\n"
        "        answer: At the shop.\n"
        "  check_in:\n    keywords: ['打卡', '\\w+']\n"
        "  tags:\n    - name: city\n      expert_topics:\n        London: ['tube', 'b']\n"
    )
    assert [p.path for p in problems(text)] == [
        "rules.violations.contact.keywords[0]",
        "rules.violations.invites.extra_keywords[0]",
        "rules.violations.insults.keywords[1]",
        "mechanisms.faq.entries[0].keywords[0]",
        "mechanisms.check_in.keywords[1]",
        "mechanisms.tags[0].expert_topics.London[1]",
    ]


def test_check_in_keywords_start_a_message_so_a_lone_digit_is_fine() -> None:
    text = MINIMAL + "mechanisms:\n  check_in:\n    keywords: ['1', '打卡']\n"
    assert parse_playbook(text).warnings == ()


def test_sign_up_replies_are_whole_replies_so_plus_one_is_fine() -> None:
    text = MINIMAL + "mechanisms:\n  signups:\n    join_keywords: ['+1', '1']\n"
    assert parse_playbook(text).warnings == ()


def posts(schedule: str) -> str:
    return MINIMAL + (
        "calendar:\n  posts:\n    - id: morning\n"
        f"      schedule: '{schedule}'\n      content: {{text: Good morning}}\n"
    )


@pytest.mark.parametrize(
    ("schedule", "minutes"), [("*/5 * * * *", 5), ("0,5 8 * * *", 5), ("* 9 * * 1", 1)]
)
def test_a_schedule_firing_more_often_than_every_10_minutes_is_a_located_warning(
    schedule: str, minutes: int
) -> None:
    loaded = parse_playbook(posts(schedule), "pb.yaml")
    [w] = loaded.warnings
    assert w.is_warning and (w.line, w.path) == (13, "calendar.posts[0].schedule")
    assert f"fires {minutes} minute" in w.message
    assert loaded.playbook.calendar.posts[0].schedule == schedule


@pytest.mark.parametrize("schedule", ["*/10 * * * *", "every day 08:00", "0 8,20 * * *"])
def test_schedules_ten_minutes_apart_or_more_say_nothing(schedule: str) -> None:
    assert parse_playbook(posts(schedule)).warnings == ()


RULED = MINIMAL + "rules:\n  texts: [Be kind.]\n"


def test_a_welcome_without_the_rules_where_they_must_be_accepted_is_a_located_warning() -> None:
    """The groups: example of docs/groups.md, a group's own short greeting: its newcomers read
    "Reply 'agree' to accept the rules" under a welcome that never showed them the rules."""
    text = RULED + (
        "groups:\n"
        '  "Night Runners":\n'
        '    welcome: "Welcome {nickname}! We run on Wednesdays."\n'
        "  tea-2:\n"
        '    welcome: "Welcome {nickname}!\\n{rules}"\n'
    )
    loaded = parse_playbook(text, "pb.yaml")
    [w] = loaded.warnings
    assert w.is_warning and (w.line, w.path) == (14, "groups.Night Runners.welcome")
    assert w.message == ("has no {rules}: newcomers are asked to reply to accept the rules "
                         "(joining.ceremony.accept_rules) without being shown them; add {rules} "
                         "where the rules should be")  # fmt: skip
    community_wide = RULED + 'joining:\n  ceremony:\n    welcome: "Hi {nickname}"\n'
    [w] = parse_playbook(community_wide, "pb.yaml").warnings
    assert w.path == "joining.ceremony.welcome"
    no_acceptance = community_wide.replace("    welcome:", "    accept_rules: false\n    welcome:")
    assert parse_playbook(no_acceptance, "pb.yaml").warnings == ()
    assert parse_playbook(text.replace(RULED, MINIMAL), "pb.yaml").warnings == ()  # no rules


def test_the_templates_validate_without_warnings() -> None:
    for name in TEMPLATES:
        assert parse_playbook(template_text(name), name).warnings == (), name


def test_validate_prints_warnings_and_exits_0_but_errors_exit_1(tmp_path: Path) -> None:
    (tmp_path / "warned.yaml").write_text(posts("*/5 * * * *"))
    (tmp_path / "wrong.yaml").write_text(advertising("(a+)+$"))
    result = CliRunner().invoke(app, ["playbook", "validate", str(tmp_path / "warned.yaml")])
    assert result.exit_code == 0, result.output
    warned, ok = result.output.splitlines()
    assert warned.startswith(f"{tmp_path / 'warned.yaml'}:13:17: calendar.posts[0].schedule: "
                             "warning: '*/5 * * * *' fires 5 minutes")  # fmt: skip
    assert ok == f"{tmp_path / 'warned.yaml'}: ok (1 warning)"
    result = CliRunner().invoke(app, ["playbook", "validate", str(tmp_path / "wrong.yaml")])
    assert result.exit_code == 1
    assert "extra_keywords[0]: keyword '(a+)+$' looks like a regular expression" in result.output


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_any_keyword_is_accepted_or_refused_with_a_located_reason(keyword: str) -> None:
    text = MINIMAL + "rules:\n  violations:\n    advertising:\n      extra_keywords: [x]\n"
    data = text.replace("[x]", "[" + json.dumps(keyword) + "]")  # JSON is YAML: any text
    try:
        loaded = parse_playbook(data, "pb.yaml")
    except PlaybookError as refused:
        assert all(p.line >= 1 and p.message for p in refused.problems)
        return
    key = compact(normalise(keyword))
    assert len(key) >= 2 or not key.isascii(), f"{keyword!r} matches as {key!r}"
    assert all(w.is_warning for w in loaded.warnings)


def test_commands_that_load_a_playbook_print_its_warnings_and_carry_on(tmp_path: Path) -> None:
    (tmp_path / "warned.yaml").write_text(posts("*/5 * * * *"))
    result = CliRunner().invoke(app, ["playbook", "show", str(tmp_path / "warned.yaml")])
    assert result.exit_code == 0
    assert "calendar.posts[0].schedule: warning: '*/5 * * * *' fires 5 minutes" in result.stderr
    assert "Interest" in result.stdout


@pytest.mark.parametrize(
    ("hidden", "said"),
    [
        ("\\u202e", "U+202E (a right-to-left override) at character 6"),
        ("\\u200b", "U+200B (a zero-width space) at character 6"),
        ("\\x1b[2J", "U+001B (a control character) at character 6"),
    ],
)
def test_a_text_members_read_with_a_hidden_character_is_a_located_warning(
    hidden: str, said: str
) -> None:
    """A post pasted from elsewhere can carry a character that reorders the line or hides a
    difference; the playbook still runs, and the operator is told where."""
    loaded = parse_playbook(
        MINIMAL + "calendar:\n  posts:\n    - id: morning\n      schedule: 'every day 08:00'\n"
        f'      content: {{text: "Good {hidden}morning"}}\n',
        "pb.yaml",
    )
    [w] = loaded.warnings
    assert (w.line, w.path) == (14, "calendar.posts[0].content.text")
    assert said in w.message and "members would read the text reordered" in w.message


def test_a_text_of_spaces_alone_is_a_located_warning() -> None:
    """`welcome: "   "` validated 'ok': newcomers got a blank message (on Telegram, which
    refuses an empty text, the welcome failed)."""
    loaded = parse_playbook(
        MINIMAL + 'joining:\n  ceremony:\n    welcome: "   "\n'
        "calendar:\n  posts:\n    - id: morning\n      schedule: 'every day 08:00'\n"
        '      content: {text: "\\n\\n"}\n',
        "pb.yaml",
    )
    said = [(w.path, w.message) for w in loaded.warnings]
    blank = ("is blank (spaces or line breaks alone): members would get an empty message; write "
             "the text they should read")  # fmt: skip
    assert said == [("joining.ceremony.welcome", blank),
                    ("calendar.posts[0].content.text", blank)], said  # fmt: skip
    assert [w.line for w in loaded.warnings] == [12, 17]


def test_emoji_sequences_and_line_breaks_in_a_text_say_nothing() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # joined by zero-width joiners
    text = MINIMAL + (
        "calendar:\n  posts:\n    - id: morning\n      schedule: 'every day 08:00'\n"
        f'      content: {{text: "Good morning {family}\\nSee you\\tsoon"}}\n'
    )
    assert parse_playbook(text).warnings == ()


def test_a_mute_the_rules_promise_that_the_ladder_no_longer_gives_is_a_located_warning() -> None:
    """The operator changed the ladder's mute from 1 hour to 2 and left the rules text and the
    first step's message saying 1 hour: members would read one penalty and get another."""
    text = template_text("skincare").replace("mute_for: 1h", "mute_for: 2h")
    loaded = parse_playbook(text, "skincare.yaml")
    said = {(w.path, w.line): w.message for w in loaded.warnings}
    lines = text.splitlines()
    rules = next(n for n, line in enumerate(lines, 1) if "- 违规处理：第一次删除并提醒" in line)
    step = next(n for n, line in enumerate(lines, 1) if "message: 这条消息不符合群规" in line)
    assert set(said) == {("rules.texts[4]", rules), ("rules.ladder[0].message", step)}, said
    message = said[("rules.texts[4]", rules)]
    assert "'禁言 1 小时'" in message and "1 hour" in message
    assert "the ladder mutes for 2 hours, 24 hours" in message
    # the 24 hours it still promises are the third step's: nothing said about them
    assert all("24 小时'" not in m for m in said.values())


@pytest.mark.parametrize(
    ("rule", "ladder", "warned"),
    [
        ("A second breach: muted for 30 minutes.", "1h", True),
        ("A second breach mutes you for a day.", "24h", False),
        ("A second breach mutes you for a day.", "12h", True),
        ("Second time: a 2-hour mute.", "2h", False),
        ("第二次禁言半小时。", "30m", False),
        ("第二次禁言两小时。", "1h", True),
        ("第二次禁言十分钟。", "10m", False),
        ("Be kind; we mute nobody for fun.", "1h", False),
    ],
)
def test_mutes_promised_in_words_are_read_in_both_languages(
    rule: str, ladder: str, warned: bool
) -> None:
    text = MINIMAL + (
        f"rules:\n  texts:\n    - '{rule}'\n  ladder:\n    - at: 1\n      do: [delete, warn]\n"
        f"    - at: 2\n      do: [delete, mute]\n      mute_for: {ladder}\n"
    )
    warnings = parse_playbook(text, "pb.yaml").warnings
    assert [w.path for w in warnings] == (["rules.texts[0]"] if warned else []), warnings


def test_keywords_joined_by_a_chinese_comma_are_refused_saying_the_list_to_write() -> None:
    """A Chinese input method types `，` or `、` between words: `[退款，退费，怎么退]` validated
    as one keyword, matched only by a message saying 退款退费怎么退, so the FAQ never answered
    `怎么退款？`; a sign-up's `["+1、报名"]` took neither +1 nor 报名."""
    faq = ("mechanisms:\n  faq:\n    entries:\n      - question: 怎么退款？\n"
           "        keywords: [退款，退费，怎么退]\n        answer: 7 天内可退。\n")  # fmt: skip
    [p] = problems(MINIMAL + faq)
    assert str(p).startswith("pb.yaml:14:20: mechanisms.faq.entries[0].keywords[0]: keyword "
                             "'退款，退费，怎么退' is several words joined by '，'")  # fmt: skip
    assert p.message.endswith("write each as a keyword of its own: [退款, 退费, 怎么退]")
    [p] = problems(MINIMAL + "mechanisms:\n  signups:\n    join_keywords: ['+1、报名']\n")
    assert p.path == "mechanisms.signups.join_keywords[0]"
    assert p.message.endswith("[+1, 报名]")
    [p] = problems(MINIMAL + faq.replace("[退款，退费，怎么退]", "退款，退费"))
    assert p.path == "mechanisms.faq.entries[0].keywords"
    assert p.message == ("'退款，退费' is one text, but a list is wanted here: write it in "
                         "brackets, [退款, 退费], or one item a line after '- '")  # fmt: skip
    # one phrase with its own comma inside is a keyword (nothing to split it into)
    parse_playbook(MINIMAL + faq.replace("[退款，退费，怎么退]", "[退款，]"))
