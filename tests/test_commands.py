"""In-chat commands: parsing, permissions by role, help in the community's language."""

from __future__ import annotations

import random
import re

from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Takes,
    own_words,
    parse,
    without_forms,
)
from hearthkeeper.capabilities.signups.parse import FORMS
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.handler import Outcome
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


def test_a_name_mistyped_by_one_character_is_named_a_short_names_miss_is_not() -> None:
    """`/兑换 包邮劵` (劵 for 券) was judged as the member's own words and struck as an ad."""
    assert own_words("包邮劵", ["包邮券"]) == ""
    assert own_words("包邮卷 x2", ["包邮券"], FORMS) == ""
    assert own_words("包邮劵 加我微信", ["包邮券"]) == "包邮劵 加我微信"
    assert own_words("爬水", ["爬山"]) == "爬水"  # two characters: one changed is another word


@given(st.text(max_size=60))
def test_the_repeat_key_drops_exactly_what_own_words_takes_out_besides_names(words: str) -> None:
    """Moderation's repeat window compares `without_forms`: `/参加 西兰花 2份 <an ad>` and
    `… x3 <an ad>` are one text exactly when the scorer would judge the same words of both."""
    kept = " ".join(without_forms(words, FORMS).split())
    assert own_words(words, [], FORMS) == (kept if any(c.isalnum() for c in kept) else "")


def test_a_command_word_typed_without_its_slash_or_space_is_read_as_the_command() -> None:
    book = CommandBook()
    book.add(Command("redeem", ("兑换",), {}, lambda *_: Outcome(), takes=Takes.WORDS))
    book.add(Command("rank", ("排行榜",), {}, lambda *_: Outcome(), takes=Takes.NOTHING))
    for text in ("兑换 包邮券", "兑换包邮券", "/兑换包邮券", "  REDEEM 包邮券 "):
        invocation = book.unslashed(text)
        assert invocation is not None and invocation.rest == "包邮券", text
        assert book.find(invocation.name) is not None
    # an English name needs its space; a command word alone names nothing
    for text in ("redeeming 包邮券", "兑换", "/兑换 ", "排行", "我想兑换包邮券", ""):
        assert book.unslashed(text) is None, text


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
