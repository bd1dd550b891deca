"""Display names that pose as staff (`text/posing.py`): words matched on whole words, digits
and separators set aside, so `admin1` is caught and `System of a Down fan` is not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.text.posing import AUTHORITY, posing_as, title_worn

LATIN = [word for word in AUTHORITY if word.isascii()]


@given(st.sampled_from(LATIN), st.text("0123456789_-. ·|", max_size=3),
       st.text("0123456789_-. ·|", max_size=3), st.booleans())  # fmt: skip
def test_an_authority_word_with_only_digits_and_separators_around_is_caught(
    word: str, before: str, after: str, upper: bool
) -> None:
    name = before + (word.upper() if upper else word.capitalize()) + after
    assert posing_as(name) == word


@given(st.text(max_size=40))
def test_any_name_is_read_without_error(name: str) -> None:
    found = posing_as(name)
    assert found is None or found


def test_a_word_inside_a_phrase_or_a_longer_word_is_no_title() -> None:
    for fine in ("System of a Down fan", "administrative assistant", "I am not an admin",
                 "Moderation fan", "管理学小王", "时间管理达人", "系统学习中", "AdminBob"):  # fmt: skip
        assert posing_as(fine) is None, fine
    assert title_worn("Content Creator", ["Creator"]) is None  # a title is an everyday word
    assert title_worn("杭州-院长粉丝-干皮", ["院长"]) is None
