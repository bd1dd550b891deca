"""Telegram updates → engine events, and the texts the bot sends. Pure: no server."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import Update

from hearthkeeper.carriers.pictures import wanted
from hearthkeeper.carriers.telegram.links import link_gone
from hearthkeeper.carriers.telegram.outgoing import markdown_html, shown_length, until_date
from hearthkeeper.carriers.telegram.private import language_of, with_appeal
from hearthkeeper.carriers.telegram.translate import BotIdentity, JoinAsk, PrivateText, translate
from hearthkeeper.engine.actions import PRIVATE_APPEAL, Action, ActionKind
from hearthkeeper.engine.events import Attachment, Edit, Join, JoinMethod, Leave, Message
from hearthkeeper.playbook.positioning import Language

pytestmark = pytest.mark.telegram

BOT = BotIdentity(user_id=42, username="hearth_bot")
CHAT = {"id": -1001, "type": "supergroup", "title": "护肤 1群"}
MEI = {"id": 7, "is_bot": False, "first_name": "Mei", "last_name": "Li"}
OWNER = {"id": 1, "is_bot": False, "first_name": "Owner"}


def update(**kinds: Any) -> Update:
    return Update.model_validate({"update_id": 900, **kinds})


def message(text: str, **more: Any) -> dict[str, Any]:
    return {"message_id": 5, "date": 1_700_000_000, "chat": CHAT, "from": MEI, "text": text,
            **more}  # fmt: skip


def test_a_message_names_its_sender_mentions_and_the_reply() -> None:
    raw = message("@hearth_bot 团购怎么下单？", entities=[{"type": "mention", "offset": 0,
                                                          "length": 11}],
                  reply_to_message={**message("hi"), "message_id": 3, "from": OWNER})  # fmt: skip
    event = translate(update(message=raw), BOT)
    assert isinstance(event, Message)
    assert (event.group, event.event_id, event.sender.user_id) == ("-1001", "5", "7")
    assert event.sender.display_name == "Mei Li" and event.reply_to == "3"
    assert event.mentions == ("@hearth_bot",) and event.mentions_bot


def test_a_member_picked_without_a_username_is_named_by_the_words_standing_for_them() -> None:
    """Picking a member who has no username puts their name in the text (a `text_mention`,
    offsets in UTF-16: the emoji before counts two); the event names those words so a
    command reads past them to the length."""
    said = "/mute@hearth_bot 🌸 Li Na 1h"
    raw = message(said, entities=[{"type": "text_mention", "offset": 17, "length": 8,
                                   "user": {"id": 9, "is_bot": False, "first_name": "Li"}}])  # fmt: skip
    event = translate(update(message=raw), BOT)
    assert isinstance(event, Message) and event.text == "/mute 🌸 Li Na 1h"
    assert event.mentions == ("9",) and event.mention_texts == ("🌸 Li Na",)


def test_a_private_message_is_the_carriers_to_answer_never_a_group_event() -> None:
    """What someone writes to the bot in its private chat is no group's message (not counted,
    not moderated): the carrier answers it (a banned member's appeal). A sticker, with no
    text, is answered too; the bot's own message is not."""
    private = {"id": 7, "type": "private", "first_name": "Mei"}
    said = translate(update(message=message("/appeal@hearth_bot 误会", chat=private,
                                            **{"from": {**MEI, "language_code": "zh-hans"}})),
                     BOT)  # fmt: skip
    assert said == PrivateText(user_id="7", chat_id=7, text="/appeal 误会", language_code="zh-hans")
    assert language_of("zh-hans") is Language.ZH_CN and language_of("de") is None
    sticker = {k: v for k, v in message("", chat=private).items() if k != "text"}
    sticker["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                          "height": 1, "is_animated": False, "is_video": False}  # fmt: skip
    assert translate(update(message=sticker), BOT) == PrivateText(
        user_id="7", chat_id=7, text="", language_code=None)  # fmt: skip
    own = message("hi", chat=private, **{"from": {"id": 42, "is_bot": True, "first_name": "B"}})
    assert translate(update(message=own), BOT) is None


def test_a_ban_notice_names_the_bot_to_appeal_to_in_private() -> None:
    notice = Action(kind=ActionKind.KICK, carrier="telegram", group="-1001", member="7",
                    text="Mei was removed.",
                    extra={PRIVATE_APPEAL: " Write /appeal to {bot} privately.", "x": 1})  # fmt: skip
    told = with_appeal(notice, "hearth_bot")
    assert told.text == "Mei was removed. Write /appeal to @hearth_bot privately."
    assert told.extra == {"x": 1}
    assert with_appeal(notice, "").text == "Mei was removed."  # no @name to give: left out


def test_a_command_addressed_to_the_bot_loses_the_suffix() -> None:
    event = translate(update(message=message("/接龙@hearth_bot 周六夜跑")), BOT)
    assert isinstance(event, Message) and event.text == "/接龙 周六夜跑"


def test_service_messages_and_the_bots_own_are_skipped() -> None:
    joined = message("", new_chat_members=[MEI])
    del joined["text"]
    assert translate(update(message=joined), BOT) is None
    own = {**message("hi"), "from": {"id": 42, "is_bot": True, "first_name": "Hearth"}}
    assert translate(update(message=own), BOT) is None


def test_an_edit_targets_the_message() -> None:
    event = translate(update(edited_message=message("改了", edit_date=1_700_000_100)), BOT)
    assert isinstance(event, Edit) and event.target == "5" and event.text == "改了"
    assert event.event_id == "5.edit1700000100"


def member_update(old: str, new: str, by: dict[str, Any], **more: Any) -> Update:
    return update(chat_member={"chat": CHAT, "from": by, "date": 1_700_000_000,
                               "old_chat_member": {"status": old, "user": MEI},
                               "new_chat_member": {"status": new, "user": MEI,
                                                   **({"until_date": 0} if new == "kicked" else {})},
                               **more})  # fmt: skip


def test_joins_and_leaves_come_from_chat_member_updates() -> None:
    link = {"invite_link": "https://t.me/+x", "creator": OWNER, "creates_join_request": False,
            "is_primary": False, "is_revoked": False, "name": "code:poster"}  # fmt: skip
    joined = translate(member_update("left", "member", MEI, invite_link=link), BOT)
    assert isinstance(joined, Join) and joined.via is JoinMethod.LINK
    assert joined.source == "code:poster" and joined.event_id == "u900"
    added = translate(member_update("left", "member", OWNER), BOT)
    assert isinstance(added, Join) and added.via is JoinMethod.INVITED and added.inviter == "1"
    banned = translate(member_update("member", "kicked", OWNER), BOT)
    assert isinstance(banned, Leave) and banned.removed_by == "1"
    left = translate(member_update("member", "left", MEI), BOT)
    assert isinstance(left, Leave) and left.removed_by is None


def test_a_join_request_is_asked_at_the_door() -> None:
    ask = translate(update(chat_join_request={"chat": CHAT, "from": MEI, "user_chat_id": 7,
                                              "date": 1_700_000_000, "bio": " 混油皮 "}), BOT)  # fmt: skip
    assert ask == JoinAsk(chat_id="-1001", user_id="7", display_name="Mei Li", bio="混油皮",
                          source=None, user_chat_id=7)  # fmt: skip


def test_markdown_becomes_telegrams_html_and_mutes_stay_within_bounds() -> None:
    html = markdown_html("# 知识包\n**水温** 30℃ <热水> [详情](https://example.org/a?b=1&c=2)")
    assert html == ('<b>知识包</b>\n<b>水温</b> 30℃ &lt;热水&gt; '
                    '<a href="https://example.org/a?b=1&amp;c=2">详情</a>')  # fmt: skip
    assert until_date(1000, 3600) == 4600
    assert until_date(1000, 5) == 1000 + 35  # never "forever" for being too short


@pytest.mark.parametrize(("refusal", "gone"), [
    ("Telegram server says - Bad Request: INVITE_HASH_EXPIRED", True),
    ("Bad Request: INVITE_REVOKED_MISSING", True),
    ("Bad Request: invite link is revoked", True),
    ("Bad Request: not enough rights to manage chat invite link", False),  # the bot's right
    ("Bad Request: chat not found", False),
    ("Too Many Requests: retry after 30", False),
])  # fmt: skip
def test_only_a_refusal_about_the_link_itself_says_it_is_gone(refusal: str, gone: bool) -> None:
    assert link_gone(refusal) is gone


def test_a_photo_is_read_at_its_largest_size_within_the_download_limit() -> None:
    def size(n: int, side: int, size: int) -> dict[str, Any]:
        return {"file_id": f"f{n}", "file_unique_id": f"u{n}", "width": side, "height": side,
                "file_size": size}  # fmt: skip

    small, medium, huge = size(1, 90, 2_000), size(2, 800, 90_000), size(3, 9000, 21 << 20)
    photo = {**message(""), "photo": [small, medium, huge], "caption": "看看这个"}
    del photo["text"]
    event = translate(update(message=photo), BOT)
    assert isinstance(event, Message) and event.kind == "picture" and event.text == "看看这个"
    (picture,) = event.attachments
    assert (picture.kind, picture.url, picture.size) == ("picture", "f2", 90_000)
    alone = {**photo, "photo": [huge]}
    event = translate(update(message=alone), BOT)
    assert isinstance(event, Message) and event.attachments[0].url is None


def test_an_image_file_and_a_still_sticker_are_pictures_to_read_and_a_pdf_is_not() -> None:
    def posted(field: str, media: dict[str, Any]) -> Attachment:
        sent = {**message(""), field: media}
        del sent["text"]
        event = translate(update(message=sent), BOT)
        assert isinstance(event, Message)
        (attachment,) = event.attachments
        return attachment

    def document(name: str, mime: str) -> dict[str, Any]:
        return {"file_id": f"d-{name}", "file_unique_id": "u", "file_name": name,
                "mime_type": mime, "file_size": 5_000}  # fmt: skip

    def sticker(animated: bool, video: bool) -> dict[str, Any]:
        return {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 512,
                "height": 512, "is_animated": animated, "is_video": video,
                "file_size": 9_000}  # fmt: skip

    photo = posted("document", document("海报.png", "image/png"))
    assert (photo.kind, photo.url, photo.size, photo.mime) == ("file", "d-海报.png", 5_000,
                                                               "image/png")  # fmt: skip
    assert wanted(photo)
    assert not wanted(posted("document", document("价目表.pdf", "application/pdf")))
    still = posted("sticker", sticker(False, False))
    assert (still.kind, still.url, still.mime) == ("sticker", "s", "image/webp")
    assert wanted(still)
    assert not wanted(posted("sticker", sticker(True, False)))  # .tgs
    assert not wanted(posted("sticker", sticker(False, True)))  # .webm


def test_a_lone_surrogate_is_measured_as_one_unit() -> None:
    # Every text reaching the carrier is cleaned of lone surrogates today (web chat frames,
    # names, playbooks), but the measure raised UnicodeEncodeError on one, which would have
    # broken the whole outbound batch rather than this one message
    assert shown_length("hi \ud83d there", parsed=False) == len("hi ? there")
    assert shown_length("<b>hi</b> \udc00", parsed=True) == 4
