"""OneBot v11 JSON both ways, without a connection: events in the spec's shapes become the
engine's events, actions become the spec's API calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearthkeeper.carriers.onebot.calls import answer_request, calls_for, failure
from hearthkeeper.carriers.onebot.segments import messages, outgoing, parse_cq, read_message
from hearthkeeper.carriers.onebot.translate import BotRemoved, JoinAsk, translate
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.engine.events import Join, JoinMethod, Leave, Message, Rename

pytestmark = pytest.mark.onebot

BOT, GROUP = "10001000", "123456"
GROUPS = {GROUP}


def event(**fields: Any) -> dict[str, Any]:
    return {"time": 1_700_000_000, "self_id": int(BOT), "group_id": int(GROUP), **fields}


def test_a_group_message_with_a_reply_a_mention_of_the_bot_and_a_picture() -> None:
    raw = event(post_type="message", message_type="group", sub_type="normal", message_id=42,
                user_id=555, anonymous=None, font=0, raw_message="…",
                sender={"user_id": 555, "nickname": "小美", "card": "杭州-小美-混油皮"},
                message=[{"type": "reply", "data": {"id": "41"}},
                         {"type": "at", "data": {"qq": BOT}},
                         {"type": "text", "data": {"text": " 这个能用吗？"}},
                         {"type": "image", "data": {"file": "a.jpg", "url": "https://x/a.jpg"}}])  # fmt: skip
    message = translate(raw, BOT, GROUPS)
    assert isinstance(message, Message)
    assert (message.carrier, message.group, message.event_id) == ("qq", GROUP, "42")
    assert message.sender.user_id == "555" and message.sender.display_name == "杭州-小美-混油皮"
    assert (message.text, message.reply_to, message.mentions) == ("这个能用吗？", "41", (BOT,))
    assert message.mentions_bot and message.attachments[0].url == "https://x/a.jpg"


def test_an_event_stamped_at_no_real_moment_is_read_as_now() -> None:
    """A `time` too far in the future or past for a date (1e20, 1e300, -1e18, 9e15) is read
    as now, not an error that would stop the reading of every later event."""
    for stamp in (1e20, 1e300, 9_000_000_000_000_000, -1e18, float("inf"), float("nan")):
        raw = {**event(post_type="message", message_type="group", sub_type="normal",
                       message_id=42, user_id=555, message="hi"), "time": stamp}  # fmt: skip
        message = translate(raw, BOT, GROUPS)
        assert isinstance(message, Message) and message.text == "hi"
        assert abs((message.at - datetime.now(UTC)).total_seconds()) < 3600


def test_cq_codes_are_read_with_their_escapes() -> None:
    segments = parse_cq(
        "[CQ:at,qq=10001000] 价格&#91;含税&#93;[CQ:share,url=https://a.cn/?x=1&#44;2,title=A&amp;B]"
    )
    assert [s["type"] for s in segments] == ["at", "text", "share"]
    assert segments[1]["data"]["text"] == " 价格[含税]"
    assert segments[2]["data"] == {"url": "https://a.cn/?x=1,2", "title": "A&B"}
    read = read_message("[CQ:image,file=b.png]")
    assert read.kind == "picture" and read.text == ""


def test_notices_and_requests() -> None:
    joined = translate(event(post_type="notice", notice_type="group_increase", sub_type="invite",
                             operator_id=777, user_id=555), BOT, GROUPS)  # fmt: skip
    assert isinstance(joined, Join) and joined.via is JoinMethod.INVITED
    assert joined.inviter == "777" and joined.event_id == "group_increase:555:1700000000"
    kicked = translate(event(post_type="notice", notice_type="group_decrease", sub_type="kick",
                             operator_id=777, user_id=555), BOT, GROUPS)  # fmt: skip
    assert isinstance(kicked, Leave) and kicked.removed_by == "777"
    left = translate(event(post_type="notice", notice_type="group_decrease", sub_type="leave",
                           operator_id=555, user_id=555), BOT, GROUPS)  # fmt: skip
    assert isinstance(left, Leave) and left.removed_by is None
    me = translate(event(post_type="notice", notice_type="group_decrease", sub_type="kick_me",
                         operator_id=777, user_id=int(BOT)), BOT, GROUPS)  # fmt: skip
    assert me == BotRemoved(group=GROUP, operator="777")
    asked = translate(event(post_type="request", request_type="group", sub_type="add",
                            user_id=555, comment="问题：肤质？\n答案：混油皮", flag="f1"),
                      BOT, GROUPS)  # fmt: skip
    assert isinstance(asked, JoinAsk) and asked.answer == "混油皮" and asked.flag == "f1"
    for dropped in (
        event(post_type="notice", notice_type="group_ban", sub_type="ban", operator_id=1,
              user_id=555, duration=60),
        event(post_type="notice", notice_type="group_recall", user_id=555, operator_id=555,
              message_id=42),
        event(post_type="request", request_type="group", sub_type="invite", user_id=555,
              comment="", flag="f2"),
        event(post_type="meta_event", meta_event_type="heartbeat", status={}, interval=5000),
        event(post_type="message", message_type="group", sub_type="anonymous", message_id=43,
              user_id=80000000, message="hi", anonymous={"id": 1, "name": "a", "flag": "x"}),
        {**event(post_type="message", message_type="group", sub_type="normal", message_id=44,
                 user_id=555, message="hi"), "group_id": 999999},  # not a mapped group
    ):  # fmt: skip
        assert translate(dropped, BOT, GROUPS) is None


def test_a_group_card_changed_is_a_rename_and_a_card_cleared_none() -> None:
    """The `group_card` notice: the member's new card is their name from now on (their next
    message would carry it; the rename is kept before). A cleared card names them by their
    QQ nickname, which the notice does not carry: nothing to keep until they post."""
    card = dict(post_type="notice", notice_type="group_card", user_id=555, card_old="小美")
    renamed = translate(event(**card, card_new="杭州-小美-混油皮"), BOT, GROUPS)
    assert isinstance(renamed, Rename)
    assert (renamed.sender.user_id, renamed.sender.display_name) == ("555", "杭州-小美-混油皮")
    again = translate(event(**card, card_new="杭州-小美"), BOT, GROUPS)
    assert again is not None and again.event_id != renamed.event_id  # two changes in a second
    assert translate(event(**card, card_new="杭州-小美-混油皮"), BOT, GROUPS) == renamed
    for cleared in ("", "  ", None):
        assert translate(event(**card, card_new=cleared), BOT, GROUPS) is None


def act(kind: ActionKind, **fields: Any) -> Action:
    return Action(kind=kind, carrier="qq", group=GROUP, **fields)


def test_actions_become_the_spec_calls() -> None:
    [reply] = calls_for(act(ActionKind.REPLY, member="555", target="42", text="可以"))
    assert reply.action == "send_group_msg" and reply.sends
    assert reply.params == {"group_id": 123456, "message": [
        {"type": "reply", "data": {"id": "42"}}, {"type": "text", "data": {"text": "可以"}}]}  # fmt: skip
    warn = outgoing(act(ActionKind.WARN, member="555", text="第一次提醒"))
    assert warn[:2] == [
        {"type": "at", "data": {"qq": "555"}},
        {"type": "text", "data": {"text": " "}},
    ]
    mute, notice = calls_for(act(ActionKind.MUTE, member="555", text="禁言",
                                 duration=timedelta(hours=1)))  # fmt: skip
    assert (mute.action, mute.params["duration"], notice.action) == (
        "set_group_ban",
        3600,
        "send_group_msg",
    )
    [long] = calls_for(act(ActionKind.MUTE, member="555", duration=timedelta(days=90)))
    assert long.params["duration"] == 30 * 24 * 3600
    [lift] = calls_for(act(ActionKind.UNMUTE, member="555"))
    assert lift.params == {"group_id": 123456, "user_id": 555, "duration": 0}
    [ban] = calls_for(act(ActionKind.BAN, member="555"))
    assert ban.params == {"group_id": 123456, "user_id": 555, "reject_add_request": True}
    [kick] = calls_for(act(ActionKind.KICK, member="555"))
    assert kick.params["reject_add_request"] is False
    [delete] = calls_for(act(ActionKind.DELETE, target="42"))
    assert delete.params == {"message_id": 42}
    with pytest.raises(CarrierError, match="cannot lift a ban") as raised:
        calls_for(act(ActionKind.UNBAN, member="555"))
    assert raised.value.retry is False
    declined = answer_request(act(ActionKind.DECLINE, member="555", reason="名额已满"), "f1", "add")
    assert declined.params == {
        "flag": "f1",
        "sub_type": "add",
        "approve": False,
        "reason": "名额已满",
    }
    post = outgoing(
        act(ActionKind.SEND, text="# 标题\n**重点** 内容", extra={"format": "markdown"})
    )
    assert post == [{"type": "text", "data": {"text": "标题\n重点 内容"}}]


def shown(segments: list[dict[str, Any]]) -> str:
    """A message as QQ shows it, an `at` as `@<qq>`."""
    return "".join(f"@{s['data']['qq']}" if s["type"] == "at" else s["data"].get("text", "")
                   for s in segments if s["type"] in ("at", "text"))  # fmt: skip


def test_a_member_is_ated_where_the_text_names_them_else_before_it() -> None:
    """An `at` takes the place of the name the text has for each member (`@Name`, else the
    name as a word of its own: `Li` is not in `Lively`); one it does not name goes before."""
    extra = {"mentions": ["1", "2", "3"], "mention_names": {"1": "Dee", "2": "Li", "3": "Zed"}}
    reply = outgoing(act(ActionKind.REPLY, member="9", target="42", extra=extra,
                         text="Lively tea? You could ask @Dee or Li."))  # fmt: skip
    assert reply[0] == {"type": "reply", "data": {"id": "42"}}
    assert shown(reply) == "@3 Lively tea? You could ask @1 or @2."
    unnamed = outgoing(act(ActionKind.SEND, text="喝水啦", extra={"mentions": ["1"]}))
    assert shown(unnamed) == "@1 喝水啦"  # no name given: before the text, as it was
    long = act(ActionKind.SEND, text="小美，" + "喝水" * 30 + "。\n\n" + "Dee 也来。",
               extra=extra)  # fmt: skip
    first, second = messages(long, 70)
    assert shown(first).startswith("@1 @2 @3 小美，喝水")  # named in the second part only
    assert shown(second) == "Dee 也来。"  # the part after the first mentions nobody


def test_answers_are_read_as_the_spec_says() -> None:
    assert failure({"status": "ok", "retcode": 0, "data": None, "echo": "1"}, "x") is None
    assert failure({"status": "async", "retcode": 1, "data": None, "echo": "1"}, "x") is None
    refused = failure(
        {"status": "failed", "retcode": 1404, "data": None, "echo": "1"}, "delete_msg"
    )
    assert refused is not None and refused.retry is False and "retcode 1404" in str(refused)
