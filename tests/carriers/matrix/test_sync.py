"""A sync response read for the engine; the saved position; what the bot sends; 429s."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from nio import ErrorResponse

from hearthkeeper.carriers.matrix.outgoing import (
    TEXT_BYTES,
    Refusal,
    carrier_error,
    markdown_html,
    message_content,
    message_contents,
    message_parts,
    text_bytes,
    txn_id,
)
from hearthkeeper.carriers.matrix.position import Acknowledged, SyncPosition
from hearthkeeper.carriers.matrix.rooms import RoomMap
from hearthkeeper.carriers.matrix.sync import (
    Names,
    RecentIds,
    RoomUpdate,
    read_sync,
    room_updates,
)
from hearthkeeper.carriers.matrix.translate import BotIdentity
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Join, Message

BOT = BotIdentity(user_id="@hearth:localhost")
MAPPED, OTHER = "!mapped:localhost", "!other:localhost"
ROOMS = RoomMap({MAPPED: "skincare"})


def say(event_id: str, body: str = "hi", sender: str = "@alice:localhost") -> dict[str, Any]:
    return {"type": "m.room.message", "sender": sender, "event_id": event_id,
            "origin_server_ts": 1, "content": {"msgtype": "m.text", "body": body}}  # fmt: skip


def membership(
    event_id: str, subject: str, value: str, sender: str | None = None
) -> dict[str, Any]:
    return {"type": "m.room.member", "sender": sender or subject, "state_key": subject,
            "event_id": event_id, "origin_server_ts": 1, "content": {"membership": value}}  # fmt: skip


def test_only_mapped_rooms_reach_the_engine_and_only_their_invitations_are_accepted() -> None:
    updates = [RoomUpdate(MAPPED, "join", [say("$1")]), RoomUpdate(OTHER, "join", [say("$2")]),
               RoomUpdate(MAPPED, "invite"), RoomUpdate(OTHER, "invite")]  # fmt: skip
    reading = read_sync(updates, BOT, ROOMS, RecentIds())
    assert [e.event_id for e in reading.events] == ["$1"]
    assert reading.to_join == [MAPPED]
    assert ROOMS.community_of(MAPPED) == "skincare" and ROOMS.community_of(OTHER) is None


def test_each_event_is_handed_out_once_and_the_bots_own_are_not() -> None:
    seen = RecentIds()
    first = read_sync([RoomUpdate(MAPPED, "join", [say("$1"), say("$b", sender=BOT.user_id)])],
                      BOT, ROOMS, seen)  # fmt: skip
    again = read_sync([RoomUpdate(MAPPED, "join", [say("$1"), say("$2")])], BOT, ROOMS, seen)
    assert [e.event_id for e in first.events] == ["$1"]
    assert [e.event_id for e in again.events] == ["$2"]


def test_history_before_the_bot_joined_is_not_handled() -> None:
    timeline = [say("$old"), membership("$j", BOT.user_id, "join"), say("$new"),
                membership("$a", "@bob:localhost", "join")]  # fmt: skip
    reading = read_sync([RoomUpdate(MAPPED, "join", timeline)], BOT, ROOMS, RecentIds())
    assert [e.event_id for e in reading.events] == ["$new", "$a"]
    assert isinstance(reading.events[0], Message) and isinstance(reading.events[1], Join)


def test_a_kicked_bot_learns_it_from_the_leave_section() -> None:
    timeline = [say("$last"), membership("$k", BOT.user_id, "leave", sender="@mod:localhost")]
    reading = read_sync([RoomUpdate(MAPPED, "leave", timeline)], BOT, ROOMS, RecentIds())
    assert reading.removed == {MAPPED: "@mod:localhost"}
    assert [e.event_id for e in reading.events] == ["$last"]  # what came before still counts


def test_recent_ids_forget_the_oldest() -> None:
    seen = RecentIds(size=2)
    assert seen.add("a") and seen.add("b") and seen.add("c")
    assert not seen.add("c") and seen.add("a")


def test_the_position_survives_a_restart_and_a_broken_file_starts_fresh(tmp_path: Path) -> None:
    path = tmp_path / "matrix" / "sync.json"
    assert SyncPosition(path).load() is None
    SyncPosition(path).save("s72_594")
    assert SyncPosition(path).load() == "s72_594"
    path.write_text("{not json", encoding="utf-8")
    assert SyncPosition(path).load() is None


def test_two_saves_at_once_keep_a_position_and_raise_nothing(tmp_path: Path) -> None:
    """The sync loop saves from a worker thread while a disconnect saves from the event loop;
    with one temp file name, one rename found the other's temp gone (FileNotFoundError on
    shutting down, seen in CI)."""
    position = SyncPosition(tmp_path / "sync.json")
    failures: list[BaseException] = []

    def saving(tag: str) -> None:
        for n in range(300):
            try:
                position.save(f"s{tag}_{n}")
            except OSError as exc:
                failures.append(exc)

    threads = [threading.Thread(target=saving, args=(tag,)) for tag in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert position.load() in {"sa_299", "sb_299"}


def test_the_same_outbox_key_always_gives_the_same_transaction_id() -> None:
    assert txn_id("reply:42:1") == txn_id("reply:42:1") != txn_id("reply:42:2")
    assert txn_id("a/b c:?").isalnum()


def test_replies_and_warnings_mention_the_member_and_replies_quote_the_message() -> None:
    reply = message_content(Action(kind=ActionKind.REPLY, carrier="matrix", group=MAPPED,
                                   member="@alice:localhost", target="$q", text="see the FAQ"))  # fmt: skip
    assert reply == {"msgtype": "m.text", "body": "see the FAQ",
                     "m.mentions": {"user_ids": ["@alice:localhost"]},
                     "m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}}  # fmt: skip
    warn = message_content(Action(kind=ActionKind.WARN, carrier="matrix", group=MAPPED,
                                  member="@spam:localhost", text="no ads"))  # fmt: skip
    assert warn["m.mentions"] == {"user_ids": ["@spam:localhost"]} and "m.relates_to" not in warn
    post = message_content(Action(kind=ActionKind.SEND, carrier="matrix", group=MAPPED, text="hi"))
    assert post["m.mentions"] == {"user_ids": []}  # a post pings nobody


def test_a_long_reply_answers_and_mentions_once_and_each_part_fits_one_event() -> None:
    """A Markdown text is in its event twice (body and HTML): each part's both fit one."""
    post = "\n\n".join(f"**第 {n} 段** " + "护肤💧心得。" * 40 for n in range(45))
    action = Action(kind=ActionKind.REPLY, carrier="matrix", group=MAPPED, member="@alice:x",
                    target="$q", text=post, extra={"format": "markdown"})  # fmt: skip
    assert text_bytes(post, markdown=True) > 65_536
    first, *rest = contents = message_contents(action, 16_000)
    assert rest and all(text_bytes(c["body"], markdown=True) <= TEXT_BYTES for c in contents)
    assert "\n\n".join(c["body"] for c in contents) == post  # cut between paragraphs
    assert all(c["formatted_body"].startswith("<p><strong>第 ") for c in contents)
    assert first["m.relates_to"] == {"m.in_reply_to": {"event_id": "$q"}}
    assert first["m.mentions"] == {"user_ids": ["@alice:x"]}
    assert [("m.relates_to" in c, c["m.mentions"]["user_ids"]) for c in rest] == [
        (False, [])
    ] * len(rest)


def test_the_rest_of_a_long_text_resumed_where_a_part_ended_is_the_parts_after_it() -> None:
    """Resumed where a part of the same cut ended: the parts that followed it, the same spans
    (so the same transaction ids), none answering or mentioning again; nothing after the last.
    Resumed where a part of another cut ended: the text from there, nothing repeated."""
    post = "\n\n".join(f"**第 {n} 段** " + "护肤💧心得。" * 40 for n in range(45))
    action = Action(kind=ActionKind.REPLY, carrier="matrix", group=MAPPED, member="@alice:x",
                    target="$q", text=post, extra={"format": "markdown"})  # fmt: skip
    parts = message_parts(action, 3_000)
    assert len(parts) > 2
    for n, part in enumerate(parts):
        rest = message_parts(action, 3_000, part.end)
        assert [(p.start, p.end) for p in rest] == [(p.start, p.end) for p in parts[n + 1 :]]
        assert all(p.content["m.mentions"] == {"user_ids": []} for p in rest)
        assert not any("m.relates_to" in p.content for p in rest)
    elsewhere = message_parts(action, 1000)[0].end  # a part of another cut ended there
    rest = message_parts(action, 3_000, elsewhere)
    said = "".join(p.content["body"] for p in rest)
    assert said.replace("\n", "") == post[elsewhere:].replace("\n", "")


def test_a_429_retries_after_the_servers_delay_and_a_refusal_does_not_retry() -> None:
    limited = carrier_error(ErrorResponse("Too Many Requests", "M_LIMIT_EXCEEDED", 1500), "send")
    # a rate limit's answer: waited out by the outbox, no attempt used, the room behind it
    assert limited.retry and limited.after == 1.5 and limited.limited
    forbidden = carrier_error(ErrorResponse("not allowed", "M_FORBIDDEN"), "kick")
    assert not forbidden.retry and "M_FORBIDDEN" in str(forbidden) and not forbidden.limited
    unknown = carrier_error(ErrorResponse("oops", "M_UNKNOWN"), "send")
    assert unknown.retry and unknown.after is None and not unknown.limited


def test_a_429_read_from_raw_json_retries_after_its_delay_and_a_bad_token_stops() -> None:
    limited = carrier_error(Refusal.of(429, {"errcode": "M_LIMIT_EXCEEDED", "error": "slow down",
                                             "retry_after_ms": 2500}), "sync")  # fmt: skip
    assert limited.retry and limited.after == 2.5 and limited.limited
    token = carrier_error(Refusal.of(401, {"errcode": "M_UNKNOWN_TOKEN", "error": "gone"}), "sync")
    assert not token.retry and "M_UNKNOWN_TOKEN" in str(token)
    proxy = carrier_error(Refusal.of(502, None), "sync")  # a proxy's HTML page, not JSON
    assert proxy.retry and "502" in str(proxy)


def test_a_raw_sync_body_becomes_room_updates_and_malformed_parts_are_skipped() -> None:
    body = {
        "next_batch": "s2",
        "rooms": {
            "invite": {OTHER: {"invite_state": {"events": []}}},
            "join": {MAPPED: {"timeline": {"events": [say("$1"), "junk", say("$2")],
                                           "limited": True}},
                     "!broken:localhost": {"timeline": "junk"}},
            "leave": {"!left:localhost": {"timeline": {"events": [say("$3")]}}},
        },
    }  # fmt: skip
    updates = room_updates(body)
    assert [(u.room_id, u.section, [e["event_id"] for e in u.events]) for u in updates] == [
        (OTHER, "invite", []),
        (MAPPED, "join", ["$1", "$2"]),
        ("!broken:localhost", "join", []),
        ("!left:localhost", "leave", ["$3"]),
    ]
    assert [u.room_id for u in updates if u.limited] == [MAPPED]
    assert room_updates({"next_batch": "s3"}) == [] and room_updates({"rooms": "junk"}) == []


def test_the_safe_position_waits_for_the_oldest_batch_the_engine_has_not_recorded() -> None:
    acks = Acknowledged("s0")
    assert acks.safe == "s0"
    acks.handed_out("s0", "s1", ["$a", "$b"])
    acks.handed_out("s1", "s2", ["$c"])
    assert acks.safe == "s0" and not acks.settled.is_set()  # a restart re-delivers both
    acks.moved.clear()
    acks.handled(["$c"])  # the later batch first: the earlier one still holds the position
    assert acks.safe == "s0" and not acks.moved.is_set()
    acks.handled(["$a"])
    assert acks.safe == "s0"
    acks.handled(["$b"])
    assert acks.safe == "s2" and acks.moved.is_set() and acks.settled.is_set()


def test_an_empty_batch_moves_the_safe_position_at_once() -> None:
    acks = Acknowledged(None)  # a first start
    acks.handed_out(None, "s1", [])
    assert acks.safe == "s1" and acks.settled.is_set()
    acks.handed_out("s1", "s2", ["$x"])
    acks.handed_out("s2", "s3", [])
    assert acks.safe == "s1"  # still behind the batch holding $x
    acks.handled(["$x", "$unknown"])
    assert acks.safe == "s3"


def test_messages_carry_the_display_name_the_room_shows_for_their_sender() -> None:
    names = Names()
    names.set(MAPPED, "@bob:localhost", "Bob")  # read from the room's members at start
    joined = membership("$j", "@alice:localhost", "join")
    joined["content"]["displayname"] = "爱丽丝"
    renamed = membership("$r", "@bob:localhost", "join")
    renamed["content"]["displayname"] = "Bobby"
    update = RoomUpdate(MAPPED, "join", [say("$1", sender="@bob:localhost"), joined,
                                         say("$2"), say("$3", sender="@carol:localhost")],
                        state=[renamed])  # fmt: skip
    reading = read_sync([update], BOT, ROOMS, RecentIds(), names)
    named = {e.event_id: e.sender.display_name for e in reading.events}
    assert named == {"$1": "Bobby", "$j": "爱丽丝", "$2": "爱丽丝", "$3": ""}


def test_a_posts_markdown_goes_as_html_without_letting_markup_through() -> None:
    post = Action(kind=ActionKind.SEND, carrier="matrix", group=MAPPED, extra={"format": "markdown"},
                  text="# 早安\n今天**三件事**：\n<script>alert(1)</script>")  # fmt: skip
    content = message_content(post)
    assert content["body"] == post.text  # plain-text clients see it as written
    assert content["format"] == "org.matrix.custom.html"
    html = content["formatted_body"]
    assert html.startswith("<h1>早安</h1>") and "<strong>三件事</strong>：<br />" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    plain = message_content(Action(kind=ActionKind.REPLY, carrier="matrix", group=MAPPED,
                                   text="**not** markdown"))  # fmt: skip
    assert "formatted_body" not in plain and plain["body"] == "**not** markdown"


def test_a_markdown_posts_html_is_rendered_once_per_part_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The HTML of a Markdown post was rendered to measure the event, then rendered again to
    send it: each part's HTML is rendered once now, and is the HTML its text makes."""
    from hearthkeeper.carriers.matrix import outgoing

    calls: list[str] = []

    def counted(text: str) -> str:
        calls.append(text)
        return markdown_html(text)

    monkeypatch.setattr(outgoing, "markdown_html", counted)
    text = "# 早安\n今天**三件事**：\n\n- 喝水\n- [链接](https://example.org)"
    post = Action(kind=ActionKind.SEND, carrier="matrix", group=MAPPED,
                  extra={"format": "markdown"}, text=text)  # fmt: skip
    [content] = outgoing.message_contents(post, 4000)
    assert calls == [text]
    assert content["formatted_body"] == markdown_html(text)
    assert content["formatted_body"].count("<h1>早安</h1>") == 1
    calls.clear()
    parts = outgoing.message_contents(post, 12)  # cut into parts: each measured, sent once
    assert len(parts) > 1
    assert [p["formatted_body"] for p in parts] == [markdown_html(p["body"]) for p in parts]
    for part in parts:  # the part sent is not rendered once more after being measured
        assert calls.count(part["body"]) == 1, (part["body"], calls)


@pytest.mark.parametrize("ts", [10**20, -(10**20), 2**63, 253_402_300_800_000])
def test_an_event_stamped_beyond_dates_is_skipped_and_the_rest_are_read(ts: int) -> None:
    """A homeserver's timestamp past year 9999 (or before year 1) overflowed a date: the sync
    loop ended there, and the bot read no room again until restarted (then the same)."""
    odd = {**say("$odd"), "origin_server_ts": ts}
    reading = read_sync([RoomUpdate(MAPPED, "join", [say("$1"), odd, say("$2")])], BOT, ROOMS,
                        RecentIds())  # fmt: skip
    assert [e.event_id for e in reading.events] == ["$1", "$2"]


def test_an_event_the_translation_cannot_read_is_logged_and_the_rest_are_read(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from hearthkeeper.carriers.matrix import sync, translate

    def fussy(room_id: str, raw: Any, bot: BotIdentity) -> Any:
        if raw.get("event_id") == "$odd":
            raise KeyError("something no test foresaw")
        return translate.translate(room_id, raw, bot)

    monkeypatch.setattr(sync, "translate", fussy)
    reading = read_sync([RoomUpdate(MAPPED, "join", [say("$1"), say("$odd"), say("$2")])], BOT,
                        ROOMS, RecentIds())  # fmt: skip
    assert [e.event_id for e in reading.events] == ["$1", "$2"]
    assert "matrix: skipped event $odd of !mapped:localhost" in caplog.text


def test_a_posts_links_are_http_only_and_read_as_on_every_other_carrier() -> None:
    """Matrix read posts with its own Markdown renderer: a `mailto:` or relative link went out
    as a link, and a picture as an <img> of an http address, which clients do not show."""
    post = Action(kind=ActionKind.SEND, carrier="matrix", group=MAPPED, extra={"format": "markdown"},
                  text="- 写信给 [客服](mailto:staff@example.org)\n- 看 [须知](/rules) 和 "
                       "![示意图](https://example.org/p.png)\n\n3. 先洗脸\n4. 再 **涂**")  # fmt: skip
    html = message_content(post)["formatted_body"]
    assert "<img" not in html and "mailto:" not in html and 'href="/' not in html
    assert html == (
        "<ul><li>写信给 客服</li><li>看 须知 和 "
        '<a href="https://example.org/p.png">示意图</a></li></ul>'
        '<ol start="3"><li>先洗脸</li><li>再 <strong>涂</strong></li></ol>'
    )
