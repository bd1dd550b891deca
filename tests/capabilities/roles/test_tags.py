"""Member tags: self-service where allowed, values from the list only, staff tagging others;
`/me` shows a member's level, points, streak, titles and tags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.capabilities.roles.tags import Problem, Tagging, parse_tagging
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.engine.executor import Processed
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.mechanisms import TagSet
from hearthkeeper.store import Store
from tests.engine_setup import Community, community, playbook
from tests.playbook_samples import MINIMAL

DAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
TAGS = """\
mechanisms:
  tags:
    - {name: skin_type, values: [dry, oily, combination]}
    - {name: specialty, values: [nutrition, medicine], self_service: false}
    - {name: city}
"""
SETS = [TagSet(name="skin_type", values=["干皮", "油皮"]), TagSet(name="city"),
        TagSet(name="industry", values=["art and design", "law"])]  # fmt: skip


def said(processed: Sequence[Processed]) -> list[str]:
    return [a.text for p in processed for a in p.actions
            if a.kind in (ActionKind.REPLY, ActionKind.SEND) and a.text]  # fmt: skip


def say(c: Community, user: str, text: str, at: datetime) -> str:
    return said(c.engine.process([c.events.message(user, text, at=at)]))[0]


def tags_of(c: Community, user: str) -> list[str]:
    return [t.tag for t in c.store.member_tags(c.member_id(user))]


def test_a_tag_set_can_be_named_in_the_members_words_or_left_out() -> None:
    assert parse_tagging(SETS, "skin_type 油皮") == Tagging(SETS[0], ("油皮",))
    assert parse_tagging(SETS, "肤质 油皮") == Tagging(SETS[0], ("油皮",))
    assert parse_tagging(SETS, "油皮") == Tagging(SETS[0], ("油皮",))
    assert parse_tagging(SETS, "art and design") == Tagging(SETS[2], ("art and design",))
    assert parse_tagging(SETS, "city New York, Boston") == Tagging(SETS[1], ("New York", "Boston"))
    assert parse_tagging(SETS, "skin_type 超级油皮") == Problem("bad_value", SETS[0], "超级油皮")
    assert parse_tagging(SETS, "skin_type") == Problem("usage", SETS[0])
    assert parse_tagging(SETS, "") == Problem("usage")
    assert parse_tagging(SETS, "city " + "x" * 80).key == "too_long"  # type: ignore[union-attr]
    assert parse_tagging(SETS, "city", clearing=True) == Tagging(SETS[1], ())


def test_members_tag_themselves_from_the_allowed_values(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(TAGS))
    assert say(c, "mei", "/tag skin_type Oily", DAY) == "🏷 mei's skin_type: oily"
    assert say(c, "mei", "/tag combination", DAY + timedelta(minutes=1)) == (
        "🏷 mei's skin_type: combination"
    )
    assert tags_of(c, "mei") == ["skin_type:combination"], "one skin type replaces the other"
    assert say(c, "mei", "/tag skin_type greasy", DAY + timedelta(minutes=2)) == (
        "/tag: skin_type has no such value; choose from: dry, oily, combination"
    )
    assert (
        say(c, "mei", "/tag city Hangzhou", DAY + timedelta(minutes=3)) == "🏷 mei's city: Hangzhou"
    )
    assert say(c, "mei", "/untag city", DAY + timedelta(minutes=4)) == "🏷 Cleared mei's city tag."
    assert tags_of(c, "mei") == ["skin_type:combination"]


def test_a_members_tag_sent_as_a_qq_reply_tags_themselves(
    store: Store, store_clock: FrozenClock
) -> None:
    """QQ puts an @ of the replied-to member (or of the bot) into every reply: a member
    answering the bot's or a moderator's "what is your skin type?" with `/tag oily` was told
    "Only Creator, Manager can tag other members". Now that @ is the reply's, and the member
    tags themselves; an @ of someone else is still refused."""
    c = community(store, store_clock, playbook(TAGS))
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    store.join(store.member_for("fake", "boss", "boss").id, group.id, role="manager", at=DAY)
    c.engine.process([c.events.message("boss", "What is your skin type?", at=DAY,
                                       event_id="q-1")])  # fmt: skip

    def reply(user: str, text: str, minutes: int, **extra: object) -> list[str]:
        event = c.events.message(user, text, at=DAY + timedelta(minutes=minutes))
        return said(c.engine.process([replace(event, **extra)]))  # type: ignore[arg-type]

    assert reply("mei", "/tag oily", 1, reply_to="q-1", mentions=("boss",)) == [
        "🏷 mei's skin_type: oily"
    ]
    assert reply("bob", "/tag dry", 2, reply_to="bot-q", mentions=("hearth-bot",),
                 mentions_bot=True) == ["🏷 bob's skin_type: dry"]  # fmt: skip
    assert tags_of(c, "mei") == ["skin_type:oily"] and tags_of(c, "bob") == ["skin_type:dry"]
    assert reply("kim", "/tag oily", 3, reply_to="q-1", mentions=("mei",)) == [
        "Only Creator, Manager can tag other members."
    ]
    assert tags_of(c, "mei") == ["skin_type:oily"] and tags_of(c, "kim") == []


def test_staff_tag_others_and_members_cannot(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(TAGS))
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    store.join(store.member_for("fake", "boss", "boss").id, group.id, role="manager", at=DAY)
    say(c, "bob", "/tag dry", DAY)
    assert say(c, "mei", "/tag specialty nutrition", DAY + timedelta(minutes=1)) == (
        "The 'specialty' tag is set by Creator, Manager; ask them to add it."
    )
    assert say(c, "mei", "/tag @bob skin_type oily", DAY + timedelta(minutes=2)) == (
        "Only Creator, Manager can tag other members."
    )
    assert say(
        c, "boss", "/tag @mei specialty nutrition, medicine", DAY + timedelta(minutes=3)
    ) == ("🏷 mei's specialty: nutrition, medicine")
    assert tags_of(c, "mei") == ["specialty:medicine", "specialty:nutrition"]
    assert tags_of(c, "bob") == ["skin_type:dry"]
    assert "can't find the member you named" in say(
        c, "boss", "/tag @ghost city Paris", DAY + timedelta(minutes=4)
    )


def test_tag_without_arguments_lists_the_tags(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock, playbook(TAGS))
    assert say(c, "mei", "/tag", DAY).splitlines() == [
        "Usage: /tag <tag> <value> (e.g. /tag skin_type dry). Tags:",
        "· skin_type: dry, oily, combination",
        "· specialty: nutrition, medicine (set by staff)",
        "· city: any value",
    ]


def test_me_shows_level_points_streak_titles_and_tags(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock, playbook(TAGS + "  titles: [{name: Tea Master}]\n"))
    say(c, "mei", "check in", DAY)
    say(c, "mei", "/claim Tea Master", DAY + timedelta(minutes=1))
    say(c, "mei", "/tag oily", DAY + timedelta(minutes=2))
    assert say(c, "mei", "/me", DAY + timedelta(minutes=3)).splitlines() == [
        "👤 mei",
        "Level: Newcomer",
        "Towards Member: messages 3/10, active days 1/3",
        "Points: 1",
        "Check-in streak: 1 day",
        "Titles: Tea Master",
        "Tags: skin_type oily",
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_chinese_members_use_chinese_commands(store: Store, store_clock: FrozenClock) -> None:
    extra = "mechanisms:\n  tags:\n    - {name: skin_type, values: [干皮, 油皮]}\n"
    pb = parse_playbook(MINIMAL.replace("language: en", "language: zh-CN") + extra).playbook
    c = community(store, store_clock, pb)
    assert say(c, "小鹿", "/标签 肤质 油皮", DAY) == "🏷 小鹿 的 skin_type：油皮"
    assert tags_of(c, "小鹿") == ["skin_type:油皮"]
    assert (
        say(c, "小鹿", "/我的", DAY + timedelta(minutes=1)).splitlines()[-1]
        == "标签：skin_type 油皮"
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_tag_value_is_kept_and_shown_without_hidden_characters(
    store: Store, store_clock: FrozenClock
) -> None:
    """A free value (city) was stored and shown with a right-to-left override or zero-width
    space in it: every `/me` and expert list showed a reversed line; a value not on the list
    was echoed whole, then 40 characters of it (an ad the bot repeated under its name), then
    a short one (`找我代购` is short): the value typed is never repeated now."""
    c = community(store, store_clock, playbook(TAGS))
    assert say(c, "mei", "/tag city \u202euohzgnaH\u200b", DAY) == "🏷 mei's city: uohzgnaH"
    assert tags_of(c, "mei") == ["city:uohzgnaH"]
    refused = say(c, "mei", "/tag skin_type \u202e" + "y" * 300, DAY + timedelta(minutes=1))
    assert refused == "/tag: skin_type has no such value; choose from: dry, oily, combination"
    typo = say(c, "mei", "/tag skin_type oilly", DAY + timedelta(minutes=2))
    assert typo == "/tag: skin_type has no such value; choose from: dry, oily, combination"
    pitch = say(c, "mei", "/tag skin_type 找我代购", DAY + timedelta(minutes=3))
    assert pitch == "/tag: skin_type has no such value; choose from: dry, oily, combination"


def test_a_name_two_members_carry_tags_nobody(store: Store, store_clock: FrozenClock) -> None:
    """`/tag @Alex …` with two members called Alex tagged the newest; now it tags nobody and
    says the name is two members' (as `/ban @Alex` does); an @-mention tags the one meant."""
    c = community(store, store_clock, playbook(TAGS))
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    store.join(store.member_for("fake", "boss", "boss").id, group.id, role="manager", at=DAY)
    c.engine.process([c.events.message("u7", "hi", name="Alex", at=DAY)])
    c.engine.process([c.events.message("u8", "hello", name="Alex", at=DAY + timedelta(minutes=5))])
    assert say(c, "boss", "/tag @Alex city Paris", DAY + timedelta(minutes=6)) == (
        "The name you typed is the name of 2 members here: nothing was done to anyone. Reply "
        "to a message of the one you mean with the command (or @-mention them by picking them "
        "in the chat).\n1. last posted 2026-05-01 09:05\n2. last posted 2026-05-01 09:00"
    )
    assert tags_of(c, "u7") == [] and tags_of(c, "u8") == []
    mention = c.events.message("boss", "/tag city Paris", at=DAY + timedelta(minutes=7),
                               mentions=("u7",))  # fmt: skip
    assert said(c.engine.process([mention])) == ["🏷 Alex's city: Paris"]
    assert tags_of(c, "u7") == ["city:Paris"] and tags_of(c, "u8") == []


def test_a_tag_replying_to_one_member_and_naming_another_tags_nobody(
    store: Store, store_clock: FrozenClock
) -> None:
    """`/tag @bob city Paris` sent as a reply to mei's message tagged bob; now nobody is
    tagged and staff read both names. Naming the replied-to member tags them."""
    c = community(store, store_clock, playbook(TAGS))
    group = store.add_group(c.runtime.community_id, "g1", "fake", "g1")
    store.join(store.member_for("fake", "boss", "boss").id, group.id, role="manager", at=DAY)
    c.engine.process([c.events.message("mei", "hi", at=DAY, event_id="m-1")])
    c.engine.process([c.events.message("bob", "hello", at=DAY + timedelta(minutes=1))])
    crossed = replace(c.events.message("boss", "/tag @bob city Paris",
                                       at=DAY + timedelta(minutes=2)), reply_to="m-1")  # fmt: skip
    [answer] = said(c.engine.process([crossed]))
    assert answer.startswith("You replied to a message of mei but typed a name that is not")
    assert tags_of(c, "mei") == [] and tags_of(c, "bob") == []
    meant = replace(c.events.message("boss", "/tag @MEI city Paris",
                                     at=DAY + timedelta(minutes=3)), reply_to="m-1")  # fmt: skip
    assert said(c.engine.process([meant])) == ["🏷 mei's city: Paris"]
    assert tags_of(c, "mei") == ["city:Paris"] and tags_of(c, "bob") == []
