"""Staff alerts on Telegram name people as inline mentions, through aiogram to the fake Bot
API (which reads a `tg://user?id=` link as Telegram does: a `text_mention` entity carrying
the user): the staff channel's post names each recipient once, by the name its text has for
them, and a direct message links the member the alert is about, so the staff member reading
it can open them with a tap. The deliveries are the alert router's (`staff_deliveries`), as
the engine queues them."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from hearthkeeper.capabilities.alerts.decide import alert_text
from hearthkeeper.capabilities.alerts.route import staff_deliveries
from hearthkeeper.capabilities.texts import say
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.registry import Delivery
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from tests.carriers.telegram.fake_bot_api import JSON
from tests.carriers.telegram.telegram_setup import Hearth

pytestmark = [pytest.mark.telegram, pytest.mark.asyncio]


def known(community: Hearth, name: str, stored: str | None = None) -> JSON:
    """A Telegram user named `name`, whom the server knows by `stored` (else `name`)."""
    user = community.person(name)
    community.store.member_for("telegram", str(user["id"]), stored or name)
    return user


def staff(community: Hearth, user: JSON, chat: int) -> None:
    """`user` is the community's secretary (who receives alerts), in the group `chat`."""
    member = community.store.find_member("telegram", str(user["id"]))
    group = community.store.group_for_carrier("telegram", str(chat))
    assert member is not None and group is not None
    community.store.set_role(member.id, group.id, "secretary")


def playbook(community: Hearth, staff_chat: int, *, direct: bool) -> Playbook:
    """The community's playbook with `staff_chat` its staff channel, no quiet hours."""
    pb = community.runtime.playbook
    alerts = pb.alerts.model_copy(update={"staff_group": str(staff_chat), "quiet_hours": None,
                                          "direct": direct})  # fmt: skip
    return pb.model_copy(update={"alerts": alerts})


def ad_alert(group: int, offender: JSON, nickname: str) -> Action:
    """Moderation's alert about `offender`'s message in `group`, naming them `nickname`."""
    text = say("alert", Language.ZH_CN, group="护肤 1群", nickname=nickname, violation="广告",
               excerpt="低价代购")  # fmt: skip
    return Action(kind=ActionKind.ALERT_STAFF, carrier="telegram", group=str(group),
                  member=str(offender["id"]), text=text, reason="ads", handler="moderation")  # fmt: skip


async def delivered(community: Hearth, pb: Playbook, about: Action) -> Sequence[Delivery]:
    """Route `about` as the engine does, and perform what goes out on Telegram."""
    found = staff_deliveries(community.store, pb, community.runtime.community_id, "alert:1",
                             alert_text(about.text or "", pb), about)  # fmt: skip
    carrier = community.carrier()
    await carrier.connect()
    try:
        for delivery in found:
            await carrier.perform(delivery.action, delivery.key)
    finally:
        await carrier.disconnect()
    return found


def mentions(message: JSON) -> list[tuple[str, int]]:
    """The words of each `text_mention` of the message and the id of the user it notifies."""
    units = message["text"].encode("utf-16-le")
    return [(units[e["offset"] * 2 : (e["offset"] + e["length"]) * 2].decode("utf-16-le"),
             e["user"]["id"])
            for e in message.get("entities", []) if e["type"] == "text_mention"]  # fmt: skip


async def test_a_staff_member_is_named_once_by_the_name_the_alert_has(community: Hearth) -> None:
    """Bob took a new name on Telegram, Robert, which the server learnt (he joined another
    group under it) after the alert was queued naming him `@Bob`. Before, the post linked the
    server's name in front of the text's: `Robert @Bob`, Bob named twice."""
    staff_chat, group = community.group("Staff"), community.group()
    bob = known(community, "Robert", stored="Bob")
    tom = known(community, "Tom")
    community.carrier()  # the chats adopted as the community's groups
    staff(community, bob, staff_chat)
    pb = playbook(community, staff_chat, direct=False)
    about = ad_alert(group, tom, "Tom")
    found = staff_deliveries(community.store, pb, community.runtime.community_id, "alert:1",
                             alert_text(about.text or "", pb), about)  # fmt: skip
    community.store.member_for("telegram", str(bob["id"]), "Robert")  # seen under his new name
    carrier = community.carrier()
    await carrier.connect()
    try:
        [post] = found
        await carrier.perform(post.action, post.key)
    finally:
        await carrier.disconnect()
    [message] = community.api.messages(staff_chat, by=community.bot_id)
    assert message["text"] == "@Bob\n" + alert_text(about.text or "", pb)
    assert "Robert" not in message["text"]
    assert mentions(message) == [("@Bob", bob["id"])]


async def test_a_direct_alert_links_the_member_it_is_about(community: Hearth) -> None:
    """Before, the private alert named Tom as text: the staff member reading it could not
    open him. Tom is not in that chat, so Telegram tells him nothing; nothing is added before
    the text (a private chat is its reader's own)."""
    staff_chat, group = community.group("Staff"), community.group()
    bob, tom = known(community, "Bob"), known(community, "Tom")
    community.carrier()
    staff(community, bob, staff_chat)
    community.api.start_private(bob, community.token)
    pb = playbook(community, staff_chat, direct=True)
    about = ad_alert(group, tom, "Tom")
    await delivered(community, pb, about)
    [message] = community.api.private_messages(bob["id"], community.token)
    assert message["text"] == alert_text(about.text or "", pb)
    assert mentions(message) == [("Tom", tom["id"])]


async def test_a_direct_alert_about_its_reader_mentions_nobody(community: Hearth) -> None:
    """An alert about the secretary herself (a reward she redeemed) reaches her privately as
    written: a mention of her own name, in her own chat, tells her nothing more."""
    staff_chat, group = community.group("Staff"), community.group()
    mei = known(community, "Mei")
    community.carrier()
    staff(community, mei, staff_chat)
    community.api.start_private(mei, community.token)
    pb = playbook(community, staff_chat, direct=True)
    about = ad_alert(group, mei, "Mei")
    await delivered(community, pb, about)
    [message] = community.api.private_messages(mei["id"], community.token)
    assert message["text"] == alert_text(about.text or "", pb)
    assert "entities" not in message
