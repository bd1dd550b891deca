"""A strike given while `rules.strike_expiry: null` expires once a version restores an
expiry: open strikes are re-dated from when each was given, and `apply` says so. Before,
such a strike counted for ever (session 36's walk: the ladder still muted a member for a
strike given months before)."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.apply import apply_playbook
from hearthkeeper.assembly import runtime_for
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.store import Store
from tests.engine_setup import RULES, community
from tests.playbook_samples import MINIMAL

AD = "加我微信 abc12345 低价出货"
NEVER = MINIMAL + RULES + "  strike_expiry: null\n"
THIRTY_DAYS = MINIMAL + RULES + "  strike_expiry: 30d\n"


def test_restoring_the_expiry_lets_strikes_given_without_one_expire(
    store: Store, store_clock: FrozenClock
) -> None:
    first = apply_playbook(store, parse_playbook(NEVER), "staff")
    c = community(store, store_clock, parse_playbook(NEVER).playbook)
    assert c.runtime.community_id == first.community.id
    c.engine.process([c.events.message("spam", AD)])  # strike 1, never to expire
    c.engine.process([c.events.message("ann", AD)])
    store_clock.advance(timedelta(days=20))
    c.events.now += timedelta(days=20)
    c.engine.process([c.events.message("ann", AD + " 2", at=store_clock.now())])  # ann: 2
    store_clock.advance(timedelta(days=20))  # spam's strike is 40 days old, ann's 40 and 20
    c.events.now += timedelta(days=20)

    restored = apply_playbook(store, parse_playbook(THIRTY_DAYS), "staff")
    assert restored.warnings == (
        "rules.strike_expiry is now 30d (was null): 3 open strikes of 2 members now expire "
        "30d after each was given; 2 of them, given longer ago than that, no longer count.",
    )
    now = store_clock.now()
    assert store.live_strikes(c.runtime.community_id, c.member_id("spam"), now) == 0
    assert store.live_strikes(c.runtime.community_id, c.member_id("ann"), now) == 1
    c.engine.replace_runtime(runtime_for(store, parse_playbook(THIRTY_DAYS).playbook))
    c.restart()
    [again] = c.engine.process([c.events.message("spam", AD + " again", at=now)])
    kinds = [a.kind for a in again.actions]
    assert ActionKind.WARN in kinds and ActionKind.MUTE not in kinds  # a first strike again
    assert apply_playbook(store, parse_playbook(THIRTY_DAYS), "staff").warnings == ()


def test_dropping_the_expiry_says_the_open_strikes_never_expire_and_keeps_the_expired_out(
    store: Store, store_clock: FrozenClock
) -> None:
    apply_playbook(store, parse_playbook(THIRTY_DAYS), "staff")
    c = community(store, store_clock, parse_playbook(THIRTY_DAYS).playbook)
    c.engine.process([c.events.message("spam", AD)])
    store_clock.advance(timedelta(days=31))  # expired already: stays expired
    c.events.now += timedelta(days=31)
    c.engine.process([c.events.message("spam", AD + " 2", at=store_clock.now())])
    dropped = apply_playbook(store, parse_playbook(NEVER), "staff")
    assert dropped.warnings == (
        "rules.strike_expiry is now null (was 30d): 1 open strike of 1 member now never "
        "expires (counting until staff pardon it).",
    )
    later = store_clock.now() + timedelta(days=400)
    assert store.live_strikes(c.runtime.community_id, c.member_id("spam"), later) == 1


def test_a_running_engine_counts_the_re_dated_strikes_at_once(
    store: Store, store_clock: FrozenClock
) -> None:
    """The server that applies the version runs it (`replace_runtime`, as `Host.replace` and
    a followed version do) and counts the new expiries from its next batch: before, the
    strikes it held in memory, read a moment earlier, counted for up to a minute more."""
    apply_playbook(store, parse_playbook(NEVER), "staff")
    c = community(store, store_clock, parse_playbook(NEVER).playbook)
    c.engine.process([c.events.message("spam", AD)])  # a strike that never expires
    store_clock.advance(timedelta(days=40))
    c.events.now += timedelta(days=40)
    c.engine.process([c.events.message("spam", "早上好", at=store_clock.now())])  # held: 1
    restored = apply_playbook(store, parse_playbook(THIRTY_DAYS), "staff")
    assert "1 of them, given longer ago than that, no longer count" in restored.warnings[0]
    c.engine.replace_runtime(runtime_for(store, parse_playbook(THIRTY_DAYS).playbook))
    store_clock.advance(timedelta(seconds=5))
    [again] = c.engine.process([c.events.message("spam", AD + " again", at=store_clock.now())])
    kinds = [a.kind for a in again.actions]
    assert ActionKind.WARN in kinds and ActionKind.MUTE not in kinds  # a first strike again
