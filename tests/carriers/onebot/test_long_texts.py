"""A text longer than a QQ message (the carrier's `max_text`, 4,000 characters) through the real
carrier to the fake OneBot v11 implementation: it goes in several messages cut at paragraph
ends, in order, nothing left out; a retry, in a new process too, sends only the parts not
sent yet (kept with the outbox item, as Telegram keeps them). A newcomer's full-size welcome
(about 20,000 characters, `tests/carriers/long_welcome.py`) through the engine arrives whole,
in order, each message ending a sentence or a line (cut at the limit alone, a rule longer
than a message was torn mid-sentence)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hearthkeeper.carriers.parts import entry, fingerprint
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import PRIORITY, Action, ActionKind
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.playbook.templates import template_text
from tests.carriers.long_welcome import assert_arrived_whole, long_welcome_playbook
from tests.carriers.onebot.fake_onebot import Failed
from tests.carriers.onebot.onebot_setup import QQ, open_threshold, qq_community, real_now, serving
from tests.webchat_setup import sqlite_store

# Tests of what a long text's parts are use `quick_parts` (50 ms apart, conftest.py); those of
# the pace and of other groups' actions going between the parts keep the real second.
pytestmark = [pytest.mark.onebot, pytest.mark.asyncio]

PARAGRAPHS = [f"第{n}段：" + "早晚洗脸后涂防晒，" * 160 for n in (1, 2, 3)]  # 1,444 characters each
LONG = "\n\n".join(PARAGRAPHS)  # a post may have 8,000


def post(number: int) -> Action:
    return Action(kind=ActionKind.SEND, carrier="qq", group=str(number), text=LONG,
                  handler="calendar")  # fmt: skip


@pytest.mark.usefixtures("quick_parts")
async def test_a_post_longer_than_a_message_goes_in_parts_cut_at_paragraph_ends(qq: QQ) -> None:
    number = qq.group()
    async with serving(qq) as carrier:
        receipt = await carrier.perform(post(number), "calendar:post:long")
        most = carrier.capabilities.max_text
    said = qq.fake.bot_said(number)
    assert len(LONG) > most and [len(s.text) <= most for s in said] == [True, True]
    assert [s.text for s in said] == ["\n\n".join(PARAGRAPHS[:2]), PARAGRAPHS[2]]
    assert receipt == str(said[0].message_id)
    # what the outbound queue counts against the group's actions a minute: each message
    assert carrier.messages(post(number)) == len(said)


@pytest.mark.usefixtures("quick_parts")
async def test_a_retry_in_a_new_process_sends_only_the_parts_not_sent(qq: QQ) -> None:
    number = qq.group()
    key = "calendar:post:long"
    later = qq.clock.now() + timedelta(days=1)  # queued, not due: performed here by hand
    qq.store.enqueue(key, "qq", post(number).to_json(), 0, at=later)
    refused: list[str] = []

    def second_part(action: str, params: dict[str, Any]) -> Failed | None:
        text = "".join(str(s["data"].get("text", "")) for s in params.get("message", []))
        if action == "send_group_msg" and text.startswith("第3段") and not refused:
            refused.append(text)
            return Failed(1200, "send failed")
        return None

    qq.fake.refuse = second_part
    async with serving(qq) as carrier:
        with pytest.raises(CarrierError):
            await carrier.perform(post(number), key)
    assert [s.text[:4] for s in qq.fake.bot_said(number)] == ["第1段："]

    async with serving(qq) as restarted:  # a new process: what it knows is in the store
        await restarted.perform(post(number), key)
    assert [s.text[:4] for s in qq.fake.bot_said(number)] == ["第1段：", "第3段："]


@pytest.mark.usefixtures("quick_parts")
async def test_a_full_size_welcome_arrives_whole_and_in_order(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    clock = FrozenClock(real_now())
    playbook = long_welcome_playbook(open_threshold(template_text("skincare")))
    with sqlite_store(tmp_path, migrated_sqlite, clock) as store:
        async with qq_community(store, clock, tmp_path / "data", playbook=playbook) as qq:
            group = qq.group()
            async with serving(qq) as carrier:
                mei = qq.person("杭州-小美-混油皮")
                await qq.fake.join(group, mei, qq.names[mei])
                await qq.fake.bot_message(group, "请回复「同意」表示接受群规")  # its last part
                most = carrier.capabilities.max_text
            said = [s.text for s in qq.fake.bot_said(group)]
    assert_arrived_whole(said, "杭州-小美-混油皮", most)


@pytest.mark.usefixtures("quick_parts")
async def test_a_long_text_is_recorded_by_its_first_part_whose_id_came_back(qq: QQ) -> None:
    """The first part's answer came back without its message id: the text was recorded by no
    id at all (so it could not be deleted or replied to), though QQ gave the second part's."""
    number = qq.group()
    answer = qq.fake._api_send_group_msg

    def first_part_without_id(params: dict[str, Any]) -> dict[str, Any]:
        data = answer(params)
        return {} if str(params["message"][0]["data"].get("text", "")).startswith("第1段") else data

    qq.fake._api_send_group_msg = first_part_without_id  # type: ignore[method-assign]
    async with serving(qq) as carrier:
        receipt = await carrier.perform(post(number), "calendar:post:long")
    first, second = qq.fake.bot_said(number)
    assert receipt == str(second.message_id) != str(first.message_id)


def _refuse_the_third_paragraph_once(qq: QQ) -> None:
    refused: list[str] = []

    def second_part(action: str, params: dict[str, Any]) -> Failed | None:
        text = "".join(str(s["data"].get("text", "")) for s in params.get("message", []))
        if action == "send_group_msg" and text.startswith("第3段") and not refused:
            refused.append(text)
            return Failed(1200, "send failed")
        return None

    qq.fake.refuse = second_part


@pytest.mark.usefixtures("quick_parts")
async def test_a_retry_after_the_message_size_changed_sends_exactly_the_rest(qq: QQ) -> None:
    """Two paragraphs went in the first message, the third was refused; the next process cuts
    at 2,000 characters (its settings changed, or an upgrade). The retry counted the parts
    sent and sent the new cut's second and third: the second paragraph twice. It now sends
    the text from where the part that went ended."""
    number = qq.group()
    key = "calendar:post:resized"
    qq.store.enqueue(key, "qq", post(number).to_json(), 0, at=qq.clock.now() + timedelta(days=1))
    _refuse_the_third_paragraph_once(qq)
    async with serving(qq) as carrier:
        with pytest.raises(CarrierError):
            await carrier.perform(post(number), key)
    resized = qq.carrier()
    resized.capabilities = dataclasses.replace(resized.capabilities, max_text=2000)
    async with serving(qq, resized) as restarted:
        receipt = await restarted.perform(post(number), key)
    said = qq.fake.bot_said(number)
    assert [s.text for s in said] == ["\n\n".join(PARAGRAPHS[:2]), PARAGRAPHS[2]]
    assert receipt == str(said[0].message_id)


async def test_the_parts_go_a_second_apart_so_qq_takes_them_all(qq: QQ) -> None:
    """QQ's risk control refuses (or drops) a bot's messages sent back to back: the second part
    went straight after the first, was refused, and the text's end never came. The parts go a
    second apart (`PART_GAP_S`), as on Telegram."""
    number = qq.group()
    qq.fake.min_gap = 0.5
    async with serving(qq) as carrier:
        await carrier.perform(post(number), "calendar:post:paced")
    assert [s.text for s in qq.fake.bot_said(number)] == ["\n\n".join(PARAGRAPHS[:2]),
                                                          PARAGRAPHS[2]]  # fmt: skip


async def test_a_long_text_holds_up_no_other_group(qq: QQ) -> None:
    """A long post queued before another group's: its parts a second apart would hold up every
    other action of the bot. It goes aside (`engine/aside.py`): the other group's post goes
    before its last part."""
    first, second = qq.group(), qq.group()
    short = Action(kind=ActionKind.SEND, carrier="qq", group=str(second), text="今天的打卡开始了",
                   handler="calendar")  # fmt: skip
    now = qq.clock.now()
    for key, action in (("calendar:long", post(first)), ("calendar:short", short)):
        qq.store.enqueue(key, "qq", action.to_json(), PRIORITY[action.kind], at=now)
    async with serving(qq):
        await qq.until_due(lambda: len(qq.fake.bot_said(first)) == 2
                           and len(qq.fake.bot_said(second)) == 1, "both posts")  # fmt: skip
    groups = [params["group_id"] for params in qq.fake.actions("send_group_msg")]
    assert groups.index(second) < len(groups) - 1 - groups[::-1].index(first)


@pytest.mark.usefixtures("quick_parts")
async def test_a_text_rendered_otherwise_since_its_parts_went_is_not_resumed(qq: QQ) -> None:
    """The part kept points into the text as it was rendered then (its fingerprint differs:
    a Markdown reader changed by an upgrade): resumed there, the rest could repeat or skip
    words. The item fails for good, saying so, and nothing more is sent."""
    number = qq.group()
    key = "calendar:post:rendered"
    qq.store.enqueue(key, "qq", post(number).to_json(), 0, at=qq.clock.now() + timedelta(days=1))
    assert qq.store.record_progress(key, [entry("1000001", "2890", fingerprint("another"))])
    async with serving(qq) as carrier:
        with pytest.raises(CarrierError, match="rendered otherwise") as refused:
            await carrier.perform(post(number), key)
    assert refused.value.retry is False and qq.fake.bot_said(number) == []
