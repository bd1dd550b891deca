"""An ad put in by editing a message: judged as a message of its sender, acted on the message."""

from __future__ import annotations

import asyncio

import pytest

from hearthkeeper.assembly import runtime_for
from hearthkeeper.capabilities.moderation.staff import not_an_ad, pardon
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.store import Store
from tests.engine_setup import community, playbook

AD = "加我微信 abc12345 低价出货"


def _kinds(processed: list) -> list[list[ActionKind]]:  # type: ignore[type-arg]
    return [[a.kind for a in p.actions] for p in processed]


def test_a_message_edited_into_an_ad_is_deleted_struck_and_the_member_told(
    store: Store, store_clock: FrozenClock
) -> None:
    """`hi all`, then edited into an ad: moderation read an edit only for the sender's name,
    and the ad stayed in the group. Now the message edited is deleted, the strike written
    and the member warned as for an ad posted; an edit that says nothing wrong is left be."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("ann", "hi all", event_id="m1"),
                      c.events.message("ann", "good morning everyone", event_id="m2")])  # fmt: skip
    [clean] = c.engine.process([c.events.edit("ann", "m2", "good morning everyone, tea at 4?")])
    assert clean.actions == ()
    [edited] = c.engine.process([c.events.edit("ann", "m1", AD)])
    deleted = [a for a in edited.actions if a.kind is ActionKind.DELETE]
    assert [a.target for a in deleted] == ["m1"]
    assert {ActionKind.STRIKE, ActionKind.WARN} <= {a.kind for a in edited.actions}
    asyncio.run(c.engine.drain())
    performed = {p.action.kind: p.action for p in c.carrier.performed}
    assert performed[ActionKind.DELETE].target == "m1"
    assert "Strike 1" in (performed[ActionKind.WARN].text or "")
    [strike] = store.strikes(member_id=c.member_id("ann"))
    assert strike.violation == "advertising"
    assert "edited into" in strike.explanation and "abc12345" in strike.explanation
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    kept = {m.carrier_event_id: m for m in store.messages(group.id)}
    assert kept["m1"].deleted_at is not None and kept["m2"].deleted_at is None
    # what staff see deleted is the ad, not `hi all`; a message kept reads as edited
    assert (kept["m1"].text, kept["m2"].text) == (AD, "good morning everyone, tea at 4?")
    # the strike names the message edited: a pardon teaches the scorer its text as chat
    pardon(store, strike.id, "manager", store_clock.now(), tell=False)
    assert [e.text for e in store.moderation_examples()] == [AD]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_message_costs_one_strike_however_often_it_is_edited(
    store: Store, store_clock: FrozenClock
) -> None:
    """Edited into an ad, then into another before the deletion took: deleted again, struck
    once. A message already deleted is nothing to judge when an edit of it arrives late."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("ann", "hi all", event_id="m1")])
    first, again = c.engine.process([c.events.edit("ann", "m1", AD),
                                     c.events.edit("ann", "m1", f"{AD} 真的")])  # fmt: skip
    assert ActionKind.STRIKE in _kinds([first])[0]
    assert _kinds([again]) == [[ActionKind.DELETE]]
    [late] = c.engine.process([c.events.edit("ann", "m1", f"{AD} 最后")])
    assert late.actions == ()
    assert len(store.strikes(member_id=c.member_id("ann"))) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_one_text_edited_into_many_messages_is_repeated_text_a_mended_typo_is_not(
    store: Store, store_clock: FrozenClock
) -> None:
    """Each edit counts its message once towards repeated text: the same words edited into
    four messages are the text four times; one message mended four times is not."""
    c = community(store, store_clock, scorer=None)  # the repeat window alone
    said = "see you all at the river tonight"
    c.engine.process([c.events.message("ann", f"note {n} of the day", event_id=f"a{n}")
                      for n in range(4)])  # fmt: skip
    spread = c.engine.process([c.events.edit("ann", f"a{n}", said) for n in range(4)])
    assert [a.violation for r in spread for a in r.actions if a.violation][:1] == ["repeated_text"]
    assert ActionKind.DELETE in _kinds(spread)[-1]
    c.engine.process([c.events.message("bob", "meet at the river at eight", event_id="b1")])
    mended = c.engine.process([
        c.events.edit("bob", "b1", text)
        for text in ("meet at the river at 8", "meet at the river at 8!", "Meet at the river at 8",
                     "meet at the river at 8.", "meet at the river at 8 :)")
    ])  # fmt: skip
    assert all(r.actions == () for r in mended)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_staff_editing_in_an_ad_are_not_struck_and_an_edit_of_anothers_message_is_its_own(
    store: Store, store_clock: FrozenClock
) -> None:
    """Staff are judged as for a message (alerted, never struck). An edit naming someone
    else's message (Matrix lets anyone send one; clients show only the author's) deletes the
    edit, not their message."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("boss", "hello", event_id="s1"),
                      c.events.message("kim", "lovely weather", event_id="k1")])  # fmt: skip
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.join(c.member_id("boss"), group.id, role="manager")
    c.restart()
    [staff] = c.engine.process([c.events.edit("boss", "s1", AD)])
    assert ActionKind.STRIKE not in _kinds([staff])[0]
    forged = c.events.edit("mallory", "k1", AD)
    [done] = c.engine.process([forged])
    assert [a.target for a in done.actions if a.kind is ActionKind.DELETE] == [forged.event_id]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_staff_alerted_about_an_edit_find_the_message_edited(
    store: Store, store_clock: FrozenClock
) -> None:
    """An alert about what a message was edited into names that message: 'Not an ad' on it
    teaches the scorer the text as edited (keyed by the edit, it named no message and was
    refused)."""
    alerting = playbook(
        "  violations:\n    advertising:\n      response: alert\n"
        "    contact:\n      response: alert\n"
    )
    c = community(store, store_clock, alerting)
    c.engine.process([c.events.message("ann", "hi all", event_id="m1")])
    [edited] = c.engine.process([c.events.edit("ann", "m1", AD)])
    assert [a.kind for a in edited.actions] == [ActionKind.ALERT_STAFF]
    [alert] = [
        a for a in store.staff_alerts(c.runtime.community_id) if a.violation == "advertising"
    ]
    not_an_ad(store, alert.id, "manager", store_clock.now())
    assert [e.text for e in store.moderation_examples()] == [AD]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_muted_member_editing_is_deleted_as_a_post_would_be_without_a_new_strike(
    store: Store, store_clock: FrozenClock
) -> None:
    """The gate deleted a muted member's posts but never saw their edits: an ad edited in
    while muted cost a strike more (the ladder climbing from what they send while held).
    Now an edit by a muted member is deleted as their post would be, ad or not (muted, they
    may not change what the group reads either), with no strike; someone else's message
    their edit names is left be."""
    c = community(store, store_clock)
    c.engine.process([c.events.message("kim", "lovely weather", event_id="k1"),
                      c.events.message("ann", "hi all", event_id="a1"),
                      c.events.message("ann", "good morning", event_id="a2")])  # fmt: skip
    c.engine.process([c.events.message("ann", f"{AD} {n}") for n in range(2)])  # warn, then mute
    assert len(store.strikes(member_id=c.member_id("ann"))) == 2
    ad, clean = c.engine.process([c.events.edit("ann", "a1", AD),
                                  c.events.edit("ann", "a2", "good morning all")])  # fmt: skip
    assert [(a.kind, a.target) for a in ad.actions if a.kind is not ActionKind.REPLY] == [
        (ActionKind.DELETE, "a1")
    ]
    assert [(a.kind, a.target) for a in clean.actions if a.kind is not ActionKind.REPLY] == [
        (ActionKind.DELETE, "a2")
    ]
    assert len(store.strikes(member_id=c.member_id("ann"))) == 2  # no third: no kick
    forged = c.events.edit("ann", "k1", AD)
    [done] = c.engine.process([forged])
    assert [a.target for a in done.actions if a.kind is ActionKind.DELETE] == [forged.event_id]
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    kept = {m.carrier_event_id: m for m in store.messages(group.id)}
    assert kept["a1"].deleted_at is not None and kept["a2"].deleted_at is not None
    assert kept["k1"].deleted_at is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_message_struck_for_an_edit_is_not_struck_again_after_a_restart(
    store: Store, store_clock: FrozenClock
) -> None:
    """A rung that does not delete leaves the message struck for its edit in the group; the
    engine restarted (handlers' memory gone with it), a further edit of it costs no strike:
    the store says the message was struck."""
    c = community(store, store_clock, playbook("  ladder:\n    - at: 1\n      do: [warn]\n"))
    c.engine.process([c.events.message("ann", "hi all", event_id="m1")])
    [edited] = c.engine.process([c.events.edit("ann", "m1", AD)])
    assert ActionKind.STRIKE in _kinds([edited])[0]
    assert ActionKind.DELETE not in _kinds([edited])[0]
    c.runtime = runtime_for(store, c.runtime.playbook)  # a new process: new handlers too
    c.restart()
    [again] = c.engine.process([c.events.edit("ann", "m1", f"{AD} 真的")])
    assert ActionKind.STRIKE not in _kinds([again])[0]
    assert len(store.strikes(member_id=c.member_id("ann"))) == 1
