"""Passwords are kept as argon2 hashes and checked without ever failing loudly."""

from __future__ import annotations

from argon2 import PasswordHasher

from hearthkeeper.web.auth import (
    hash_password,
    needs_rehash,
    same_token,
    token_hash,
    verify_password,
)


def test_a_password_verifies_against_its_hash_and_nothing_else() -> None:
    stored = hash_password("绿茶 and oolong")
    assert stored.startswith("$argon2id$") and "oolong" not in stored
    assert verify_password(stored, "绿茶 and oolong")
    assert not verify_password(stored, "绿茶 and Oolong")
    assert not verify_password(stored, "")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("tea") != hash_password("tea")


def test_a_malformed_or_empty_hash_is_a_mismatch_not_an_error() -> None:
    for broken in ("", "plain text", "$argon2id$v=19$m=oops", "$2b$12$notargon"):
        assert verify_password(broken, "tea") is False
        assert needs_rehash(broken) is False


def test_a_hash_made_with_weaker_parameters_needs_a_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("tea")
    assert verify_password(weak, "tea")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("tea"))


def test_tokens_are_compared_whole_and_kept_only_as_a_digest() -> None:
    assert same_token("abc", "abc")
    assert not same_token("abc", "abd") and not same_token("", "") and not same_token(None, "x")
    assert len(token_hash("abc")) == 64 and token_hash("abc") != "abc"
