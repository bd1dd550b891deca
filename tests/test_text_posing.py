"""Display names that pose as staff (`text/posing.py`): words matched on whole words, digits
and separators set aside, so `admin1` is caught and `System of a Down fan` is not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthkeeper.text.posing import AUTHORITY, SERVICE, posing_as, title_worn

LATIN = [word for word in AUTHORITY if word.isascii()]
ROLES = [word for word in LATIN if word not in SERVICE]  # a person's role, not a service

# Names as an operator judges them: the word the name poses with, or None for a name that
# only holds a staff word in an ordinary phrase or a longer word.
JUDGED = [
    ("Admin", "admin"), ("admin1", "admin"), ("_admin_", "admin"), ("Admin-2", "admin"),
    ("a d m i n", "admin"), ("bob (mod)", "mod"), ("Moderator Kim", "moderator"),
    ("Admin Bob", "admin"), ("Bob Admin", "admin"), ("Administrator", "administrator"),
    ("AdminBob", "admin"), ("ModKim", "mod"), ("ADMINBob", "admin"), ("GitHub Admin", "admin"),
    ("Admin小王", "admin"), ("Official Fan", "official"), ("Staff Kim", "staff"),
    ("Support Team", "support"), ("SupportTeam", "support"), ("Tech Support", "support"),
    ("Customer Support Team", "support"), ("System Message", "system"),
    ("Support: Kim", "support"), ("Kim (support)", "support"), ("[admin] bob", "admin"),
    ("客服小美", "客服"), ("【官方】客服", "官方"), ("小王管理员", "管理员"), ("管理-小王", "管理"),
    ("系统通知", "系统通知"), ("系统助手", "系统"), ("管理团队", "管理"), ("通知中心", "通知"),
    ("Support Ukraine", None), ("SupportUkraine", None), ("Notice me", None),
    ("Emotional Support", None), ("Kim Support", None), ("Supporter Kim", None),
    ("Officially Kim", None), ("Modern Family", None), ("ModernKim", None),
    ("Moderation fan", None), ("administrative assistant", None), ("iPhone fan", None),
    ("System of a Down fan", None), ("I am not an admin", None), ("McDonald", None),
    ("时间管理达人", None), ("系统学习中", None), ("管理学小王", None), ("通知书已到", None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "word"), JUDGED, ids=[name for name, _ in JUDGED])
def test_a_name_poses_as_staff_as_an_operator_judges_it(name: str, word: str | None) -> None:
    assert posing_as(name) == word


@given(st.sampled_from(ROLES), st.sampled_from(["Bob", "Kim", "Lee", "Anna", "小王"]),
       st.booleans())  # fmt: skip
def test_a_role_run_together_with_a_name_is_caught(role: str, name: str, ahead: bool) -> None:
    written = role.capitalize() + name if ahead else name + role.capitalize()
    assert posing_as(written) == role


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
                 "Moderation fan", "管理学小王", "时间管理达人", "系统学习中"):  # fmt: skip
        assert posing_as(fine) is None, fine
    assert title_worn("Content Creator", ["Creator"]) is None  # a title is an everyday word
    assert title_worn("杭州-院长粉丝-干皮", ["院长"]) is None
