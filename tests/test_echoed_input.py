"""A value someone gave is said back cut short in an error message: a number of thousands of
digits in a playbook or a request was repeated whole (5,000 digits in one line of
`hearth playbook validate`, or in the API's answer)."""

from __future__ import annotations

import pytest

from hearthkeeper.playbook import PlaybookError, parse_playbook
from hearthkeeper.text.controls import ECHOED_INPUT, quoted, shown_input
from tests.console_setup import SLUG, Console
from tests.playbook_samples import MINIMAL

BIG = "9" * 5_000
SAID = "9" * ECHOED_INPUT + "…"  # what an error repeats of BIG
KEY = "k" * 1_000  # a key as long as YAML takes one
LONGEST = 300  # characters of any of these messages: what they say, and 40 of the value


def test_a_long_value_is_said_by_its_first_characters() -> None:
    assert shown_input(BIG) == SAID and quoted(BIG) == f"'{SAID}'"
    assert shown_input(int(BIG[:4_000])) == SAID, "an int Python would not even write whole"
    assert shown_input(-(10**60)) == "-1" + "0" * (ECHOED_INPUT - 1) + "…"
    assert shown_input("a" * ECHOED_INPUT) == "a" * ECHOED_INPUT and quoted("ab") == "'ab'"
    assert quoted(["2023-05-04"]) == "['2023-05-04']" and quoted(12) == "12"
    assert shown_input(10**39) == str(10**39) and shown_input(7) == "7"


@pytest.mark.parametrize(
    ("text", "path", "said"),
    [
        # YAML reads the digits as one number
        (f"mechanisms:\n  check_in: {{points: {BIG}}}\n", "",
         f"'{SAID}' is a number of 5,000 digits"),
        (f"monetisation:\n  plans:\n    - {{id: std, name: Std, price: '{BIG}元', "
         "period: 1 month}\n", "monetisation.plans[0].price", f"'{SAID}' is not a number"),
        (f"mechanisms:\n  faq:\n    cooldown: {BIG}d\n", "mechanisms.faq.cooldown",
         f"'{SAID}' is too long"),
        (f"mechanisms:\n  faq:\n    cooldown: '{BIG}'\n", "mechanisms.faq.cooldown",
         f"'{SAID}' is not a duration"),
        (f"monetisation:\n  plans:\n    - {{id: std, name: Std, price: 10, period: {BIG} months}}\n",
         "monetisation.plans[0].period", f"'{SAID}' is too long"),
        (f"copy:\n  open_new_group_at: {BIG}%\n", "copy.open_new_group_at",
         f"{SAID} is more than the whole group"),
        (f"copy:\n  open_new_group_at: '{BIG}'\n", "copy.open_new_group_at",
         f"{SAID} is more than the whole group"),
        (f"activities:\n  - {{id: a, name: A, when: '{BIG}'}}\n", "activities[0].when",
         f"'{SAID}' is not a date and time"),
        (f"calendar:\n  posts:\n    - {{id: p, schedule: 'every {BIG}', content: {{text: hi}}}}\n",
         "calendar.posts[0].schedule", "cannot read the schedule 'every " + "9" * 34 + "…'"),
        (f"structure:\n  roles:\n    '{KEY}': {{title: T}}\n", "structure.roles",
         f"'{KEY[:ECHOED_INPUT]}…' is not a valid id"),
        (f"'{KEY}': 1\n", "", f"unknown field '{KEY[:ECHOED_INPUT]}…'"),
    ],
)  # fmt: skip
def test_a_playbook_value_of_thousands_of_digits_is_cut_short_where_it_is_said(
    text: str, path: str, said: str
) -> None:
    with pytest.raises(PlaybookError) as refused:
        parse_playbook(MINIMAL + text, "pb.yaml")
    [problem] = [p for p in refused.value.problems if said in p.message]
    assert problem.path.startswith(path) and len(problem.path) < LONGEST
    assert len(problem.message) < LONGEST, problem.message


def test_a_mute_of_thousands_of_digits_in_a_text_is_no_crash() -> None:
    """A ladder message reading 'muted for 999…9 minutes' ended validation with a ValueError
    (over 4,300 digits) or an OverflowError (30 digits): `hearth playbook validate` said
    'This is a bug'. A number of more than six digits is read as no promised mute."""
    for digits in (BIG, "9" * 30):
        for message in (f"You will be muted for {digits} minutes", f"禁言{digits}周"):
            text = f"rules:\n  ladder:\n    - {{at: 1, do: [warn], message: '{message}'}}\n"
            assert parse_playbook(MINIMAL + text).warnings == ()
    text = "rules:\n  ladder:\n    - {at: 1, do: [warn], message: 'muted for 999999 minutes'}\n"
    [warning] = parse_playbook(MINIMAL + text).warnings
    assert "999999 minutes" in warning.message


def test_the_api_says_a_number_of_thousands_of_digits_back_cut_short(console: Console) -> None:
    token = console.site.token(console.store.operator_by_name("ann"))  # type: ignore[arg-type]
    api = f"/api/v1/communities/{SLUG}"

    def refused(path: str, **params: str) -> dict[str, object]:
        answer = console.client.get(f"{api}{path}", params=params,
                                    headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert answer.status_code == 422, answer.text
        assert len(answer.text) < 500
        [refusal] = answer.json()["detail"]
        return dict(refusal)

    assert refused(f"/members/{BIG}")["input"] == SAID
    assert refused("/members", limit=BIG)["input"] == SAID
    assert refused("/audit", offset=BIG)["input"] == SAID
    assert refused("/members", limit="abc")["input"] == "abc", "a short value as it was sent"
