"""The web chat speaks the community's language: its pages, its refusals and the words the
chat page hands its script are Chinese for a zh-CN community and stay English for an en one."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from hearthkeeper.carriers.webchat import WebChatRefused
from hearthkeeper.carriers.webchat.limits import ChatLimits
from hearthkeeper.carriers.webchat.plugin import WebChatLimits
from hearthkeeper.carriers.webchat.protocol import MAX_TEXT
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook import parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import sqlite_url
from tests.playbook_samples import open_to_everyone
from tests.serve_setup import build, project
from tests.webchat_setup import Chat, build_chat, join, sqlite_store

_SCRIPT_TEXTS = re.compile(r'<script type="application/json" id="chat-texts">(.*?)</script>')


@pytest.fixture
def zh(tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock) -> Iterator[Chat]:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        yield build_chat(store, store_clock, tmp_path, language=Language.ZH_CN)


@pytest.fixture
def en(tmp_path: Path, migrated_sqlite: Path, store_clock: FrozenClock) -> Iterator[Chat]:
    with sqlite_store(tmp_path, migrated_sqlite, store_clock) as store:
        yield build_chat(store, store_clock, tmp_path, language=Language.EN)


def script_texts(page: str) -> dict[str, str]:
    found = _SCRIPT_TEXTS.search(page)
    assert found is not None, page
    texts: dict[str, str] = json.loads(html.unescape(found[1]))
    return texts


def test_a_chinese_communitys_join_and_chat_pages_are_in_chinese(zh: Chat) -> None:
    zh.member("早起的鸟")
    client = TestClient(zh.app)
    page = client.get(f"/join/{zh.codes[0]}").text
    assert '<html lang="zh-CN">' in page
    assert "已有 1 人，共 3 个位置" in page and "你在群里的昵称" in page
    assert ">加入</button>" in page and "seats taken" not in page and "nickname in" not in page
    assert join(client, zh.codes[0], "小美").status_code == 303
    chat = client.get(f"/chat/{zh.codes[0]}").text
    assert '<html lang="zh-CN">' in chat and "2 位成员" in chat and "连接中…" in chat
    assert 'placeholder="输入消息"' in chat and ">发送</button>" in chat
    texts = script_texts(chat)
    assert texts["connected"] == "已连接" and texts["reply"] == "回复"
    # the script fills it in
    assert (
        texts["muted_notice"] == "你被禁言至 {when}：{reason}。仍可发送「/申诉 理由」请管理员复核，"
        "或回复一条消息发送「/举报 理由」向管理员举报"
    )
    assert "你已在本群，昵称是 <strong>小美</strong>。" in client.get(f"/join/{zh.codes[0]}").text


def test_an_english_communitys_pages_stay_english(en: Chat) -> None:
    en.member("early bird")
    client = TestClient(en.app)
    page = client.get(f"/join/{en.codes[0]}").text
    assert '<html lang="en">' in page and "1 of 3 seats taken" in page
    assert "Your nickname in the group" in page and ">Join</button>" in page
    join(client, en.codes[0], "Mei")
    chat = client.get(f"/chat/{en.codes[0]}").text
    assert "2 members" in chat and "connecting…" in chat and 'placeholder="Write a message"' in chat
    texts = script_texts(chat)
    assert texts["connected"] == "connected" and texts["member_one"] == "{count} member"
    assert (
        "You are in this group as <strong>Mei</strong>." in client.get(f"/join/{en.codes[0]}").text
    )


def test_a_full_group_and_a_refused_nickname_are_explained_in_chinese(zh: Chat) -> None:
    for n in range(3):
        zh.member(f"成员{n}")
    client = TestClient(zh.app)
    full = join(client, zh.codes[0], "迟到的人")
    assert full.status_code == 403
    assert "本群已满（3/3）。" in full.text and "还有空位的群：" in full.text
    refused = join(client, zh.codes[1], "@小美")
    assert refused.status_code == 400 and "昵称不能包含 @" in refused.text


def test_a_muted_member_and_a_too_long_message_are_refused_in_chinese(zh: Chat) -> None:
    user, _ = zh.carrier.create_user("刷屏的人")
    group = zh.groups[0].id
    asyncio.run(zh.carrier.join(group, user.user_id))
    with pytest.raises(WebChatRefused) as too_long:
        asyncio.run(zh.carrier.say(group, user.user_id, "字" * (MAX_TEXT + 1)))
    assert too_long.value.message == f"消息太长：{MAX_TEXT + 1} 个字符（最多 {MAX_TEXT} 个）。"
    mute = Action(kind=ActionKind.MUTE, carrier="webchat", group="tea-1", member=user.user_id,
                  duration=timedelta(minutes=10), reason="刷屏")  # fmt: skip
    asyncio.run(zh.carrier.perform(mute, "m1"))
    with pytest.raises(WebChatRefused) as muted:
        asyncio.run(zh.carrier.say(group, user.user_id, "再发一条"))
    assert muted.value.message == "你被禁言至 5月1日 周五 09:10：刷屏。"


def test_a_rate_limit_says_when_to_try_again_in_the_members_language(zh: Chat) -> None:
    limits = ChatLimits(WebChatLimits(joins_per_minute=1), zh.clock, zh.store)
    assert limits.join("10.0.0.1", None, Language.ZH_CN) is None
    refused = limits.join("10.0.0.1", None, Language.ZH_CN)
    assert refused is not None and refused.seconds == 60
    assert refused.message == "从这里加入的群太多了：每分钟最多 1 个。请 60 秒后再试。"
    english = limits.join("10.0.0.1", None)
    assert english is not None and english.message.endswith("Please try again in 60 seconds.")


def test_an_unknown_invite_is_explained_in_english_and_chinese(zh: Chat) -> None:
    missing = TestClient(zh.app).get("/join/no-such-code")
    assert missing.status_code == 404
    assert "No such group" in missing.text and "没有这个群" in missing.text


def test_the_join_page_follows_the_language_of_the_playbook_being_run(
    tmp_path: Path, store_clock: FrozenClock
) -> None:
    playbook = project(tmp_path / "site")  # the skincare template: zh-CN
    text = open_to_everyone(playbook.read_text(encoding="utf-8"))
    # the brand calls its bot 小助手 (community.bot_name), not Hearthkeeper
    text = text.replace("  name: 颜学院护肤社", "  name: 颜学院护肤社\n  bot_name: 小助手", 1)
    playbook.write_text(text, encoding="utf-8")
    host = build(playbook, sqlite_url(tmp_path / "site" / "data"), store_clock)
    try:
        community = host.running[0].community.id
        [invite] = host.invites()
        client = TestClient(host.app)
        path = invite.url.removeprefix(host.web_settings.public_url)
        assert "你在群里的昵称" in client.get(path).text
        # a nickname shown beside every message is read by the community's moderation rules
        # once, on joining and on renaming: an ad there is refused, in the members' language
        code = path.rsplit("/", 1)[-1]
        member = TestClient(host.app)
        advert = join(member, code, "加V信ab1234领福利")
        assert advert.status_code == 400
        assert "昵称不能带联系方式、链接或广告（“加V信ab1234领福利”里的" in advert.text
        # nor the bot's name as the community calls it, however it is spaced or widened
        bot = join(member, code, "小 助 手")
        assert bot.status_code == 400 and "和机器人的名字 小助手 太像了" in bot.text
        assert join(member, code, "杭州-小鹿-混油皮").status_code == 303
        with member.websocket_connect(f"/chat/{code}/ws") as ws:
            assert ws.receive_json()["group"]["bot"] == "小助手"
        renamed = join(member, code, "vx abc12345")
        assert renamed.status_code == 400 and "昵称不能带联系方式" in renamed.text
        assert "昵称是 <strong>杭州-小鹿-混油皮</strong>" in member.get(path).text
        # a staff role's title (structure.roles[].title, the name members know staff by) is
        # no nickname: a newcomer called 群秘书 was told of every private pitch, as the rules
        # ask members to do ('发现有人私聊推销请告诉群秘书'); a title within a name is fine
        posing = join(TestClient(host.app), code, "群秘书")
        assert posing.status_code == 400
        assert (
            "“群秘书”用了本群管理员的头衔“群秘书”，只有担任这个职务的管理员可以使用" in posing.text
        )
        assert join(member, code, "院 长").status_code == 400  # spaces and width folded
        assert join(member, code, "杭州-院长粉丝-干皮").status_code == 303
        # nor a word that reads as staff or the system speaking, whatever the roles are called
        official = join(TestClient(host.app), code, "【官方】客服")
        assert official.status_code == 400
        assert "看起来像管理员或系统在说话（“官方”），只有管理员可以使用这样的名字" in official.text
        english = playbook.read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
        host.replace(community, parse_playbook(english, str(playbook)), by="alice")
        page = client.get(path).text
        assert '<html lang="en">' in page and "Your nickname in the group" in page
    finally:
        host.close()


def test_a_chinese_chat_turns_strangers_and_bad_frames_away_in_chinese(zh: Chat) -> None:
    client = TestClient(zh.app)
    with (
        client.websocket_connect(f"/chat/{zh.codes[0]}/ws") as ws,
        pytest.raises(WebSocketDisconnect) as stranger,
    ):
        ws.receive_json()
    assert stranger.value.code == 4401 and stranger.value.reason == "尚未加入：请打开本群的邀请链接"
    _, token = zh.member("小美")
    client.cookies.set("hearth_member", token)
    with client.websocket_connect(f"/chat/{zh.codes[0]}/ws") as ws:
        ws.receive_json()  # the hello
        for _ in range(3):
            ws.send_text("not json")
        with pytest.raises(WebSocketDisconnect) as bad:
            for _ in range(10):
                ws.receive_json()
    assert bad.value.code == 1008 and bad.value.reason == "被拒绝的消息太多"
