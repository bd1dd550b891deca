"""YAML's numbers and yes/no where the playbook wants text: kept as written, or refused
where they can only be a slip (`welcome_back: 42`), never turned silently into another text."""

from __future__ import annotations

import pytest

from hearthkeeper.playbook import PlaybookError, Problem, parse_playbook
from tests.playbook_samples import MINIMAL


def problems(text: str) -> list[Problem]:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "pb.yaml")
    return info.value.problems


def test_a_sign_up_keyword_written_plus_one_is_plus_one_not_one_point_oh() -> None:
    text = MINIMAL + "mechanisms:\n  signups:\n    join_keywords: [+1, 007, 1.10]\n"
    playbook = parse_playbook(text).playbook
    assert playbook.mechanisms.signups.join_keywords == ["+1", "007", "1.10"]


def test_a_name_written_as_a_decimal_keeps_its_digits() -> None:
    playbook = parse_playbook(MINIMAL.replace("name: Tea Friends", "name: 1.10")).playbook
    assert playbook.community.name == "1.10"


def test_numbers_where_numbers_are_wanted_are_still_numbers() -> None:
    text = MINIMAL + "structure:\n  groups:\n    capacity: 0300\n    join_by_code_cap: 2e2\n"
    groups = parse_playbook(text).playbook.structure.groups
    assert (groups.capacity, groups.join_by_code_cap) == (300, 200)


def test_a_number_given_as_the_welcome_back_is_refused_where_it_is() -> None:
    [p] = problems(MINIMAL + "joining:\n  ceremony:\n    welcome_back: 42\n")
    assert (p.line, p.column, p.path) == (12, 19, "joining.ceremony.welcome_back")
    assert p.message == (
        "42 is a number, but this is a text members read: write the words "
        "(in quotes, '42', if the number is the whole text)"
    )


def test_a_number_in_quotes_is_the_text_the_operator_meant() -> None:
    text = MINIMAL + "joining:\n  ceremony:\n    welcome_back: '42'\n"
    assert parse_playbook(text).playbook.joining.ceremony.welcome_back == "42"


def test_a_rule_given_as_a_number_is_refused_beside_the_others() -> None:
    found = problems(MINIMAL + "rules:\n  texts: [Be kind, 2]\n")
    assert [p.path for p in found] == ["rules.texts[1]"]


def test_yes_no_where_a_text_is_wanted_says_what_yaml_read() -> None:
    [p] = problems(MINIMAL + "joining:\n  ceremony:\n    welcome: true\n")
    assert p.message.startswith("YAML reads true as yes/no, but a text is wanted here")
