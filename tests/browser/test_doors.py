"""Each joining threshold at the web chat's join page, in a real browser against one real
server running five communities: the skincare template as it ships (`paid`, zh-CN), an
English one that admits by `invite_code`, a Chinese core circle that admits by `min_level`,
and a free community running the invite task with its circle that admits by `task`. Each
test asserts what the joiner reads and whether they end up in the chat.

`open` is covered by test_member_journey.py (strangers join the open template there);
`application` by test_joining.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hearthkeeper.capabilities.admission.codes_repository import SqlInviteCodes
from hearthkeeper.capabilities.points.levels_repository import SqlLevels
from hearthkeeper.capabilities.referrals.repository import SqlReferrals
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.carriers.webchat.socket import MEMBER_COOKIE
from tests.browser.conftest import OpenPage, Screenshots
from tests.browser.live import LiveServer, start_live_server
from tests.browser.pages import bot_says, eventually, join_chat, say, sign_in

CODES = "glow-club"  # the English community that admits by invite code
CORE = "yan-core"  # the Chinese core circle: members at 学员 (student) or above
FREE = "yan-free"  # a free (open) Chinese community running the invite task
CIRCLE = "yan-circle"  # its circle: those who brought 2 friends who stayed in FREE
INVITE_TASK = """\
  referrals:
    enabled: true
    invites: 2
    stay: 3s
    posts: 0
    reward: {points: 30, title: 拉新达人}
"""
REFERENCE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")  # a payment reference, XXXX-XXXX


def rewrite(slug: str, name: str, language: str, threshold: str) -> Callable[[str], str]:
    """The skincare template as community `slug` called `name`, speaking `language`, whose
    `joining.threshold` is `threshold` (its YAML lines, indented under `threshold:`)."""

    def rewritten(text: str) -> str:
        for line, ours in (("  slug: yan-academy-skincare", f"  slug: {slug}"),
                           ("  name: 颜学院护肤社", f"  name: {name}"),
                           ("  language: zh-CN", f"  language: {language}")):  # fmt: skip
            assert line in text, f"the skincare template has no line {line!r} any more"
            text = text.replace(line, ours, 1)
        start, end = text.index("  threshold:\n"), text.index("  ceremony:\n")
        return text[:start] + f"  threshold:\n{threshold}" + text[end:]

    return rewritten


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module: each test uses a community of its own."""
    by_code = rewrite(CODES, "Glow Club", "en", "    kind: invite_code\n")
    by_level = rewrite(
        CORE, "颜学院核心班", "zh-CN", "    kind: min_level\n    min_level: student\n"
    )
    free = rewrite(FREE, "颜学院免费群", "zh-CN", "    kind: open\n")
    by_task = rewrite(CIRCLE, "颜学院进阶圈", "zh-CN",
                      f"    kind: task\n    invite_friends: 2\n    referrals_in: [{FREE}]\n")  # fmt: skip
    data: Path = tmp_path_factory.mktemp("doors") / "data"
    started = start_live_server(
        data,
        groups=2,
        open_door=False,
        more=(by_code, by_level, lambda text: with_invite_task(free(text)), by_task),
    )
    try:
        yield started
    finally:
        started.stop()


def with_invite_task(text: str) -> str:
    """The playbook with `mechanisms.referrals` on (2 friends who stay 3 seconds, saying
    nothing: the door is what these tests watch)."""
    assert "\nmechanisms:\n" in text, "the skincare template has no mechanisms section any more"
    return text.replace("\nmechanisms:\n", "\nmechanisms:\n" + INVITE_TASK, 1)


def in_the_chat(page: Page) -> None:
    """The joiner is on the chat page, connected."""
    page.wait_for_url("**/chat/**")
    expect(page.locator("#status")).to_have_attribute("data-state", "online")


def press_join(page: Page) -> None:
    page.click("#join-form button[type=submit]")


def user_of(server: LiveServer, page: Page) -> str:
    """The web chat user id the browser of `page` is (by its member cookie)."""
    [token] = [c["value"] for c in page.context.cookies() if c["name"] == MEMBER_COOKIE]
    user = server.host.carrier(WebChatCarrier).user_for_token(token)
    assert user is not None, "the browser holds no member's cookie"
    return user.user_id


def test_paid_a_joiner_reads_the_price_gets_a_reference_and_is_in_once_staff_record_the_payment(
    server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    joiner = open_page()
    joiner.goto(server.invite_url())
    door = joiner.locator("#admission")
    expect(door).to_contain_text("「颜学院护肤社」是付费社群")
    expect(door).to_contain_text("开通「颜学院半年会员」（299 元 / 6 个月）后即可加入")
    expect(door).to_contain_text("先填写昵称并点“加入”，即可拿到你的付款参考码")
    joiner.fill("#nickname", "小鹿")
    press_join(joiner)
    expect(door).to_contain_text("付款时请备注你的付款参考码")
    found = REFERENCE.search(door.inner_text())
    assert found is not None, door.inner_text()
    reference = found[0]
    expect(joiner.locator("#nickname")).to_have_value("小鹿")  # the form stays
    expect(joiner).to_have_url(re.compile(r"/join/"))
    shots.take(joiner, "reference")

    staff = open_page(locale="en-GB")
    sign_in(staff, server, f"/console/c/{server.slug}/billing")
    staff.fill("input[name=who]", reference)
    staff.fill("input[name=receipt]", "TB20261204001")
    staff.locator("button", has_text="Record payment").click()
    expect(staff.locator(".notice")).to_contain_text("Payment recorded")
    expect(staff.locator("#subscriptions")).to_contain_text("小鹿")
    shots.take(staff, "recorded")

    press_join(joiner)  # the same page, Join again
    in_the_chat(joiner)
    expect(bot_says(joiner, "欢迎 小鹿 加入颜学院护肤社")).to_have_count(1)


def test_invite_code_a_wrong_code_is_refused_the_right_one_lets_in_once_per_person(
    server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    staff = open_page(locale="en-GB")
    sign_in(staff, server, f"/console/c/{CODES}/codes")
    staff.fill("#label", "spring poster")
    staff.fill("#max_uses", "1")
    staff.fill("#code", "spring26")
    staff.locator("#new-code button[type=submit]").click()
    expect(staff.locator(".notice")).to_contain_text("Invite code SPRING26 made.")
    expect(staff.locator("tr[data-code=SPRING26]")).to_contain_text("0 / 1")

    link = server.invite_url(0, CODES)
    mei = open_page(locale="en-GB")
    mei.goto(link)
    expect(mei.locator("html")).to_have_attribute("lang", "en")
    expect(mei.locator("#admission")).to_contain_text(
        "This community is joined with an invite code: enter the code you were given."
    )
    expect(mei.locator("#invite_code")).to_have_value("")
    mei.fill("#nickname", "Mei")
    mei.fill("#invite_code", "SPRNG")
    press_join(mei)
    expect(mei.locator("#admission")).to_contain_text("There is no invite code “SPRNG” here")
    expect(mei.locator("#admission")).to_have_class("error")
    expect(mei.locator("#invite_code")).to_be_visible()  # asked again
    expect(mei).to_have_url(re.compile(r"/join/"))  # not in the chat
    shots.take(mei, "wrong-code")

    mei.goto(f"{link}?code=spring26")  # the link staff hand out carries the code
    expect(mei.locator("#invite_code")).to_have_value("spring26")
    expect(mei.locator("#nickname")).to_have_value("Mei")  # the browser is Mei since her try
    press_join(mei)
    in_the_chat(mei)

    lan = open_page(locale="en-GB")
    lan.goto(f"{link}?code=SPRING26")
    lan.fill("#nickname", "Lan")
    press_join(lan)
    expect(lan.locator("#admission")).to_contain_text(
        "The invite code “SPRING26” has been used by as many people as it may (1)"
    )
    expect(lan).to_have_url(re.compile(r"/join/"))
    shots.take(lan, "used-up")

    # Mei leaves and comes back with the same link: still let in, still counted once.
    groups = server.groups(CODES)
    server.call(server.host.carrier(WebChatCarrier).leave(groups[0].id, user_of(server, mei)))
    mei.goto(f"{link}?code=SPRING26")
    press_join(mei)
    in_the_chat(mei)
    staff.reload()
    expect(staff.locator("tr[data-code=SPRING26]")).to_contain_text("1 / 1")
    used = SqlInviteCodes.on(server.store).code_named(server.community_of(CODES), "SPRING26")
    assert used is not None and used.uses == 1


def test_min_level_a_member_below_the_level_is_refused_and_let_in_once_at_it(
    server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    core = server.community_of(CORE)
    link = server.invite_url(0, CORE)
    stranger = open_page()
    stranger.goto(link)
    expect(stranger.locator("#admission")).to_contain_text(
        "本群仅对“学员”及以上等级的成员开放，请先加入本社群的其他群"
    )
    expect(stranger.locator("#join-form")).to_have_count(0)

    # 阿花 is in the community's other group already (a newcomer there).
    user_id, token = server.seat_member("阿花", group=1, community=CORE)
    member = eventually(lambda: server.store.find_member("webchat", user_id),
                        "阿花 known as a member")  # fmt: skip
    ahua = open_page()
    ahua.context.add_cookies([{"name": MEMBER_COOKIE, "value": token, "url": server.url}])
    ahua.goto(link)
    expect(ahua.locator("#admission")).to_contain_text(
        "本群仅对“学员”及以上等级的成员开放，你目前是“新同学”。"
    )
    expect(ahua.locator("#join-form")).to_have_count(0)
    shots.take(ahua, "below")

    SqlLevels.on(server.store).change_level(core, member.id, None, "student", "promoted",
                                            server.host.clock.now())  # fmt: skip
    ahua.goto(link)
    expect(ahua.locator("#admission")).to_have_count(0)
    expect(ahua.locator("#nickname")).to_have_value("阿花")
    press_join(ahua)
    in_the_chat(ahua)
    expect(bot_says(ahua, "欢迎 阿花 加入颜学院核心班")).to_have_count(1)


def test_task_a_member_is_refused_until_friends_they_invited_stayed_then_let_in(
    server: LiveServer, open_page: OpenPage, shots: Screenshots
) -> None:
    ann = open_page()
    join_chat(ann, server.invite_url(0, FREE), "安安")
    say(ann, "同意")
    say(ann, "/邀请")
    reply = bot_says(ann, "专属邀请链接")
    expect(reply).to_contain_text(f"{server.url}/ref/")
    found = re.search(r"(http://\S+/ref/[A-Za-z0-9_-]+)", reply.inner_text())
    assert found is not None, reply.inner_text()
    link = found[1]

    circle = server.invite_url(0, CIRCLE)
    ann.goto(circle)
    door = ann.locator("#admission")
    expect(door).to_contain_text(
        "加入本社群需要先邀请 2 位朋友（留满考察期才计入）。你目前已计入 0 位，还差 2 位。"
    )
    expect(ann.locator("#join-form")).to_have_count(0)
    shots.take(ann, "task-refused")

    member = server.store.find_member("webchat", user_of(server, ann))
    assert member is not None
    referrals = SqlReferrals.on(server.store)
    free = [server.community_of(FREE)]

    def credited(n: int) -> bool:
        return referrals.credited(free, member.id) >= n

    for n, friend in enumerate(("小白", "小红"), start=1):
        join_chat(open_page(), link, friend)  # the link leads on to FREE's join page
        eventually(lambda n=n: credited(n), f"{n} of 安安's friends credited after their stay")
        if n == 1:
            ann.reload()
            expect(door).to_contain_text("你目前已计入 1 位，还差 1 位。")
            expect(ann.locator("#join-form")).to_have_count(0)
    assert referrals.credited(free, member.id) == 2  # each friend once

    ann.reload()
    expect(ann.locator("#admission")).to_have_count(0)
    expect(ann.locator("#nickname")).to_have_value("安安")
    shots.take(ann, "task-form")
    press_join(ann)
    in_the_chat(ann)
    expect(bot_says(ann, "欢迎 安安 加入颜学院进阶圈")).to_have_count(1)
    assert [s.nickname for s in server.host.carrier(WebChatCarrier).platform.seated(
        server.groups(CIRCLE)[0].id)] == ["安安"]  # fmt: skip
