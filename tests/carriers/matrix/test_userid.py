"""The Matrix ID a newcomer types on the join page, checked against the specification's
grammar: what is wrong is said, in the community's language."""

from __future__ import annotations

import pytest

from hearthkeeper.carriers.matrix.userid import user_id_problem
from hearthkeeper.playbook.positioning import Language


@pytest.mark.parametrize("typed", [
    "@alice:matrix.org", "@a.b_c=d-e/f+g:example.org", "@Alice:matrix.org", "@bob:localhost:8448",
    "@x:[::1]", "@x:[2001:db8::1]:8448", "@x:192.168.0.1", "@!#$%&'()*,;<>?[]^`{|}~:x.org",
])  # fmt: skip
def test_ids_the_grammar_allows_are_taken(typed: str) -> None:
    assert user_id_problem(typed) is None


@pytest.mark.parametrize(("typed", "said"), [
    ("", "Type your Matrix ID"),
    ("alice", "starts with @"),
    ("alice:matrix.org", "starts with @"),
    ("@alice", "names no server"),
    ("@alice:", "names no server"),
    ("@:matrix.org", "your name between @ and the colon"),
    ("@ali ce:matrix.org", "' ' cannot be part of the name"),
    ("@阿丽:matrix.org", "“阿” cannot be part of the name"),
    ("@alice:matrix_org", "“matrix_org” is not a server name"),
    ("@alice:matrix.org:port", "“matrix.org:port” is not a server name"),
    ("@alice:matrix.org:123456", "is not a server name"),
    ("@alice:[not-v6]", "is not a server name"),
    ("@alice:[::1]x", "is not a server name"),
    ("@" + "a" * 250 + ":x.org", "at most 255 characters; this one has 257"),
])  # fmt: skip
def test_what_is_wrong_is_said(typed: str, said: str) -> None:
    problem = user_id_problem(typed)
    assert problem is not None and said in problem


def test_the_problem_is_said_in_the_community_language() -> None:
    assert user_id_problem("alice", Language.ZH_CN) == (
        "Matrix ID 以 @ 开头，例如 @alice:matrix.org；你填的是 “alice”。"
    )
