"""The members a bot message is meant to tell (`extra["mentions"]`: a title's holders at their
reminder, a member whose unpaid place is about to lapse, the experts a question calls on …)
are inline mentions on Telegram, through aiogram to the fake Bot API, which reads an HTML
`tg://user?id=` link as Telegram does: a `text_mention` entity carrying the user, whom
Telegram notifies. Before, the message named them as text (`@Mei`) and told nobody."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from hearthkeeper.capabilities.activities.texts import TEXTS as ACTIVITY_TEXTS
from hearthkeeper.capabilities.roles.titles import TEXTS as TITLE_TEXTS
from hearthkeeper.carriers.telegram.outgoing import TEXT_LIMIT
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from tests.carriers.telegram.fake_bot_api import JSON
from tests.carriers.telegram.telegram_setup import Hearth

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]


def member(community: Hearth, name: str) -> JSON:
    """A Telegram user the server knows as a member named `name`."""
    user = community.person(name)
    community.store.member_for("telegram", str(user["id"]), name)
    return user


async def performed(community: Hearth, text: str, users: list[JSON], *,
                    markdown: bool = False) -> list[JSON]:  # fmt: skip
    """What the group shows for a reminder of `text` mentioning `users`, as the features
    queue it (a SEND whose `extra["mentions"]` holds their Telegram user ids)."""
    chat = community.group()
    carrier = community.carrier()
    extra: dict[str, object] = {"mentions": [str(u["id"]) for u in users]}
    if markdown:
        extra["format"] = "markdown"
    await carrier.connect()
    try:
        action = Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat), text=text,
                        member=str(users[0]["id"]), handler="reminders", extra=extra)  # fmt: skip
        await carrier.perform(action, "reminder:1")
    finally:
        await carrier.disconnect()
    return community.api.messages(chat, by=community.bot_id)


def mentions(message: JSON) -> list[tuple[str, int]]:
    """The words of each `text_mention` of the message and the id of the user it notifies."""
    units = message["text"].encode("utf-16-le")
    return [(units[e["offset"] * 2 : (e["offset"] + e["length"]) * 2].decode("utf-16-le"),
             e["user"]["id"])
            for e in message.get("entities", []) if e["type"] == "text_mention"]  # fmt: skip


async def test_a_titles_reminder_notifies_each_holder_named(community: Hearth) -> None:
    mei, odd = member(community, "Mei"), member(community, "A<b> & 🌸")
    text = TITLE_TEXTS.say("reminder", Language.EN, mentions="@Mei @A<b> & 🌸", title="Host",
                           duty="open the Q&A at <8pm>")  # fmt: skip
    [message] = await performed(community, text, [mei, odd])
    assert message["text"] == text  # as written: the names escaped, nothing added
    assert mentions(message) == [("@Mei", mei["id"]), ("@A<b> & 🌸", odd["id"])]


async def test_a_place_about_to_lapse_notifies_its_member(community: Hearth) -> None:
    mei = member(community, "Mei")
    text = ACTIVITY_TEXTS.say("pay_reminder", Language.EN, name="Mei", title="Tea & talk",
                              deadline="tomorrow 18:00", price=20, currency="CNY", code="T7")  # fmt: skip
    [message] = await performed(community, text, [mei])
    assert message["text"] == text
    assert mentions(message) == [("Mei", mei["id"])]


async def test_a_name_is_mentioned_where_it_is_a_word_of_its_own(community: Hearth) -> None:
    li = member(community, "Li")
    [message] = await performed(community, "Lively talk tonight, Li: you open it.", [li])
    assert message["text"] == "Lively talk tonight, Li: you open it."
    assert mentions(message) == [("Li", li["id"])]
    units = message["text"].encode("utf-16-le")
    [entity] = message["entities"]
    assert units[: entity["offset"] * 2].decode("utf-16-le") == "Lively talk tonight, "


async def test_a_member_the_text_does_not_name_is_mentioned_before_it(community: Hearth) -> None:
    mei = member(community, "Mei")
    [message] = await performed(community, "Your session starts in 10 minutes.", [mei])
    assert message["text"] == "Mei Your session starts in 10 minutes."
    assert mentions(message) == [("Mei", mei["id"])]


async def test_a_posts_mention_goes_before_its_formatting(community: Hearth) -> None:
    mei = member(community, "Mei")
    [message] = await performed(community, "**Welcome** week is over", [mei], markdown=True)
    assert message["text"] == "Mei Welcome week is over"
    assert mentions(message) == [("Mei", mei["id"])]
    assert any(e["type"] == "bold" for e in message["entities"])


@pytest.mark.usefixtures("quick_parts")
async def test_a_long_reminder_mentions_once_and_every_part_fits(community: Hearth) -> None:
    """The name that goes before the first part is counted when the text is cut: a first
    part cut at Telegram's limit would be refused once the mention is added."""
    mei = member(community, "Mei Lin")
    text = "word " * 1200 + "the end."
    said = await performed(community, text, [mei])
    assert len(said) == 2
    assert said[0]["text"].startswith("Mei Lin word word")
    assert mentions(said[0]) == [("Mei Lin", mei["id"])]
    assert mentions(said[1]) == []  # told once
    assert all(len(m["text"].encode("utf-16-le")) // 2 <= TEXT_LIMIT for m in said)
    joined = said[0]["text"].removeprefix("Mei Lin ") + " " + said[1]["text"]
    assert joined.split() == text.split()


async def test_a_member_the_server_never_saw_is_named_as_written(community: Hearth) -> None:
    stranger = community.person("Tom")
    [message] = await performed(community, "@Tom your turn", [stranger])
    assert message["text"] == "@Tom your turn"
    assert mentions(message) == []


async def captioned(community: Hearth, text: str, users: list[JSON], folder: Path, *,
                    markdown: bool = False) -> list[JSON]:  # fmt: skip
    """What the group shows for a post of a picture and `text` meant to tell `users` (a SEND
    carrying the file, as the calendar queues a post's picture, and `extra["mentions"]`)."""
    chat = community.group()
    carrier = community.carrier()
    picture = folder / "poster.png"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (250, 200, 60)).save(out, "PNG")
    picture.write_bytes(out.getvalue())
    extra: dict[str, object] = {"asset": str(picture), "content_kind": "picture",
                                "mentions": [str(u["id"]) for u in users]}  # fmt: skip
    if markdown:
        extra["format"] = "markdown"
    await carrier.connect()
    try:
        action = Action(kind=ActionKind.SEND, carrier="telegram", group=str(chat), text=text,
                        handler="calendar", extra=extra)  # fmt: skip
        await carrier.perform(action, "calendar:post:1")
    finally:
        await carrier.disconnect()
    return community.api.messages(chat, by=community.bot_id)


def caption_mentions(message: JSON) -> list[tuple[str, int]]:
    """`mentions` of a caption: its `caption_entities` read as a text's entities."""
    return mentions({"text": message["caption"], "entities": message.get("caption_entities", [])})


async def test_a_pictures_caption_notifies_the_member_it_names(community: Hearth,
                                                               tmp_path: Path) -> None:  # fmt: skip
    """Before, a caption went as plain text: the member it named was not told."""
    mei = member(community, "Mei")
    text = "Mei, here is tonight's poster: <Tea & talk>."
    [message] = await captioned(community, text, [mei], tmp_path)
    assert "photo" in message and message["caption"] == text
    assert caption_mentions(message) == [("Mei", mei["id"])]


async def test_a_posts_caption_mentions_before_its_formatting(community: Hearth,
                                                              tmp_path: Path) -> None:  # fmt: skip
    mei = member(community, "Mei")
    [message] = await captioned(community, "**Tonight** at 8", [mei], tmp_path, markdown=True)
    assert message["caption"] == "Mei Tonight at 8"
    assert caption_mentions(message) == [("Mei", mei["id"])]
    assert any(e["type"] == "bold" for e in message["caption_entities"])


async def test_a_caption_with_no_room_for_the_mention_goes_as_its_own_message(
    community: Hearth, tmp_path: Path
) -> None:
    """A text of the caption's 1024 characters has no room for the name before it: the
    picture goes alone and the text follows with the mention, none of it cut."""
    mei = member(community, "Mei")
    text = ("word " * 205)[:1024]
    photo, said = await captioned(community, text, [mei], tmp_path)
    assert "photo" in photo and "caption" not in photo
    assert said["text"] == f"Mei {text}"
    assert mentions(said) == [("Mei", mei["id"])]
