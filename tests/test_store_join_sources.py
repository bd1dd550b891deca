"""The link token a person came by, kept in the store until their join (`join_sources`), on
SQLite and PostgreSQL: a join takes it once (the same join read again finds it again, a
later join does not), a newer link replaces it, a refusal forgets it, and one nobody took is
forgotten after two weeks."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from hearthkeeper.store.join_sources import KEPT, SqlJoinSources

ROOM = "!tea:example.org"


def test_a_join_takes_the_kept_token_once(store: Store, store_clock: FrozenClock) -> None:
    sources = SqlJoinSources.on(store)
    now = store_clock.now()
    sources.remember("matrix", ROOM, "@mei:x", "code:poster", now)
    assert sources.take("matrix", ROOM, "@lan:x", "$lan", now) is None  # someone else
    assert sources.take("matrix", "!other:x", "@mei:x", "$mei", now) is None  # another room
    assert sources.take("matrix", ROOM, "@mei:x", "$mei", now) == "code:poster"
    assert sources.take("matrix", ROOM, "@mei:x", "$mei", now) == "code:poster"  # read again
    later = now + timedelta(days=1)
    assert sources.take("matrix", ROOM, "@mei:x", "$mei-again", later) is None  # left, came back

    sources.remember("matrix", ROOM, "@mei:x", "ref:abc", later)  # a new link, a new invitation
    assert sources.take("matrix", ROOM, "@mei:x", "$mei-third", later) == "ref:abc"


def test_a_newer_link_replaces_the_kept_one_and_a_refusal_forgets_it(
    store: Store, store_clock: FrozenClock
) -> None:
    sources = SqlJoinSources.on(store)
    now = store_clock.now()
    sources.remember("telegram", "-100", "42", "code:poster", now)
    sources.remember("telegram", "-100", "42", "code:partner", now)
    assert sources.kept("telegram", "-100", "42") == "code:partner"
    sources.forget("telegram", "-100", "42")
    assert sources.take("telegram", "-100", "42", "join-1", now) is None


def test_a_token_nobody_took_is_forgotten_after_two_weeks(
    store: Store, store_clock: FrozenClock
) -> None:
    sources = SqlJoinSources.on(store)
    now = store_clock.now()
    sources.remember("matrix", ROOM, "@mei:x", "code:poster", now)
    sources.remember("matrix", ROOM, "@lan:x", "code:poster", now)
    assert sources.take("matrix", ROOM, "@mei:x", "$mei", now + KEPT) is None  # too late
    assert (
        sources.take("matrix", ROOM, "@lan:x", "$lan", now + KEPT - timedelta(1)) == "code:poster"
    )
    sources.remember("matrix", ROOM, "@bo:x", "code:poster", now + KEPT)  # clears the old ones
    assert sources.kept("matrix", ROOM, "@mei:x") is None


def test_withdrawing_hands_back_only_a_token_still_waiting_for_a_join(
    store: Store, store_clock: FrozenClock
) -> None:
    """A refusal sets aside what `withdraw` hands back: the token still waiting for the
    person's join; one a join took, or past its two weeks, would have credited nothing."""
    sources = SqlJoinSources.on(store)
    now = store_clock.now()
    sources.remember("matrix", ROOM, "@mei:x", "code:poster", now)
    sources.remember("matrix", ROOM, "@lan:x", "ref:abc", now)
    sources.take("matrix", ROOM, "@lan:x", "$lan", now)
    sources.remember("matrix", "!old:x", "@mei:x", "ref:old", now - KEPT - timedelta(minutes=1))
    assert sources.withdraw("matrix", ROOM, "@mei:x", now) == "code:poster"
    assert sources.withdraw("matrix", ROOM, "@lan:x", now) is None
    assert sources.withdraw("matrix", "!old:x", "@mei:x", now) is None
    assert sources.withdraw("matrix", ROOM, "@ann:x", now) is None
    assert sources.kept("matrix", ROOM, "@mei:x") is None  # forgotten all the same
    assert sources.take("matrix", ROOM, "@lan:x", "$lan", now) is None


def test_a_join_that_did_not_happen_gives_the_token_back(
    store: Store, store_clock: FrozenClock
) -> None:
    """An approval that found every group full took the token for a join that never was:
    given back, it waits for the person's next join, until its time is up."""
    sources = SqlJoinSources.on(store)
    now = store_clock.now()
    sources.remember("webchat", "tea-1", "w-mei", "ref-ann", now)
    assert sources.take("webchat", "tea-1", "w-mei", "approve:7", now) == "ref-ann"
    assert sources.waiting("webchat", "tea-1", "w-mei", now) is None
    sources.give_back("webchat", "tea-1", "w-mei", "another join")  # not the one that took it
    assert sources.waiting("webchat", "tea-1", "w-mei", now) is None
    sources.give_back("webchat", "tea-1", "w-mei", "approve:7")
    assert sources.waiting("webchat", "tea-1", "w-mei", now) == "ref-ann"
    assert sources.waiting("webchat", "tea-1", "w-mei", now + KEPT) is None  # past its time
