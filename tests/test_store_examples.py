"""Moderation examples on SQLite and PostgreSQL: each decision kept once, per community, read
back in order and from a mark on; a strike's message found from its event."""

from __future__ import annotations

import pytest

from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import ExampleSource, Store, StoreError


def test_a_decision_is_kept_once_and_read_back_per_community(
    store: Store, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    skincare = store.ensure_community("skincare", "Skin care circle")
    running = store.ensure_community("running", "Night runs")
    ann = store.member_for("wechat", "wx-ann", "Ann")

    assert store.add_moderation_example(skincare.id, "面膜团购 私聊我", ExampleSource.STAFF_DELETE,
                                        "message:7", "console:li", now, member_id=ann.id)  # fmt: skip
    # The same decision retried (a double click, a second API call) is not a second example.
    assert not store.add_moderation_example(skincare.id, "面膜团购 私聊我",
                                            ExampleSource.STAFF_DELETE, "message:7", "api:li", now)  # fmt: skip
    # Another decision on the same message is one more example (a pardon after all).
    assert store.add_moderation_example(skincare.id, "面膜团购 私聊我", ExampleSource.PARDON,
                                        "message:7", "console:li", now)  # fmt: skip
    assert store.add_moderation_example(running.id, "今晚跑十公里", ExampleSource.PARDON,
                                        "message:9", "cli", now)  # fmt: skip

    kept = store.moderation_examples(community_id=skincare.id)
    assert [(e.text, e.is_spam, e.source) for e in kept] == [
        ("面膜团购 私聊我", True, ExampleSource.STAFF_DELETE),
        ("面膜团购 私聊我", False, ExampleSource.PARDON),
    ]
    assert kept[0].member_id == ann.id and kept[0].actor == "console:li"
    everything = store.moderation_examples()
    assert [e.community_id for e in everything] == [skincare.id, skincare.id, running.id]
    assert [e.text for e in store.moderation_examples(after=everything[1].id)] == ["今晚跑十公里"]


def test_a_blank_text_is_nothing_to_learn_and_a_missing_community_is_refused(
    store: Store, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    skincare = store.ensure_community("skincare", "Skin care circle")

    assert not store.add_moderation_example(skincare.id, "  \n", ExampleSource.STAFF_BAN,
                                            "message:1", "console:li", now)  # fmt: skip
    with pytest.raises(StoreError, match="community 999"):
        store.add_moderation_example(999, "加我", ExampleSource.STAFF_BAN, "message:1", "x", now)
    assert store.moderation_examples() == []


def test_the_message_of_a_strike_is_found_from_its_event(
    store: Store, store_clock: FrozenClock
) -> None:
    now = store_clock.now()
    skincare = store.ensure_community("skincare", "Skin care circle")
    morning = store.add_group(skincare.id, "Morning pack", "wechat", "g-1")
    evening = store.add_group(skincare.id, "Evening pack", "wechat", "g-2")
    ann = store.member_for("wechat", "wx-ann", "Ann")
    # The same carrier event id in two groups: the event's group decides which message.
    store.record_message(morning.id, "m-1", ann.id, "text", "早上好", now)
    store.record_message(evening.id, "m-1", ann.id, "text", "加我领福利", now)
    event_id, _ = store.record_event(evening.id, "m-1", "message", ann.id, now)
    lone_event, _ = store.record_event(evening.id, "j-1", "join", ann.id, now)

    message = store.message_of_event(event_id)
    assert message is not None and message.text == "加我领福利"
    assert store.message_of_event(lone_event) is None
