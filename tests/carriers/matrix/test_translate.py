"""Raw Matrix events become the engine's events."""

from __future__ import annotations

import dataclasses
from typing import Any

from hearthkeeper.carriers.matrix.translate import BotIdentity, strip_reply_fallback, translate
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.events import Edit, Join, JoinMethod, Leave, Message, Reaction, Rename
from hearthkeeper.store import Store
from tests.engine_setup import community

BOT = BotIdentity(user_id="@hearth:localhost", display_name="Hearth")
ROOM = "!room:localhost"


def raw(type: str = "m.room.message", content: dict[str, Any] | None = None, *,
        sender: str = "@alice:localhost", event_id: str = "$e1", **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"type": type, "sender": sender, "event_id": event_id,
            "origin_server_ts": 1_700_000_000_000, "content": content or {}, **extra}  # fmt: skip


def text(body: str, **content: Any) -> dict[str, Any]:
    return raw(content={"msgtype": "m.text", "body": body, **content})


def test_a_text_message_keeps_its_ids_time_and_text() -> None:
    event = translate(ROOM, text("hello"), BOT)
    assert isinstance(event, Message)
    assert (event.carrier, event.group, event.event_id) == ("matrix", ROOM, "$e1")
    assert event.sender.user_id == "@alice:localhost"
    assert event.text == "hello" and event.kind == "text" and not event.mentions_bot
    assert event.at.year == 2023 and event.at.tzinfo is not None


def test_a_reply_names_the_message_and_loses_the_quoted_fallback() -> None:
    body = "> <@bob:localhost> where is the doc?\n> second line\n\nin the pinned post"
    event = translate(
        ROOM, text(body, **{"m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}}), BOT
    )
    assert isinstance(event, Message)
    assert event.reply_to == "$q" and event.text == "in the pinned post"


def test_a_quote_without_reply_is_left_alone() -> None:
    assert strip_reply_fallback("> a quote\nmine") == "> a quote\nmine"
    event = translate(ROOM, text("> a quote\n\nmine"), BOT)
    assert isinstance(event, Message) and event.text == "> a quote\n\nmine"


def test_mentions_come_from_intentional_mentions_and_pills() -> None:
    html = '<a href="https://matrix.to/#/@carol:localhost">Carol</a> hi'
    event = translate(ROOM, text("Carol hi", formatted_body=html, format="org.matrix.custom.html",
                                 **{"m.mentions": {"user_ids": ["@dan:localhost"]}}), BOT)  # fmt: skip
    assert isinstance(event, Message)
    assert event.mentions == ("@dan:localhost", "@carol:localhost") and not event.mentions_bot


def test_a_pill_says_the_words_standing_for_the_member_picked() -> None:
    """`/mute <pill> 1h`: the body says the picked member's display name where staff typed
    nothing; the event names those words so a command reads past them to the length."""
    html = '/mute <a href="https://matrix.to/#/@alice:localhost">Alice &amp; Co</a> 1h spam'
    event = translate(ROOM, text("/mute Alice & Co 1h spam", formatted_body=html,
                                 format="org.matrix.custom.html"), BOT)  # fmt: skip
    assert isinstance(event, Message)
    assert event.mentions == ("@alice:localhost",) and event.mention_texts == ("Alice & Co",)
    plain = translate(ROOM, text("/mute @alice:localhost 1h"), BOT)
    assert isinstance(plain, Message) and plain.mention_texts == ()


def test_the_bot_is_mentioned_by_id_pill_or_display_name() -> None:
    by_mention = text("hi", **{"m.mentions": {"user_ids": [BOT.user_id]}})
    by_typed_id = text("@hearth:localhost what time is it")
    by_name = text("hearth: what time is it")
    not_a_word = text("hearthstone tonight?")
    for event, expected in ((by_mention, True), (by_typed_id, True), (by_name, True),
                            (not_a_word, False)):  # fmt: skip
        translated = translate(ROOM, event, BOT)
        assert isinstance(translated, Message) and translated.mentions_bot is expected, event


def test_an_image_is_a_picture_with_its_attachment() -> None:
    event = translate(ROOM, raw(content={"msgtype": "m.image", "body": "ad.png",
                                         "url": "mxc://localhost/abc",
                                         "info": {"size": 1234, "mimetype": "image/png"}}), BOT)  # fmt: skip
    assert isinstance(event, Message) and event.kind == "picture" and event.text == ""
    (picture,) = event.attachments
    assert (picture.kind, picture.url, picture.name, picture.size, picture.mime) == (
        "picture", "mxc://localhost/abc", "ad.png", 1234, "image/png")  # fmt: skip


def test_edits_and_reactions() -> None:
    edit = translate(ROOM, text("* fixed", **{"m.new_content": {"msgtype": "m.text", "body": "fixed"},
                                              "m.relates_to": {"rel_type": "m.replace", "event_id": "$old"}}), BOT)  # fmt: skip
    assert isinstance(edit, Edit) and (edit.target, edit.text) == ("$old", "fixed")
    reaction = translate(ROOM, raw("m.reaction", {"m.relates_to": {"rel_type": "m.annotation",
                                                                  "event_id": "$m", "key": "👍"}}), BOT)  # fmt: skip
    assert isinstance(reaction, Reaction) and (reaction.target, reaction.emoji) == ("$m", "👍")


def member(membership: str, *, subject: str = "@alice:localhost", sender: str = "@alice:localhost",
           before: str | None = None, **unsigned: Any) -> dict[str, Any]:  # fmt: skip
    extra: dict[str, Any] = dict(unsigned)
    if before is not None:
        extra["prev_content"] = {"membership": before}
    return raw("m.room.member", {"membership": membership, "displayname": "Alice"},
               sender=sender, state_key=subject, unsigned=extra)  # fmt: skip


def test_joins() -> None:
    joined = translate(ROOM, member("join"), BOT)
    assert isinstance(joined, Join) and joined.sender.display_name == "Alice"
    assert joined.via is JoinMethod.LINK
    invited = translate(ROOM, member("join", before="invite", prev_sender="@bob:localhost"), BOT)
    assert isinstance(invited, Join) and invited.via is JoinMethod.INVITED
    assert invited.inviter == "@bob:localhost"


def test_a_new_display_name_is_a_rename_and_a_new_avatar_nothing() -> None:
    """A membership event from join to join: the member changed their profile. Their new
    display name is a `Rename` (kept before they speak again); the same name (a new avatar)
    or a name removed (the user id shows: their next message keeps the known name) is none."""

    def profile(name: object, was: object) -> dict[str, Any]:
        return raw("m.room.member", {"membership": "join", "displayname": name},
                   state_key="@alice:localhost", event_id="$p1",
                   unsigned={"prev_content": {"membership": "join", "displayname": was}})  # fmt: skip

    renamed = translate(ROOM, profile("杭州-小美-混油皮", "Alice"), BOT)
    assert isinstance(renamed, Rename) and renamed.event_id == "$p1"
    assert (renamed.sender.user_id, renamed.sender.display_name) == (
        "@alice:localhost", "杭州-小美-混油皮")  # fmt: skip
    assert isinstance(translate(ROOM, profile("Alice", None), BOT), Rename)
    for name, was in (("Alice", "Alice"), (None, "Alice"), ("  ", "Alice"), (7, "Alice")):
        assert translate(ROOM, profile(name, was), BOT) is None


def test_leaves_kicks_and_bans() -> None:
    left = translate(ROOM, member("leave", before="join"), BOT)
    assert isinstance(left, Leave) and left.removed_by is None
    kicked = translate(ROOM, member("leave", before="join", sender="@mod:localhost"), BOT)
    assert isinstance(kicked, Leave) and kicked.removed_by == "@mod:localhost"
    banned = translate(ROOM, member("ban", before="join", sender="@mod:localhost"), BOT)
    assert isinstance(banned, Leave) and banned.removed_by == "@mod:localhost"
    assert translate(ROOM, member("leave", before="invite"), BOT) is None  # declined
    assert translate(ROOM, member("leave", before="ban", sender="@mod:localhost"), BOT) is None
    assert translate(ROOM, member("invite", sender="@bob:localhost"), BOT) is None


def test_what_the_engine_does_not_handle_is_dropped() -> None:
    assert translate(ROOM, raw(content={}), BOT) is None  # redacted
    assert translate(ROOM, raw("m.room.topic", {"topic": "x"}, state_key=""), BOT) is None
    assert translate(ROOM, {"type": "m.room.message", "content": {"body": "x"}}, BOT) is None
    assert translate(ROOM, raw(content={"msgtype": "m.text"}), BOT) is None


def test_ids_longer_than_matrix_allows_in_content_are_none_and_the_message_is_kept(
    store: Store, store_clock: FrozenClock
) -> None:
    """A member's client can put any string in a reply's target or a mention (the event itself
    is at most 64 KiB): a 60,000-character target failed the whole batch on PostgreSQL (the
    column holds 255) and, never acknowledged, came back after every restart."""
    long_id = "$" + "r" * 60_000
    odd = text("see above", **{"m.relates_to": {"m.in_reply_to": {"event_id": long_id}},
                               "m.mentions": {"user_ids": ["@" + "u" * 300 + ":l", "@bob:l"]}})  # fmt: skip
    event = translate(ROOM, odd, BOT)
    assert isinstance(event, Message)
    assert event.reply_to is None and event.mentions == ("@bob:l",)
    edit = raw(content={"msgtype": "m.text", "body": "* x", "m.new_content": {"body": "x"},
                        "m.relates_to": {"rel_type": "m.replace", "event_id": long_id}})  # fmt: skip
    assert not isinstance(translate(ROOM, edit, BOT), Edit)
    c = community(store, store_clock)
    c.engine.process([dataclasses.replace(event, carrier="fake", group="g1")])
    kept = store.recent_messages(c.member_id("@alice:localhost"), c.runtime.community_id)
    assert [m.text for m in kept] == ["see above"]
