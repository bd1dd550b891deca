"""Operators, console sessions and API tokens in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store, StoreError


def test_operators_are_added_listed_and_found_by_exact_name(store: Store) -> None:
    mei = store.add_operator("mei.lin", "$argon2id$one")
    store.add_operator("ops-bot_2", "$argon2id$two")
    assert [o.username for o in store.list_operators()] == ["mei.lin", "ops-bot_2"]
    assert store.operator_by_name("mei.lin") == mei and store.get_operator(mei.id) == mei
    assert store.operator_by_name("MEI.LIN") is None
    assert store.operator_password_hash("mei.lin") == "$argon2id$one"
    assert store.operator_password_hash("nobody") is None
    assert mei.last_sign_in_at is None and not mei.disabled


def test_a_duplicate_username_is_refused_readably(store: Store) -> None:
    store.add_operator("mei", "$argon2id$one")
    with pytest.raises(StoreError, match="an operator named 'mei' already exists"):
        store.add_operator("mei", "$argon2id$two")
    assert store.operator_password_hash("mei") == "$argon2id$one"


@pytest.mark.parametrize("name", ["", "a" * 65, "mei lin", "梅", "mei/lin", "mei@example"])
def test_usernames_are_letters_digits_dots_dashes_underscores(store: Store, name: str) -> None:
    with pytest.raises(StoreError, match="use 1 to 64 letters"):
        store.add_operator(name, "$argon2id$x")
    assert store.list_operators() == []


def test_a_new_password_replaces_the_old_and_ends_sessions(
    store: Store, store_clock: FrozenClock
) -> None:
    mei = store.add_operator("mei", "$argon2id$old")
    store.create_session(mei.id, "h1", "csrf1", store_clock.now() + timedelta(hours=1))
    store.set_operator_password("mei", "$argon2id$new")
    assert store.operator_password_hash("mei") == "$argon2id$new"
    assert store.session_for("h1", store_clock.now()) is None
    with pytest.raises(StoreError, match="no operator named 'nobody'"):
        store.set_operator_password("nobody", "$argon2id$x")


def test_a_rehash_can_keep_the_sessions(store: Store, store_clock: FrozenClock) -> None:
    mei = store.add_operator("mei", "$argon2id$old")
    store.create_session(mei.id, "h1", "csrf1", store_clock.now() + timedelta(hours=1))
    store.set_operator_password("mei", "$argon2id$stronger", end_sessions=False)
    assert store.session_for("h1", store_clock.now()) is not None


def test_sessions_are_found_until_they_expire_and_then_swept(
    store: Store, store_clock: FrozenClock
) -> None:
    mei = store.add_operator("mei", "$argon2id$x")
    now = store_clock.now()
    made = store.create_session(mei.id, "hash-a", "csrf-a", now + timedelta(hours=12))
    store.create_session(mei.id, "hash-b", "csrf-b", now + timedelta(hours=1))
    found = store.session_for("hash-a", now)
    assert found == made and found.csrf_token == "csrf-a" and found.operator.username == "mei"
    assert found.operator.last_sign_in_at == now
    assert store.session_for("unknown", now) is None
    later = now + timedelta(hours=2)
    assert store.session_for("hash-b", later) is None
    assert store.delete_expired_sessions(later) == 1
    assert store.session_for("hash-a", later) is not None
    assert store.delete_session("hash-a") and not store.delete_session("hash-a")
    assert store.session_for("hash-a", later) is None


def test_a_disabled_operator_has_no_sessions_or_tokens(
    store: Store, store_clock: FrozenClock
) -> None:
    mei = store.add_operator("mei", "$argon2id$x")
    store.create_session(mei.id, "h", "c", store_clock.now() + timedelta(hours=1))
    store.add_api_token(mei.id, "script", "token-hash")
    assert store.set_operator_disabled("mei", True).disabled
    assert store.session_for("h", store_clock.now()) is None
    assert store.api_token_for("token-hash") is None
    store.set_operator_disabled("mei", False)
    assert store.api_token_for("token-hash") is not None
    assert store.session_for("h", store_clock.now()) is None, "disabling ended the session"


def test_api_tokens_are_found_by_hash_until_revoked(store: Store, store_clock: FrozenClock) -> None:
    mei = store.add_operator("mei", "$argon2id$x")
    token = store.add_api_token(mei.id, "  weekly report  ", "hash-1")
    assert token.name == "weekly report" and token.operator.username == "mei"
    assert store.api_token_for("hash-1") == token
    assert store.api_token_for("hash-2") is None
    revoked = store.revoke_api_token(token.id, store_clock.now())
    assert revoked.revoked_at == store_clock.now()
    assert store.api_token_for("hash-1") is None
    assert [t.id for t in store.api_tokens()] == [token.id]
    assert store.api_tokens(include_revoked=False) == []
    with pytest.raises(StoreError, match="already revoked"):
        store.revoke_api_token(token.id, store_clock.now())
    with pytest.raises(StoreError, match="no API token with id 999"):
        store.revoke_api_token(999, store_clock.now())


def test_a_token_needs_a_name_and_a_real_operator(store: Store) -> None:
    mei = store.add_operator("mei", "$argon2id$x")
    with pytest.raises(StoreError, match="a token's name is 1 to 200 characters"):
        store.add_api_token(mei.id, "   ", "h")
    with pytest.raises(StoreError, match="no operator with id 999"):
        store.add_api_token(999, "script", "h")


def test_a_tokens_use_is_written_at_most_once_a_minute(
    store: Store, store_clock: FrozenClock
) -> None:
    mei = store.add_operator("mei", "$argon2id$x")
    token = store.add_api_token(mei.id, "script", "hash-1")
    now = store_clock.now()
    assert store.touch_api_token(token.id, now)
    assert not store.touch_api_token(token.id, now + timedelta(seconds=30))
    found = store.api_token_for("hash-1")
    assert found is not None and found.last_used_at == now
    assert store.touch_api_token(token.id, now + timedelta(seconds=61))
    found = store.api_token_for("hash-1")
    assert found is not None and found.last_used_at == now + timedelta(seconds=61)
