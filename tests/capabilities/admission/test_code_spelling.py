"""A code is exactly what staff spelt: a code longer than codes may be is refused when made
(it was cut to 64 characters without a word), and a typed code with more after a real code
does not open the door (it was cut to that code and let in)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hearthkeeper.capabilities.admission.codes import BadCode, create_code
from hearthkeeper.capabilities.admission.decide import MAX_CODE
from tests.capabilities.admission.door_setup import CODE, screening
from tests.webchat_setup import Chat, join


def test_a_code_longer_than_codes_may_be_is_refused_not_cut(chat: Chat) -> None:
    with pytest.raises(BadCode, match="3 to 64"):
        create_code(chat.store, chat.community_id, "cli", chat.clock.now(), code="X" * 300)
    made = create_code(chat.store, chat.community_id, "cli", chat.clock.now(),
                       code="x" * MAX_CODE)  # fmt: skip
    assert made.code == "X" * MAX_CODE


def test_a_typed_code_with_more_after_a_real_one_is_refused(chat: Chat) -> None:
    screening(chat, CODE)
    create_code(chat.store, chat.community_id, "cli", chat.clock.now(), code="Y" * MAX_CODE)
    mei = TestClient(chat.app)
    longer = join(mei, chat.codes[0], "Mei", invite_code="Y" * 10_000)
    assert longer.status_code == 403 and "There is no invite code" in longer.text
    assert join(mei, chat.codes[0], "Mei", invite_code="y" * MAX_CODE).status_code == 303


def test_a_use_limit_larger_than_the_store_keeps_is_refused_saying_the_range(chat: Chat) -> None:
    """`hearth codes create --max-uses 99999999999999999999` said "This is a bug"."""
    with pytest.raises(BadCode, match="from 1 to 2147483647"):
        create_code(chat.store, chat.community_id, "cli", chat.clock.now(), max_uses=10**20)
    assert create_code(chat.store, chat.community_id, "cli", chat.clock.now(),
                       max_uses=2**31 - 1).max_uses == 2**31 - 1  # fmt: skip


def test_a_code_typed_on_a_full_width_keyboard_opens_the_door(chat: Chat) -> None:
    """A poster's SPRING-26 typed in a Chinese IME's full-width mode was 'no invite code'."""
    screening(chat, CODE, chinese=True)
    create_code(chat.store, chat.community_id, "cli", chat.clock.now(), code="SPRING-26")
    mei = TestClient(chat.app)
    assert join(mei, chat.codes[0], "Mei", invite_code="ｓｐｒｉｎｇ－２６").status_code == 303
    made = create_code(chat.store, chat.community_id, "cli", chat.clock.now(), code="ＴＥＡ１")
    assert made.code == "TEA1"  # staff typing full-width make the code people will type


def test_a_code_with_invisible_characters_is_read_without_them(chat: Chat) -> None:
    """A code copied from a chat with a zero-width space in it was 'no invite code', and a
    refused code was shown as typed: a right-to-left override reversed the page's line."""
    screening(chat, CODE)
    create_code(chat.store, chat.community_id, "cli", chat.clock.now(), code="SPRING-26")
    mei = TestClient(chat.app)
    refused = join(mei, chat.codes[0], "Mei", invite_code="\u202e62-GNIRPS")
    assert refused.status_code == 403 and "no invite code “62-GNIRPS”" in refused.text
    assert "code “\u202e" not in refused.text  # (the form keeps what was typed, to correct)
    assert join(mei, chat.codes[0], "Mei", invite_code="SPRING\u200b-26").status_code == 303
