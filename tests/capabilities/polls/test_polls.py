"""Polls through the engine with the fake carrier, on both databases (a test of how a reply
is read or worded alone, marked a decision, on SQLite)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from hearthkeeper.capabilities.polls.repository import SqlPolls
from hearthkeeper.capabilities.signups.repository import SqlSignUps
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.capabilities.signups.test_signups import chinese, only, said, say, staffed
from tests.engine_setup import playbook

WEEKEND = "/投票 周末活动去哪 | 爬山 | 看展 | 桌游 [截止 21:00]"


def test_a_poll_is_announced_with_its_options_and_how_to_vote(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    posted = only(say(c, "boss", WEEKEND))
    assert posted.startswith("📊 投票：周末活动去哪\n1. 爬山\n2. 看展\n3. 桌游\n")
    assert "单选·实名·5月1日 周五 21:00 截止" in posted and "例如「1」" in posted


def test_single_choice_one_vote_per_member_and_a_new_vote_replaces_it(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", WEEKEND)
    assert only(say(c, "mei", "1")) == "✅ mei 投给了 1. 爬山。"
    assert only(say(c, "bob", "B")) == "✅ bob 投给了 2. 看展。"
    assert only(say(c, "mei", "/投 3")) == "✅ mei 改投 3. 桌游。"
    assert only(say(c, "mei", "3")) == "mei，你已经投过这一项了。"
    assert only(say(c, "ann", "1 3")) == "ann，这是单选投票，只能选一项，例如「1」。"
    results = only(say(c, "ann", "/投票结果"))
    assert "1. 爬山   0 票" in results
    assert "2. 看展  █████ 1 票 (50%) — bob" in results
    assert "3. 桌游  █████ 1 票 (50%) — mei" in results and "共 2 人投票" in results
    assert [v.option for v in SqlPolls.on(store).votes(1) if v.display_name == "mei"] == [2]


def test_result_bars_are_each_options_share_of_the_voters(
    store: Store, store_clock: FrozenClock
) -> None:
    """Bars were drawn against the leading option: three options at 33% each showed three
    full bars, as if each had every vote. Now a bar is as long as the share it shows. The
    three shares add up to 100%: each read 33% (half up), 99% in all; the first of the tied
    options takes the point left over (largest remainder)."""
    c = staffed(store, store_clock)
    say(c, "boss", WEEKEND)
    for member, choice in (("mei", "1"), ("bob", "2"), ("ann", "3")):
        say(c, member, choice)
    results = only(say(c, "dan", "/投票结果"))
    for line in ("1. 爬山  ███ 1 票 (34%)", "2. 看展  ███ 1 票 (33%)", "3. 桌游  ███ 1 票 (33%)"):
        assert line in results
    assert "██████████" not in results
    assert sum(int(share) for share in re.findall(r"\((\d+)%\)", results)) == 100


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_single_choice_poll_s_shares_add_up_to_100_percent(
    store: Store, store_clock: FrozenClock
) -> None:
    """One vote of eight is 12.5%, seven 87.5%: each rounded half up, the chat said 13% and
    88%, 101% of the voters. The shares now add up to 100%: the point left over goes to the
    larger remainder, a tie to the option with more votes."""
    c = staffed(store, store_clock)
    say(c, "boss", WEEKEND)
    for n in range(8):
        say(c, f"v{n}", "1" if n == 0 else "2")
    results = only(say(c, "dan", "/投票结果"))
    assert "1. 爬山  █ 1 票 (12%) — v0" in results
    assert "2. 看展  █████████ 7 票 (88%)" in results and "共 8 人投票" in results
    assert "3. 桌游   0 票 (0%)" in results


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_multiple_choice_poll_s_shares_are_each_of_the_voters_half_up(
    store: Store, store_clock: FrozenClock
) -> None:
    """Several choices each: a share is of the voters, so they add up to more than 100%,
    and each is rounded half up on its own (1 of 8 is 13%, not Python's 12%)."""
    c = staffed(store, store_clock)
    say(c, "boss", "/投票 带什么 | 水 | 零食 | 雨伞 | 多选")
    for n in range(8):
        say(c, f"v{n}", "1 2" if n == 0 else "2")
    results = only(say(c, "dan", "/投票结果"))
    assert "1. 水  █ 1 票 (13%) — v0" in results
    assert "2. 零食  ██████████ 8 票 (100%)" in results and "共 8 人投票" in results


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_bar_is_as_long_as_its_printed_share_says(store: Store, store_clock: FrozenClock) -> None:
    """The share was rounded half up and the bar half to even: 1 of 4 read 25% beside two
    blocks (2.5 to even), 9 of 20 read 45% beside four. A bar is the printed share's tenths,
    half up: three blocks for 25%, five for 45%."""
    c = staffed(store, store_clock)
    say(c, "boss", WEEKEND)
    for n in range(4):
        say(c, f"v{n}", "1" if n == 0 else "2")
    results = only(say(c, "dan", "/投票结果"))
    assert "1. 爬山  ███ 1 票 (25%) — v0" in results
    assert "2. 看展  ████████ 3 票 (75%)" in results
    for n in range(4, 20):
        say(c, f"v{n}", "1" if n < 12 else "2")
    results = only(say(c, "dan", "/投票结果"))
    assert "1. 爬山  █████ 9 票 (45%)" in results
    assert "2. 看展  ██████ 11 票 (55%)" in results


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_deadline_in_the_past_is_said_to_have_passed(
    store: Store, store_clock: FrozenClock
) -> None:
    """`截止 昨天` was answered "cannot read the deadline": it has passed, and says so."""
    c = staffed(store, store_clock)
    reply = only(say(c, "boss", "/投票 周末活动去哪 | 爬山 | 看展 | 截止 昨天"))
    assert reply.startswith("截止时间「昨天」已经过了。") and "看不懂" not in reply
    assert SqlPolls.on(store).get(1) is None, "no poll was opened"


def test_multiple_choice_adds_one_vote_per_option(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/投票 带什么 | 水 | 零食 | 雨伞 | 多选")
    assert only(say(c, "mei", "1 3")) == "✅ mei 投给了 1. 水, 3. 雨伞。"
    assert only(say(c, "mei", "AB")) == "✅ mei 投给了 1. 水, 2. 零食, 3. 雨伞。"
    assert sorted(v.option for v in SqlPolls.on(store).votes(1)) == [0, 1, 2]
    assert only(say(c, "mei", "/撤票")) == "mei 撤回了投票。"
    assert SqlPolls.on(store).votes(1) == []


def test_anonymous_results_hide_who_voted(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", "/投票 谁来主持 | 小王 | 小李 | 匿名")
    assert only(say(c, "mei", "2")) == "✅ mei 的投票已记下。", "the reply does not echo the choice"
    say(c, "bob", "2")
    results = only(say(c, "ann", "/results"))
    assert "2. 小李  ██████████ 2 票 (100%)" in results
    assert "mei" not in results and "bob" not in results


def test_the_anonymous_default_comes_from_the_playbook(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock, chinese("mechanisms:\n  polls:\n    anonymous: true\n"))
    assert "匿名" in only(say(c, "boss", "/投票 谁来主持 | 小王 | 小李"))
    say(c, "boss", "/结束投票")
    assert "实名" in only(say(c, "boss", "/投票 谁来主持 | 小王 | 小李 | 实名"))


def test_the_deadline_posts_the_results_once(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", WEEKEND)
    say(c, "mei", "1")
    say(c, "bob", "1")
    say(c, "ann", "2")
    store_clock.advance(timedelta(hours=4))  # 17:00 → 21:00 in Shanghai
    c.restart()
    assert c.engine.tick() == 1 and c.engine.tick() == 0
    asyncio.run(c.engine.drain())
    [final] = [
        p.action.text or "" for p in c.carrier.performed if "投票结束" in (p.action.text or "")
    ]
    assert final.startswith("📊 投票结束：周末活动去哪（单选·实名·已结束）")
    assert "1. 爬山  ███████ 2 票 (67%) — mei、bob" in final and final.endswith("最多票：爬山")
    c.events.now = store_clock.now()
    assert said(say(c, "dan", "1")) == [], "a bare number after the poll is ordinary chat"
    assert only(say(c, "dan", "/vote 1")) == "现在没有进行中的投票。"
    assert "投票结束" in only(say(c, "dan", "/results")), "the last results can still be seen"


def test_a_poll_in_a_group_closed_before_its_deadline_still_posts_its_results(
    store: Store, store_clock: FrozenClock
) -> None:
    """The operator closed the group while a poll ran (`hearth groups close`): its members
    voted and still read the group, so the results come at the deadline (before, scheduled
    work in a closed group said nothing, and their votes were never answered)."""
    c = staffed(store, store_clock)
    say(c, "boss", WEEKEND)
    say(c, "mei", "1")
    store.add_group(c.runtime.community_id, "g2", "fake", "g2")
    group = store.group_for_carrier("fake", "g1")
    assert group is not None
    store.close_group(group.id, "ops")
    store_clock.advance(timedelta(hours=4))  # 17:00 → 21:00 in Shanghai
    c.restart()
    assert c.engine.tick() == 1
    asyncio.run(c.engine.drain())
    [final] = [
        p.action.text or "" for p in c.carrier.performed if "投票结束" in (p.action.text or "")
    ]
    assert "1. 爬山  ██████████ 1 票 (100%) — mei" in final


def test_staff_end_a_poll_early(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    say(c, "boss", WEEKEND)
    assert "「周末活动去哪」还在投票中" in only(say(c, "boss", "/poll 再来 | a | b"))
    assert only(say(c, "boss", "/结束投票")).startswith("📊 投票结束：周末活动去哪")
    scheduled = store.scheduled("poll:1:close")
    assert scheduled is not None and scheduled.status == "cancelled"


def test_members_cannot_start_or_end_a_poll(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock, roles={"pat": "partner"})
    assert only(say(c, "mei", WEEKEND)) == "mei，只有 创始人、管理员、合伙人 可以使用「/投票」。"
    assert "只有" in only(say(c, "mei", "/endpoll"))
    assert "📊 投票" in only(say(c, "pat", WEEKEND)), "partners may start polls"
    assert SqlPolls.on(store).current(1) is not None


def test_started_by_names_the_roles_who_may_start_polls(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock, chinese("mechanisms:\n  polls:\n    started_by: [creator]\n"))
    assert only(say(c, "boss", WEEKEND)) == "boss，只有 创始人 可以使用「/投票」。"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_unreadable_polls_and_votes_get_the_usage(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock)
    for text, problem in [
        ("/投票", "请写上投票的问题。"),
        ("/投票 去哪 | 爬山", "至少要有两个选项"),
        ("/投票 去哪 | 爬山 | 爬山", "选项「爬山」写了两次"),
        ("/投票 去哪 | 爬山 | 看展 | 截止 下辈子", "看不懂截止时间「下辈子」"),
        ("/投票 去哪 | 爬山 | 看展 | 截止 昨天", "截止时间「昨天」已经过了。"),
    ]:
        reply = only(say(c, "boss", text))
        assert problem in reply.splitlines()[0] and "用法：/投票 问题" in reply, text
    say(c, "boss", WEEKEND)
    assert only(say(c, "mei", "/投 爬山吧")) == "用法：/投 2 或 /投 选项（多选：/投 1 3）"
    assert only(say(c, "mei", "/投 7")) == "mei，选项是 1–3（或 A–C）。"
    assert said(say(c, "mei", "7")) == [], "a bare number out of range is ordinary chat"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_options_named_by_letters_are_voted_for_by_their_name(
    store: Store, store_clock: FrozenClock
) -> None:
    """With options literally named B, A, C, replying `A` was recorded as option 1 ("B")."""
    c = staffed(store, store_clock)
    say(c, "boss", "/poll 方案 | B | A | C")
    assert only(say(c, "mei", "A")) == "✅ mei 投给了 2. A。"
    assert only(say(c, "bob", "/投 c")) == "✅ bob 投给了 3. C。"
    assert only(say(c, "ann", "1")) == "✅ ann 投给了 1. B。", "a number is still a position"
    say(c, "boss", "/结束投票")
    say(c, "boss", "/poll 周末去哪 | 爬山 | 看展")
    assert only(say(c, "ann", "/投 看展")) == "✅ ann 投给了 2. 看展。"
    assert [v.option for v in SqlPolls.on(store).votes(2)] == [1]
    assert sorted(v.option for v in SqlPolls.on(store).votes(1)) == [0, 1, 2]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_chinese_reply_choosing_an_option_by_its_words_is_a_vote(
    store: Store, store_clock: FrozenClock
) -> None:
    """`我选看展` and `投 桌游` were ordinary chat, left without a word, while `我选B` voted:
    members name the option they want in their own words. Words naming no option after 选
    (`选哪个好纠结`) stay chat, with no poll open too."""
    c = staffed(store, store_clock)
    assert said(say(c, "mei", "我选看展")) == [], "no poll open: chat"
    say(c, "boss", WEEKEND)
    assert only(say(c, "mei", "我选看展")) == "✅ mei 投给了 2. 看展。"
    assert only(say(c, "bob", "投 桌游！")) == "✅ bob 投给了 3. 桌游。"
    assert only(say(c, "ann", "选：爬山")) == "✅ ann 投给了 1. 爬山。"
    assert said(say(c, "dan", "选哪个好纠结")) == [] and said(say(c, "dan", "我选择困难")) == []
    assert sorted(v.option for v in SqlPolls.on(store).votes(1)) == [0, 1, 2]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_letters_naming_no_option_are_ordinary_chat(store: Store, store_clock: FrozenClock) -> None:
    """`OK` while a three-option poll was open got 'the options are 1–3 (or A–C)'."""
    c = staffed(store, store_clock)
    assert said(say(c, "mei", "a")) == [], "no poll open: a bare letter is chat"
    say(c, "boss", WEEKEND)
    assert said(say(c, "mei", "OK")) == [] and said(say(c, "mei", "GG")) == []
    assert SqlPolls.on(store).votes(1) == []
    assert only(say(c, "mei", "b")) == "✅ mei 投给了 2. 看展。", "letters are positions"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_a_deadline_before_the_question_is_answered_with_where_it_goes(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    reply = only(say(c, "boss", "/投票 截止 21:00 | 甲 | 乙"))
    assert reply.startswith("第一段是投票的问题；截止时间、多选、匿名写在选项后面")
    assert "至少要有两个选项" not in reply
    assert "看不懂截止时间「前交表」" in only(say(c, "boss", "/投票 交表 | 当天 | 截止前交表"))
    posted = only(say(c, "boss", "/投票 交表方式 | 周五截止 | 当天交"))
    assert "1. 周五截止\n2. 当天交" in posted


def test_english_poll(store: Store, store_clock: FrozenClock) -> None:
    c = staffed(store, store_clock, playbook())
    posted = only(
        say(c, "boss", "/poll Where to? | hike | museum | multiple | anonymous | until 21:00")
    )
    assert posted.startswith("📊 Poll: Where to?\n1. hike\n2. museum\n")
    assert "multiple choice · anonymous · closes Fri 1 May 21:00" in posted
    assert only(say(c, "mei", "/vote 1 2")) == "✅ mei, your vote is counted."
    assert "1. hike  ██████████ 1 (100%)" in only(say(c, "mei", "/results"))


def test_disabled_mechanisms_take_no_commands_and_no_replies(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = chinese("mechanisms:\n  polls:\n    enabled: false\n  signups:\n    enabled: false\n")
    c = staffed(store, store_clock, pb)
    for text in ("/投票 去哪 | 爬山 | 看展", "/接龙 夜跑", "+1", "1"):
        result = say(c, "boss", text)
        assert said(result) == [] and not {"commands", "signups", "polls"} & set(result.handlers)
    assert SqlSignUps.on(store).lists() == [] and SqlPolls.on(store).current(1) is None


VIP_FAQ = """\
mechanisms:
  faq:
    entries:
      - question: VIP 怎么开通？
        keywords: [VIP]
        answer: VIP 在小程序「我的」里开通，年费 99 元。
      - question: APP 在哪下载？
        keywords: [APP]
        answer: 应用商店搜「颜学院」。
"""


def test_what_reads_like_a_vote_is_chat_for_later_handlers_unless_a_poll_takes_it(
    store: Store, store_clock: FrozenClock
) -> None:
    """`VIP` reads like a vote for V, I and P: with no poll open (or one of three options) it
    stopped the FAQ, the crisis watch, points and the fallback from seeing it."""
    c = staffed(store, store_clock, chinese(VIP_FAQ))
    assert only(say(c, "mei", "VIP")) == "VIP 在小程序「我的」里开通，年费 99 元。", "no poll open"
    say(c, "boss", WEEKEND)
    assert only(say(c, "ann", "APP")) == "应用商店搜「颜学院」。", "naming no option: chat too"
    assert SqlPolls.on(store).votes(1) == []
    assert only(say(c, "ann", "B")) == "✅ ann 投给了 2. 看展。", "a vote the poll takes"
    assert say(c, "ann", "1 3").handlers[-1] == "polls", "answered (single choice): no FAQ"
    say(c, "boss", "/结束投票")
    _, voted = c.engine.process([c.events.message("boss", WEEKEND), c.events.message("mei", "3")])
    assert said(voted) == ["✅ mei 投给了 3. 桌游。"], "a poll started in the same batch takes it"


def test_a_poll_without_a_deadline_closes_after_the_playbooks_default(
    store: Store, store_clock: FrozenClock
) -> None:
    """`mechanisms.polls.default_duration`: a poll started without `截止` shows the deadline the
    playbook gives (2 hours here) and posts its results then, not a day later."""
    c = staffed(store, store_clock, chinese("mechanisms:\n  polls:\n    default_duration: 2h\n"))
    posted = only(say(c, "boss", "/投票 周末活动去哪 | 爬山 | 看展"))
    assert "5月1日 周五 19:00 截止" in posted, posted
    say(c, "mei", "1")
    store_clock.advance(timedelta(minutes=119))  # not yet (the poll began seconds after 17:00)
    c.restart()
    assert c.engine.tick() == 0
    store_clock.advance(timedelta(minutes=2))
    assert c.engine.tick() == 1
    asyncio.run(c.engine.drain())
    assert [p for p in c.carrier.performed if "投票结束" in (p.action.text or "")]


def test_a_poll_without_a_deadline_runs_a_day_by_default(
    store: Store, store_clock: FrozenClock
) -> None:
    c = staffed(store, store_clock)
    assert "5月2日 周六 17:00 截止" in only(say(c, "boss", "/投票 周末活动去哪 | 爬山 | 看展"))
