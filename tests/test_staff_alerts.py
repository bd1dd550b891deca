"""The staff inbox: every alert the engine raises for staff lands there once, until handled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import NewStaffAlert, Store, StoreError
from tests.capabilities.faq.test_faq import FAQ, ask
from tests.engine_setup import community, playbook

INSULT = "你就是个傻逼"


def test_an_alert_for_staff_lands_in_the_inbox_once_even_when_redelivered(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    event = c.events.message("angry", INSULT, name="Angry Bob")
    c.engine.process([event])
    [alert] = store.staff_alerts(c.runtime.community_id)
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    assert (alert.group_id, alert.member_id) == (group.id, c.member_id("angry"))
    assert alert.handler == "moderation" and alert.violation
    assert INSULT in alert.text and alert.reason
    assert alert.at == event.at and alert.handled_at is None
    c.engine.process([event])  # the carrier delivers it again
    c.restart().process([event])  # … and again after a restart
    assert len(store.staff_alerts(c.runtime.community_id, open_only=False)) == 1


def test_each_alert_of_a_batch_is_kept(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message(f"user{i}", f"{INSULT} {i}") for i in range(3)])
    alerts = store.staff_alerts(c.runtime.community_id)
    assert sorted(a.member_id or 0 for a in alerts) == sorted(
        c.member_id(f"user{i}") for i in range(3)
    )
    assert len({a.key for a in alerts}) == 3


def test_an_unanswered_question_alert_from_scheduled_work_lands_in_the_inbox(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(FAQ))
    ask(c, "mei", "is there parking near the tasting room in Leeds?", name="Mei")
    store_clock.advance(timedelta(minutes=30))
    assert c.engine.tick() == 1
    [alert] = store.staff_alerts(c.runtime.community_id)
    assert alert.handler == "faq" and "Leeds" in alert.text
    assert alert.reason == "a member's question nobody answered"


def test_handling_an_alert_takes_it_out_of_the_open_inbox(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.message("angry", INSULT), c.events.message("rude", INSULT + "!")])
    first, second = store.staff_alerts(c.runtime.community_id)
    handled = store.handle_alert(first.id, "mei", store_clock.now())
    assert handled.handled_by == "mei" and handled.handled_at == store_clock.now()
    assert [a.id for a in store.staff_alerts(c.runtime.community_id)] == [second.id]
    everything = store.staff_alerts(c.runtime.community_id, open_only=False)
    assert {a.id for a in everything} == {first.id, second.id}
    assert store.get_staff_alert(first.id) == handled
    with pytest.raises(StoreError, match=f"alert {first.id} was already handled by mei"):
        store.handle_alert(first.id, "li", store_clock.now())
    with pytest.raises(StoreError, match="no staff alert with id 999"):
        store.handle_alert(999, "li", store_clock.now())


def test_alerts_are_kept_once_per_key_newest_first(store: Store, store_clock: FrozenClock) -> None:
    community_id = store.ensure_community("tea", "Tea").id
    now = store_clock.now()

    def alert(key: str, minutes: int) -> NewStaffAlert:
        return NewStaffAlert(key, community_id, None, None, None, "faq", f"text {key}", "why",
                             now + timedelta(minutes=minutes))  # fmt: skip

    assert store.add_staff_alerts([alert("a", 0), alert("b", 5)]) == 2
    assert store.add_staff_alerts([alert("b", 5), alert("c", 9)]) == 1
    assert [a.key for a in store.staff_alerts(community_id)] == ["c", "b", "a"]
    assert [a.key for a in store.staff_alerts(community_id, limit=1)] == ["c"]
    assert store.staff_alerts(community_id + 1) == []
