"""Broken playbooks get one located, readable problem per mistake — never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthkeeper.playbook import PlaybookError, Problem, parse_playbook, validate_file
from tests.playbook_samples import MINIMAL


def problems(text: str) -> list[Problem]:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "pb.yaml")
    return info.value.problems


def test_minimal_playbook_is_valid_and_fills_documented_defaults() -> None:
    pb = parse_playbook(MINIMAL).playbook
    assert pb.structure.groups.capacity == 500
    assert pb.structure.groups.join_by_code_cap == 200
    assert [s.at for s in pb.rules.ladder] == [1, 2, 3]
    assert pb.rules.strike_expiry is not None and pb.rules.strike_expiry.days == 30


def test_yaml_syntax_error_is_located() -> None:
    [p] = problems(MINIMAL + "rules:\n  texts: [unclosed\n")
    assert p.file == "pb.yaml" and p.line >= 11
    assert "YAML syntax" in p.message


def test_unknown_key_suggests_the_closest_field() -> None:
    [p] = problems(MINIMAL + "joining:\n  ceremony:\n    welcom: hi\n")
    assert (p.line, p.column) == (12, 5)
    assert p.path == "joining.ceremony.welcom"
    assert "did you mean 'welcome'" in p.message
    assert str(p) == f"pb.yaml:12:5: joining.ceremony.welcom: {p.message}"


def test_wrong_type_points_at_the_value() -> None:
    [p] = problems(MINIMAL + "structure:\n  groups:\n    capacity: lots\n")
    assert (p.line, p.column, p.path) == (12, 15, "structure.groups.capacity")
    assert "integer" in p.message


def test_unknown_time_zone_suggests_the_right_one() -> None:
    [p] = problems(MINIMAL.replace("Europe/London", "Europe/Londn"))
    assert (p.line, p.path) == (5, "community.timezone")
    assert "Europe/London" in p.message


def test_bad_schedule_is_located_and_explained() -> None:
    text = MINIMAL + (
        "calendar:\n  posts:\n    - id: morning\n      schedule: evry day 8am\n"
        "      content: {text: Good morning}\n"
    )
    [p] = problems(text)
    assert (p.line, p.path) == (13, "calendar.posts[0].schedule")
    assert "every day 08:00" in p.message


def test_role_referenced_but_not_defined() -> None:
    [p] = problems(MINIMAL + "alerts:\n  recipients: [manger]\n")
    assert (p.line, p.path) == (11, "alerts.recipients[0]")
    assert "'manger' is not defined" in p.message and "did you mean 'manager'" in p.message


def test_an_urgent_alert_name_nothing_raises_is_located_with_the_names() -> None:
    """It was silently ignored: the alerts meant (here crisis) waited through quiet hours."""
    [p] = problems(MINIMAL + "alerts:\n  quiet_hours: '22:00-07:00'\n  urgent: [insults, crises]\n")
    assert (p.line, p.path) == (12, "alerts.urgent[1]")
    assert "'crises' is no violation kind or alert source" in p.message
    assert "did you mean 'crisis'" in p.message
    assert "ban_evasion, blacklist, calendar, contact, crisis" in p.message


def test_every_name_urgent_alerts_are_known_by_is_accepted() -> None:
    from hearthkeeper.playbook.business import ALERT_SOURCES, ALERT_VIOLATIONS
    from hearthkeeper.playbook.rules import ViolationKind

    names = [*ALERT_SOURCES, *ALERT_VIOLATIONS, *(k.value for k in ViolationKind)]
    loaded = parse_playbook(MINIMAL + f"alerts:\n  urgent: [{', '.join(names)}]\n")
    assert loaded.playbook.alerts.urgent == names


@pytest.mark.parametrize(
    ("zone", "instead"),
    [("localtime", "Asia/Shanghai"), ("Factory", "Asia/Shanghai"), ("posixrules", "Asia/Shanghai"),
     ("right/Asia/Shanghai", "Asia/Shanghai"), ("posix/Europe/Paris", "Europe/Paris")],
)  # fmt: skip
def test_a_time_zone_that_is_no_place_is_located_naming_a_real_one(zone: str, instead: str) -> None:
    """They validated: `localtime` is whatever the server is set to (a community's days and
    quiet hours would move with the server), `Factory` is '-00', `right/` counts leap seconds."""
    text = MINIMAL.replace("timezone: Europe/London", f"timezone: {zone}")
    assert text != MINIMAL
    [p] = problems(text)
    assert p.path == "community.timezone"
    assert f"{zone!r} is not the time zone of a place" in p.message
    assert f"name one such as {instead}" in p.message


@pytest.mark.parametrize(
    ("name", "said"),
    [('""', "the bot's name is empty"), ("x" * 33, "is 33 characters; a bot's name is at most 32"),
     ('"Tea\\u202eBot"', "carries U+202E"), ('"a\\nb"', "carries U+000A"),
     ('" Tea"', "starts or ends with a space"), ("'@小助手'", "carries an @")],
)  # fmt: skip
def test_a_bot_name_members_could_not_read_or_mention_is_refused(name: str, said: str) -> None:
    text = MINIMAL.replace(
        "timezone: Europe/London", f"timezone: Europe/London\n  bot_name: {name}"
    )
    [p] = problems(text)
    assert p.path == "community.bot_name" and said in p.message, p.message


def test_the_bot_is_called_hearthkeeper_unless_the_playbook_names_it() -> None:
    assert parse_playbook(MINIMAL).playbook.community.bot_name == "Hearthkeeper"
    text = MINIMAL.replace("timezone: Europe/London", "timezone: Europe/London\n  bot_name: 小助手")
    assert parse_playbook(text).playbook.community.bot_name == "小助手"


def test_ladder_step_after_a_ban_can_never_fire() -> None:
    text = MINIMAL + (
        "rules:\n  ladder:\n"
        "    - {at: 1, do: [delete, warn]}\n"
        "    - {at: 2, do: [kick, blacklist]}\n"
        "    - {at: 3, do: [mute], mute_for: 1d}\n"
    )
    [p] = problems(text)
    assert (p.line, p.path) == (14, "rules.ladder[2].at")
    assert "never fire" in p.message


def test_ladder_that_nothing_feeds_can_never_fire() -> None:
    kinds = ["advertising", "links", "contact", "invites", "flooding", "repeated_text",
             "mention_spam", "insults", "nickname"]  # fmt: skip
    violations = "".join(f"    {k}: {{response: alert}}\n" for k in kinds)
    [p] = problems(MINIMAL + "rules:\n  violations:\n" + violations)
    assert p.path == "rules.ladder" and "never fire" in p.message


def test_mute_without_duration() -> None:
    [p] = problems(MINIMAL + "rules:\n  ladder:\n    - {at: 1, do: [mute]}\n")
    assert p.path == "rules.ladder[0].mute_for" and p.line == 12


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = MINIMAL.replace("behaviour", "hobby") + "structure:\n  groups: {capacity: -1}\n"
    found = problems(text)
    assert {p.path for p in found} == {"community.interest.kind", "structure.groups.capacity"}
    assert [p.line for p in found] == sorted(p.line for p in found)


def test_enum_typo_gets_did_you_mean() -> None:
    [p] = problems(MINIMAL.replace("behaviour", "behavior"))
    assert "did you mean 'behaviour'" in p.message


def test_duplicate_key_is_an_error_not_a_silent_overwrite() -> None:
    [p] = problems(MINIMAL + "rules:\n  texts: [a]\nrules:\n  texts: [b]\n")
    assert p.line == 12 and "duplicate key 'rules'" in p.message and "line 10" in p.message


def test_times_are_not_read_as_sexagesimal_numbers() -> None:
    pb = parse_playbook(MINIMAL + "mechanisms:\n  check_in:\n    daily_summary: 21:30\n").playbook
    assert pb.mechanisms.check_in.daily_summary is not None
    assert pb.mechanisms.check_in.daily_summary.strftime("%H:%M") == "21:30"


def test_numbers_with_a_leading_zero_are_decimal() -> None:
    pb = parse_playbook(MINIMAL + "rules:\n  violations:\n    flooding:\n      max_messages: 09\n")
    assert pb.playbook.rules.violations.flooding.max_messages == 9


def test_missing_required_field_names_it() -> None:
    found = problems(MINIMAL.replace("  purpose: Share good tea and where to buy it.\n", ""))
    assert [p.path for p in found] == ["community.purpose"]
    assert found[0].message == "required field is missing"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("- a\n- b\n", "mapping of sections"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("community: *nowhere\n", "must be quoted"),
        ("x: !!python/object/apply:os.system ['true']\n", "YAML syntax"),
        ("08\n", "mapping of sections"),  # YAML 1.1 would read it as octal and crash
        ("x: !!int foo\n", "not a whole number"),
    ],
)
def test_documents_that_are_not_playbooks(text: str, expected: str) -> None:
    [p] = problems(text)
    assert expected in p.message and p.line >= 1


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    [missing] = validate_file(tmp_path / "nope.yaml")
    assert "cannot read" in missing.message
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"community:\n  name: caf\xe9\n")
    [p] = validate_file(latin)
    assert p.line == 2 and "UTF-8" in p.message


def test_a_date_that_does_not_exist_is_a_located_problem_not_a_crash(tmp_path: Path) -> None:
    """`founded: 2025-02-30` made PyYAML raise while reading the file, and `hearth playbook
    validate` printed 'This is a bug in Hearthkeeper'; it is the field's problem, located,
    and the rest of the file is still checked."""
    path = tmp_path / "pb.yaml"
    path.write_text(MINIMAL + "  founded: 2025-02-30\nrules:\n  strike_expiry: soon\n")
    found = validate_file(path)
    assert [(p.path, p.line, p.column) for p in found] == [
        ("community.founded", 10, 12),
        ("rules.strike_expiry", 12, 18),
    ]
    assert "day value is outside" in found[0].message


@pytest.mark.parametrize(
    ("field", "written", "expected"),
    [
        ("when", "2026-12-20 2pm",
         "'2026-12-20 2pm' is not a date and time: write YYYY-MM-DD HH:MM, e.g. 2026-12-19 19:30"),
        ("when", "2026/12/20 14:00",
         "'2026/12/20 14:00' is not a date and time: write YYYY-MM-DD HH:MM, e.g. 2026-12-19 "
         "19:30"),
        ("when", "2026-13-20 14:00",
         "'2026-13-20 14:00' is not a date and time: write YYYY-MM-DD HH:MM, e.g. 2026-12-19 "
         "19:30 (month value is outside expected range of 1-12)"),
    ],
)  # fmt: skip
def test_an_activity_start_that_cannot_be_read_says_the_form_to_write(
    field: str, written: str, expected: str
) -> None:
    """`when: 2026-12-20 2pm` said 'Input should be a valid datetime or date, unexpected extra
    characters at the end of the input': not what to write instead."""
    [p] = problems(
        MINIMAL + f"activities:\n  - id: salon\n    name: Salon\n    {field}: {written}\n"
    )
    assert p.path == f"activities[0].{field}"
    assert p.message == expected


@pytest.mark.parametrize(
    "written",
    ["9999-12-31T23:59:00-12:00", "0001-01-01T00:30:00+14:00", "0001-01-01 00:30",
     "9999-12-31 23:59", "9999-01-01"],
)  # fmt: skip
def test_an_activity_start_at_the_calendars_edge_is_refused_located(written: str) -> None:
    """`when: 9999-12-31T23:59:00-12:00` (or year 1 east of Greenwich) validated 'ok'; once
    applied, every member's /events and /rsvp was set aside by the engine unanswered
    ('OverflowError: date value out of range': in UTC it falls past year 9999), the console's
    Events page answered 400 and `hearth events list` 'a number in this command is too large
    for the database'. A start is refused unless every time zone can hold it."""
    [p] = problems(MINIMAL + f"activities:\n  - id: salon\n    name: Salon\n    when: {written}\n")
    assert p.path == "activities[0].when"
    assert "write a start between the years 2 and 9998" in p.message, p.message


def test_an_activity_start_a_time_zone_away_from_the_calendars_edge_is_kept() -> None:
    pb = parse_playbook(MINIMAL + "activities:\n  - id: salon\n    name: Salon\n"
                        "    when: 9998-12-31T23:59:00-12:00\n").playbook  # fmt: skip
    assert pb.activities[0].when is not None and pb.activities[0].when.year == 9998


def test_a_founding_date_that_cannot_be_read_says_the_form_to_write() -> None:
    [p] = problems(MINIMAL + "  founded: 2025/6/12\n")
    assert p.path == "community.founded"
    assert p.message == "'2025/6/12' is not a date: write YYYY-MM-DD, e.g. 2024-03-18"


@pytest.mark.parametrize(
    ("yaml", "path"),
    [
        ("activities:\n  - id: salon\n    name: Salon\n    when: 20261220\n", "activities[0].when"),
        ("activities:\n  - id: salon\n    name: Salon\n    when: 1797760800\n",
         "activities[0].when"),
        ("  founded: 20250612\n", "community.founded"),
    ],
)  # fmt: skip
def test_a_date_written_as_a_bare_number_is_refused_not_read_as_seconds_since_1970(
    yaml: str, path: str
) -> None:
    """`when: 20261220` (YAML reads a number) validated and the salon fell on 23 August 1970:
    pydantic took the number for seconds since 1970. It is refused, saying the form to write."""
    [p] = problems(MINIMAL + yaml)
    assert p.path == path
    assert "is a number, not a date: write YYYY-MM-DD" in p.message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2023-05-04T10:00:00+14:00",
         "'2023-05-04T10:00:00+14:00' is a date and time: write the day alone, YYYY-MM-DD, "
         "e.g. 2024-03-18"),
        ("2023-05-04 09:30", "'2023-05-04 09:30' is a date and time: write the day alone, "
         "YYYY-MM-DD, e.g. 2024-03-18"),
        ("[2023-05-04]", "['2023-05-04'] is not a date: write YYYY-MM-DD, e.g. 2024-03-18"),
    ],
)  # fmt: skip
def test_a_founding_day_written_with_a_time_or_in_a_list_says_what_to_write(
    written: str, expected: str
) -> None:
    """`founded: 2023-05-04T10:00:00+14:00` said pydantic's 'Datetimes provided to dates should
    have zero time - e.g. be exact dates'; `founded: [2023-05-04]` said
    '[datetime.date(2023, 5, 4)] is not a date' (Python's own spelling of the value)."""
    [p] = problems(MINIMAL + f"  founded: {written}\n")
    assert p.path == "community.founded"
    assert p.message == expected


@pytest.mark.parametrize(
    ("written", "where", "said"),
    [
        # a section whose lines were deleted or commented out
        ("structure:\n", "pb.yaml:10:11: structure", "(roles, levels, carriers, groups), but "
         "nothing is written under it: fill it in, or remove the line to keep its defaults"),
        ("structure:\n  roles:\n", "pb.yaml:11:9: structure.roles",
         "a line, but nothing is written under it"),
        # a carrier named alone, as a list of names
        ("structure:\n  carriers: [webchat]\n", "pb.yaml:11:14: structure.carriers[0]",
         "(kind, name, settings), but 'webchat' is written"),
    ],
)  # fmt: skip
def test_a_section_left_empty_or_written_as_a_word_says_what_is_wanted(
    written: str, where: str, said: str
) -> None:
    """pydantic's 'Input should be a valid dictionary or instance of Structure' (and '… of
    Carrier') reached a new operator's `hearth init --playbook`."""
    [p] = problems(MINIMAL + written)
    assert str(p).startswith(f"{where}: a section is wanted here, what it holds under it, one "
                             "`name: value` a line")  # fmt: skip
    assert said in p.message


def test_an_emoji_written_as_jsons_utf16_pair_says_how_to_write_it() -> None:
    """A playbook written by a script's json.dumps (YAML reads JSON) carries an emoji as
    "\\ud83c\\udf75": it said only 'found invalid Unicode character escape code'."""
    written = 'purpose: "Tea \\ud83c\\udf75 time"'
    [p] = problems(MINIMAL.replace("purpose: Share good tea and where to buy it.", written))
    assert (p.line, p.path) == (6, "")
    assert p.message.endswith("invalid Unicode character escape code (a character such as an "
                              "emoji is written as itself, or as \\U0001F600: the pair "
                              "\\ud83d\\ude00 that JSON writes for it is not read)")  # fmt: skip
    as_itself = parse_playbook(MINIMAL.replace("purpose: Share good tea and where to buy it.",
                                               'purpose: "Tea \\U0001F375 time"'))  # fmt: skip
    assert as_itself.playbook.community.purpose == "Tea 🍵 time"


def test_a_weekly_check_in_is_refused_where_it_is_written_and_says_why() -> None:
    """`period: week` for a 周复盘 would otherwise run as the one daily check-in (打卡 then
    周复盘 the same day: "今天已经打过卡啦"); refused, at the field, saying what to write."""
    text = MINIMAL + "mechanisms:\n  check_in:\n    keywords: [打卡, 周复盘]\n    period: week\n"
    [p] = problems(text)
    assert (p.line, p.column, p.path) == (13, 13, "mechanisms.check_in.period")
    assert "weekly check-ins are not supported yet" in p.message
    assert "period: day" in p.message
    [p] = problems(MINIMAL + "mechanisms:\n  check_in:\n    period: month\n")
    assert p.path == "mechanisms.check_in.period" and "period: day" in p.message
    pb = parse_playbook(MINIMAL + "mechanisms:\n  check_in:\n    period: day\n").playbook
    assert pb.mechanisms.check_in.period == "day"


def test_a_full_width_colon_or_space_typed_by_a_chinese_input_method_is_named_where_it_is() -> None:
    """`name：茶友会` and an indentation of `　` (U+3000) said only YAML's "could not find
    expected ':'" or "mapping values are not allowed here", a line below the cause."""
    [p] = problems(MINIMAL.replace("  name: Tea Friends", "  name：茶友会"))
    assert (p.line, p.column) == (3, 7)
    assert p.message.endswith("(line 3 has a full-width colon '：' after 'name': a key is "
                              "followed by an ASCII colon and a space, 'name: …')")  # fmt: skip
    [p] = problems(MINIMAL.replace("  language: en", "\u3000language: en"))
    assert (p.line, p.column) == (4, 1)
    assert p.message.endswith("(line 4 is indented with a full-width space '\u3000' (U+3000): "
                              "indent with ASCII spaces)")  # fmt: skip
    # a full-width colon inside a rule's text is the text's: the error is the line above it
    texts = "rules:\n  texts:\n    -不发广告。\n    - 违规处理：先警告，再禁言。\n"
    [p] = problems(MINIMAL + texts)
    assert "full-width" not in p.message


@pytest.mark.parametrize(
    ("field", "written", "suggested"),
    [
        ("schedule", "每周日晚上9点", ["每天 08:00", "每周一三五日 20:00", "每周日 21:00", "每月18日 20:00"]),
        ("trial", "三天", ["30分钟", "24小时", "3天"]),
        ("period", "一年", ["6个月", "1年", "30天"]),
    ],
)  # fmt: skip
def test_a_value_written_in_chinese_that_cannot_be_read_suggests_the_chinese_forms_that_can(
    field: str, written: str, suggested: list[str]
) -> None:
    """`每周日晚上9点`, `三天`, `一年` were answered with English examples only ('every day
    08:00', '7d', '1 year'), as if Chinese were not read; every form suggested is read."""
    plan = "monetisation:\n  plans:\n    - {id: year, name: 年卡, price: 299, period: 1年, trial: 3天}\n"
    post = "calendar:\n  posts:\n    - {id: weekly, schedule: 每天 08:00, content: {text: 周报}}\n"
    text = MINIMAL + (post.replace("每天 08:00", written) if field == "schedule"
                      else plan.replace("1年" if field == "period" else "3天", written))  # fmt: skip
    [p] = problems(text)
    assert p.path.endswith(field) and written in p.message
    for form in suggested:
        assert f"'{form}'" in p.message
        if field == "schedule":
            parse_playbook(MINIMAL + post.replace("每天 08:00", form))
        else:
            parse_playbook(MINIMAL + plan.replace("1年" if field == "period" else "3天", form))
