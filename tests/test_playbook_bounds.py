"""Values a playbook validates must be values the service can run: a number, duration, price,
schedule or placeholder that would crash or wedge the engine later is a located problem now."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from hearthkeeper.carriers.webchat.door import asked_of
from hearthkeeper.playbook import PlaybookError, Problem, parse_playbook
from hearthkeeper.playbook.base import MAX_NAME, MAX_TEXT
from hearthkeeper.playbook.joining import MAX_QUESTIONS
from hearthkeeper.playbook.loader import MAX_PLAYBOOK_BYTES
from hearthkeeper.playbook.output import MAX_POST
from hearthkeeper.playbook.positioning import MAX_PURPOSE
from hearthkeeper.store.models.base import NAME
from tests.playbook_samples import MINIMAL


def problem(text: str) -> Problem:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(MINIMAL + text, "pb.yaml")
    [found] = info.value.problems
    return found


def test_a_duration_too_long_for_any_date_is_located_not_a_crash() -> None:
    # It was an OverflowError: `hearth playbook validate` said "a number in this command is
    # too large for the database", with no line.
    p = problem("mechanisms:\n  faq:\n    cooldown: 99999999999d\n")
    assert (p.line, p.path) == (12, "mechanisms.faq.cooldown")
    assert "too long" in p.message and "100 years" in p.message


def test_a_century_is_still_a_duration() -> None:
    pb = parse_playbook(MINIMAL + "mechanisms:\n  faq:\n    cooldown: 36500d\n").playbook
    assert pb.mechanisms.faq.cooldown.days == 36500


@pytest.mark.parametrize(
    ("text", "path", "written"),
    [
        # posting this welcome raised ValueError for every joiner
        ("joining:\n  ceremony:\n    welcome: 'Hi {nickname:d}'\n",
         "joining.ceremony.welcome", "{nickname:d}"),
        # posting this one sent every joiner a 100 MB message
        ("joining:\n  ceremony:\n    welcome: 'Hi {nickname:>99999999}'\n",
         "joining.ceremony.welcome", "{nickname:>99999999}"),
        ("groups:\n  g1:\n    welcome: 'Hi {nickname!r}'\n", "groups.g1.welcome", "{nickname!r}"),
        # opening the next group raised ValueError
        ("copy:\n  naming: '{name:d} {n}'\n", "copy.naming", "{name:d}"),
        ("calendar:\n  rituals:\n    anniversary: {day: 1, text: '{months:>99999999}'}\n",
         "calendar.rituals.anniversary.text", "{months:>99999999}"),
    ],
)  # fmt: skip
def test_a_placeholder_with_a_format_or_conversion_is_refused(
    text: str, path: str, written: str
) -> None:
    p = problem(text)
    assert p.path == path
    assert written in p.message and "write it bare" in p.message


def test_a_naming_pattern_whose_n_is_an_escaped_brace_has_no_number() -> None:
    # '{{n}}' is the literal text '{n}': every group would get the same name.
    p = problem("copy:\n  naming: '{name} {{n}}'\n")
    assert p.path == "copy.naming" and "needs {n}" in p.message


def test_group_names_longer_than_a_group_name_can_be_are_a_located_error() -> None:
    # opening the next group (a live code, the console, the first web chat group) wrote the
    # longer name: a 500 on PostgreSQL (varchar(200)), kept whole on SQLite
    p = problem("copy:\n  naming: '{name} {n}" + "x" * MAX_NAME + "'\n")
    assert p.path == "copy.naming" and f"holds at most {NAME}" in p.message
    assert "shorten copy.naming or community.name" in p.message
    fits = "x" * (MAX_NAME - len(" 9999") - len("Tea Friends"))  # MINIMAL's community name
    parse_playbook(MINIMAL + "copy:\n  naming: '{name} {n}" + fits + "'\n", "pb.yaml")


def test_a_broken_naming_pattern_suggests_its_own_placeholder() -> None:
    p = problem("copy:\n  naming: '{name} {n'\n")
    assert "write {name}" in p.message and "nickname" not in p.message


@pytest.mark.parametrize(
    ("text", "path"),
    [
        # a check-in wrote it to the store: "Python int too large to convert to SQLite INTEGER"
        ("mechanisms:\n  check_in: {points: 1000000000000000000000000000000}\n",
         "mechanisms.check_in.points"),
        # listing or joining the event did the same
        ("activities:\n  - {id: a, name: A, capacity: 100000000000000000000}\n",
         "activities[0].capacity"),
        ("joining:\n  threshold: {kind: task, invite_friends: 9223372036854775808}\n",
         "joining.threshold.invite_friends"),
    ],
)  # fmt: skip
def test_a_count_beyond_what_the_store_holds_is_refused(text: str, path: str) -> None:
    p = problem(text)
    assert p.path == path and "less than or equal to 1000000000" in p.message


@pytest.mark.parametrize(
    ("price", "said"), [("'0.001'", "2 decimal places"), ("'1e30'", "12 digits")]
)
def test_a_price_the_store_cannot_hold_exactly_is_refused(price: str, said: str) -> None:
    p = problem(
        f"monetisation:\n  plans:\n    - {{id: std, name: Std, price: {price}, period: 1 month}}\n"
    )
    assert p.path == "monetisation.plans[0].price" and said in p.message


def test_a_schedule_that_never_fires_is_refused() -> None:
    # Claiming this title raised CroniterBadDateError: the next reminder cannot be found.
    p = problem("mechanisms:\n  titles:\n    - {name: Tea Master, reminder: '0 8 30 2 *'}\n")
    assert p.path == "mechanisms.titles[0].reminder" and "never fires" in p.message


def test_a_service_period_beyond_a_century_is_refused() -> None:
    p = problem(
        "monetisation:\n  plans:\n    - {id: std, name: Std, price: 10, period: 10000 years}\n"
    )
    assert p.path == "monetisation.plans[0].period" and "100 years" in p.message


def test_more_application_questions_than_a_join_form_takes_is_refused() -> None:
    # The web chat's join page showed all 21 but read 20 answers: "Please answer every
    # question" to everyone, so nobody could ever apply.
    questions = ", ".join(f"Q{i}?" for i in range(MAX_QUESTIONS + 1))
    p = problem(f"joining:\n  threshold:\n    kind: application\n    questions: [{questions}]\n")
    assert p.path == "joining.threshold.questions"
    assert f"at most {MAX_QUESTIONS}" in p.message


def test_as_many_questions_as_the_join_form_reads_are_answered() -> None:
    answers = {f"answer_{n}": f"A{n}" for n in range(1, MAX_QUESTIONS + 1)}
    assert asked_of(FormData(answers)).answers == tuple(answers.values())


def test_quiet_hours_that_start_when_they_end_are_said_to_be_none() -> None:
    loaded = parse_playbook(MINIMAL + "alerts:\n  quiet_hours: '08:00-08:00'\n", "pb.yaml")
    [warning] = loaded.warnings
    assert (warning.line, warning.path) == (11, "alerts.quiet_hours")
    assert "no quiet hours" in warning.message
    assert parse_playbook(MINIMAL + "alerts:\n  quiet_hours: '22:00-07:00'\n").warnings == ()


def test_a_name_longer_than_the_store_keeps_is_located() -> None:
    """An activity's name becomes its events' title, kept in a name column of 200: a longer
    one was cut silently at each occurrence. Now it is a located problem."""
    assert MAX_NAME == NAME, "the playbook's bound is the store's name column"
    activity = "activities:\n  - id: run\n    name: {name}\n    when: 2026-06-01 19:00\n"
    p = problem(activity.format(name="夜" * 201))
    assert p.path == "activities[0].name" and "200" in p.message
    parse_playbook(MINIMAL + activity.format(name="夜" * 200))


@pytest.mark.parametrize(
    ("text", "path", "said"),
    [
        # posted as written, "\u202e" turns the rest of the line around in every member's chat
        ('activities:\n  - {id: run, name: "夜跑 \\u202egnp.exe"}\n', "activities[0].name",
         "U+202E (a right-to-left override) at character 4"),
        ('activities:\n  - {id: run, name: 夜跑, place: "公园\\u200b北门"}\n',
         "activities[0].place", "U+200B (a zero-width space) at character 3"),
        ('community: {slug: c, name: "Club\\tLondon", purpose: p, '
         "interest: {kind: product, description: d}}\n", "community.name", "U+0009 (a tab)"),
    ],
)  # fmt: skip
def test_a_name_members_read_is_refused_with_a_hidden_character_located(
    text: str, path: str, said: str
) -> None:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text if text.startswith("community") else MINIMAL + text, "pb.yaml")
    [found] = [p for p in info.value.problems if p.path == path]
    assert said in found.message and "one line of visible text" in found.message


def test_an_emoji_joined_by_zero_width_joiners_is_still_a_name() -> None:
    pb = parse_playbook(
        MINIMAL + 'activities:\n  - {id: day, name: "家庭日 👨\\u200d👩\\u200d👧"}\n'
    )
    assert pb.playbook.activities[0].name == "家庭日 👨\u200d👩\u200d👧"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        # a pasted book: 26 Telegram messages, a QQ message QQ refuses, seconds of the carrier's time
        ("calendar:\n  posts:\n    - id: daily\n      schedule: every day 08:00\n"
         "      content:\n        text: '{long}'\n", "calendar.posts[0].content.text"),
        ("calendar:\n  rituals:\n    anniversary: {{day: 1, text: '{long}'}}\n",
         "calendar.rituals.anniversary.text"),
    ],
)  # fmt: skip
def test_a_post_longer_than_a_post_may_be_is_a_located_error(text: str, path: str) -> None:
    p = problem(text.format(long="**a** " * 2_000))
    assert p.path == path
    assert "12,000 characters" in p.message and f"at most {MAX_POST:,}" in p.message


def test_a_post_of_the_most_characters_a_post_may_have_is_kept() -> None:
    text = "calendar:\n  posts:\n    - id: daily\n      schedule: every day 08:00\n"
    text += f"      content:\n        text: '{'a' * MAX_POST}'\n"
    [post] = parse_playbook(MINIMAL + text).playbook.calendar.posts
    assert post.content.text == "a" * MAX_POST


# Texts members read, each as one chat message (or inside one): a pasted book in any of them
# went out whole (the web chat sent a 5,000,837-character welcome as one message).
LONG_TEXTS = [
    ("joining:\n  ceremony:\n    welcome: '{long}'\n", "joining.ceremony.welcome", "welcome"),
    ("joining:\n  ceremony:\n    welcome_back: '{long}'\n", "joining.ceremony.welcome_back",
     "welcome_back"),
    ("groups:\n  g1:\n    welcome: '{long}'\n", "groups.g1.welcome", "welcome"),
    ("rules:\n  texts: ['{long}']\n", "rules.texts[0]", "texts"),
    ("rules:\n  ladder:\n    - {{at: 1, do: [warn], message: '{long}'}}\n",
     "rules.ladder[0].message", "message"),
    ("mechanisms:\n  faq:\n    entries:\n      - {{question: q, keywords: [tea], "
     "answer: '{long}'}}\n", "mechanisms.faq.entries[0].answer", "answer"),
    ("joining:\n  threshold:\n    kind: application\n    questions: ['{long}']\n",
     "joining.threshold.questions[0]", "questions"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "path", "field"), LONG_TEXTS)
def test_a_text_longer_than_a_playbook_text_may_be_is_a_located_error(
    text: str, path: str, field: str
) -> None:
    p = problem(text.format(long="a" * (MAX_TEXT + 1)))
    assert (p.path, p.line) == (path, MINIMAL.count("\n") + text.count("\n"))
    assert p.message.startswith(f"`{field}` is 8,001 characters; a playbook text is at most 8,000")


@pytest.mark.parametrize(("text", "path", "field"), LONG_TEXTS[:3] + LONG_TEXTS[4:])
def test_a_text_of_the_most_characters_it_may_have_is_kept(
    text: str, path: str, field: str
) -> None:
    parse_playbook(MINIMAL + text.format(long="a" * MAX_TEXT))


PURPOSE = "purpose: Share good tea and where to buy it."


def test_a_purpose_longer_than_every_welcome_may_quote_is_a_located_error() -> None:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(MINIMAL.replace(PURPOSE, "purpose: " + "茶" * (MAX_PURPOSE + 1)), "pb.yaml")
    [p] = info.value.problems
    assert (p.line, p.path) == (6, "community.purpose")
    assert p.message.startswith("`purpose` is 1,001 characters; it is at most 1,000")
    kept = parse_playbook(MINIMAL.replace(PURPOSE, "purpose: " + "茶" * MAX_PURPOSE))
    assert len(kept.playbook.community.purpose) == MAX_PURPOSE


def test_rules_longer_together_than_one_welcome_may_quote_are_a_located_error() -> None:
    p = problem("rules:\n  texts:\n" + f"    - '{'a' * 5_000}'\n" * 2)
    assert (p.path, p.line) == ("rules.texts", 12)
    assert p.message.startswith(
        "the 2 rules are 10,000 characters together; they are at most 8,000"
    )
    parse_playbook(MINIMAL + "rules:\n  texts:\n" + f"    - '{'a' * 4_000}'\n" * 2)


def test_a_playbook_over_256_kib_is_said_beside_the_text_that_makes_it_so() -> None:
    # `hearth apply` read any size: four versions with a five-million-character purpose took
    # the server from ~770 MB to 1.25 GB.
    text = MINIMAL.replace(PURPOSE, "purpose: " + "a" * 5_000_000)
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "pb.yaml")
    size, purpose = info.value.problems
    assert (size.line, size.path, purpose.line, purpose.path) == (1, "", 6, "community.purpose")
    assert size.message.startswith(f"the playbook is {len(text):,} bytes; a playbook may be at "
                                   "most 256 KiB")  # fmt: skip
    padded = MINIMAL + "#" * MAX_PLAYBOOK_BYTES  # valid, but too large
    with pytest.raises(PlaybookError) as info:
        parse_playbook(padded, "pb.yaml")
    [size] = info.value.problems
    assert size.path == "" and f"{len(padded):,} bytes" in size.message
    parse_playbook(MINIMAL + "#" * (MAX_PLAYBOOK_BYTES - len(MINIMAL)))


def test_aliases_repeating_a_text_past_256_kib_are_a_located_error() -> None:
    """A 53 KiB playbook whose goals were 3,000 aliases of one 7,999-character text validated
    'ok' and its first version stored 24 MB (a 240 KiB one: 160 MB a version); the texts' and
    the file's limits each held."""
    goals = "  goals:\n    - &long " + "g" * 7_999 + "\n" + "    - *long\n" * 3_000
    p = problem(goals)
    assert p.path == "community.goals[33]"
    assert p.message.startswith("aliases (*name) repeat more than 262,144 characters by here")
    # a few repetitions, as an operator anchors a text to reuse it, are what they were
    few = parse_playbook(MINIMAL + goals.replace("    - *long\n" * 3_000, "    - *long\n" * 30))
    assert len(few.playbook.community.goals) == 31


def test_aliases_nested_to_a_billion_values_stop_at_the_values_limit() -> None:
    levels = ["x0: &x0 [a, a, a, a, a, a, a, a, a, a]"]
    levels += [f"x{n}: &x{n} [{', '.join([f'*x{n - 1}'] * 10)}]" for n in range(1, 9)]
    p = problem("x:\n" + "".join(f"  {line}\n" for line in levels))
    assert "more than 100000 values (aliases included)" in p.message
