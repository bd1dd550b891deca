"""In-chat commands: parsing, permissions by role, help in the community's language."""

from __future__ import annotations

import random
import re

from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.capabilities.command_book import own_words, parse
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.engine_setup import community


def test_commands_are_recognised_with_any_of_the_usual_prefixes() -> None:
    for text in ("/help", "#help", "＃帮助", "／帮助", "  /HELP  "):
        invocation = parse(text)
        assert invocation is not None and invocation.name in ("help", "帮助")
    poll = parse("/poll 周末去哪 | 爬山 | 看展")
    assert poll is not None and poll.name == "poll" and poll.rest == "周末去哪 | 爬山 | 看展"
    for text in ("", "/", "# ", "hello /help", "##tag", "3/4 of us"):
        assert parse(text) is None


def test_own_words_are_what_names_nothing_numbers_and_names_taken_out() -> None:
    """The one reading of a command's words: names, short numbers and the command's own
    forms taken out, width and case ignored; a contact number is never a number it reads."""
    assert own_words("2", ["爬山"]) == ""
    assert own_words("ＦＲＥＥ-shipping", ["free-shipping", "包邮券"]) == ""
    assert own_words("院长精选·秋冬保湿 2份", ["院长精选·秋冬保湿"], [re.compile(r"\d+份")]) == ""
    assert own_words("2 加V信ab12345 领福利", ["爬山"]) == "加v信ab12345 领福利"
    assert own_words("call 13800138000", []) == "call 13800138000"
    assert own_words("是 代购找我", ["是"]) == "是 代购找我"  # one character: only whole


# names as operators write them: letters or CJK, no spaces, two characters or more once folded
_NAMES = st.lists(st.text(st.characters(categories=("Lu", "Ll", "Lo")), min_size=2, max_size=8),
                  min_size=1, max_size=4)  # fmt: skip


@given(_NAMES, st.lists(st.integers(0, 999), max_size=3), st.randoms(use_true_random=False))
def test_words_made_only_of_names_and_short_numbers_are_nothing_of_the_members(
    names: list[str], numbers: list[int], order: random.Random
) -> None:
    """`/vote 2`, `/参加 院长精选·秋冬保湿 2`, in any order and width: nothing left to judge."""
    parts = [*names, *map(str, numbers)]
    order.shuffle(parts)
    assert own_words(" ".join(parts), names) == ""


@given(st.text(max_size=60), _NAMES)
def test_what_is_left_of_any_words_is_nothing_or_has_a_letter_or_digit(
    words: str, names: list[str]
) -> None:
    left = own_words(words, names)
    assert left == "" or any(c.isalnum() for c in left)


def test_help_lists_what_the_member_may_use(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    [result] = c.engine.process([c.events.message("u1", "/help")])
    [answer] = [a for a in result.actions if a.kind is ActionKind.REPLY]
    assert (answer.text or "").startswith("Commands you can use:")
    assert "/help" in (answer.text or "")


def test_an_unknown_command_is_left_to_other_handlers(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    [result] = c.engine.process([c.events.message("u1", "/nosuchcommand")])
    assert "commands" not in result.handlers


def test_help_hides_commands_the_playbook_reserves_for_named_roles(
    store: Store, store_clock: FrozenClock
) -> None:
    from tests.engine_setup import playbook

    pb = playbook("mechanisms:\n  signups: {started_by: [manager]}\n")
    c = community(store, store_clock, pb)
    [member] = c.engine.process([c.events.message("u1", "/help")])
    member_help = next(a.text or "" for a in member.actions if a.kind is ActionKind.REPLY)
    assert "/signup" not in member_help and "/list" in member_help
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.set_role(c.member_id("u1"), group.id, "manager")
    c.restart()
    [staff] = c.engine.process([c.events.message("u1", "/help")])
    staff_help = next(a.text or "" for a in staff.actions if a.kind is ActionKind.REPLY)
    assert "/signup" in staff_help


def test_help_shows_tag_and_title_examples_from_the_playbook(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/help` showed `/tag skin_type oily` and `/claim Cellar Keeper` in every community: a
    member of a community without those who copied the example was refused."""
    from tests.engine_setup import playbook

    pb = playbook(
        "mechanisms:\n"
        "  tags:\n"
        "    - {name: level, values: [pro], self_service: false}\n"
        "    - {name: specialty, values: [charts, colour]}\n"
        "  titles:\n"
        "    - {name: Font Keeper, duty: share a font}\n"
    )
    c = community(store, store_clock, pb)
    [result] = c.engine.process([c.events.message("u1", "/help")])
    text = next(a.text or "" for a in result.actions if a.kind is ActionKind.REPLY)
    assert "(/tag specialty charts)" in text and "(/untag specialty)" in text
    assert "/claim Font Keeper" in text
    assert "skin_type" not in text and "Cellar Keeper" not in text
