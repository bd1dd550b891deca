"""Welcome and ceremony: rules to accept, nickname format, introduction reminders."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from hearthkeeper.capabilities.ceremony.handlers import nickname_fits
from hearthkeeper.capabilities.format import human_duration
from hearthkeeper.capabilities.texts import say
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import ActionKind
from hearthkeeper.playbook import PlaybookError, parse_playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.templates import template_text
from hearthkeeper.store import Store
from tests.engine_setup import Community, community, playbook
from tests.playbook_samples import MINIMAL


def test_a_newcomer_is_welcomed_with_the_rules(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    [joined] = c.engine.process([c.events.join("u1", name="Mei")])
    welcome = next(a for a in joined.actions if a.kind is ActionKind.SEND and a.not_before is None)
    text = welcome.text or ""
    assert "Mei" in text and "g1" in text
    assert "1. No advertising." in text and "2. Be kind." in text
    assert "agree" in text and "introduce yourself" in text
    reminder = next(a for a in joined.actions if a.not_before is not None)
    assert reminder.not_before == c.events.now + timedelta(hours=12)


def test_the_playbook_welcome_text_and_placeholders_are_used(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = playbook(
        "joining:\n  ceremony:\n    welcome: 'Hi {nickname}, this is {community}. {rules}'\n"
    )
    c = community(store, store_clock, pb)
    [joined] = c.engine.process([c.events.join("u1", name="Mei")])
    assert (joined.actions[0].text or "").startswith("Hi Mei, this is Tea Friends. Group rules:")


def test_rules_must_be_accepted_before_posting(store: Store, store_clock: FrozenClock) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join("u1")])
    [early] = c.engine.process([c.events.message("u1", "hello everyone")])
    assert ActionKind.DELETE in [a.kind for a in early.actions]
    [accept] = c.engine.process([c.events.message("u1", "Agree")])
    assert ActionKind.TAG in [a.kind for a in accept.actions]
    [later] = c.engine.process([c.events.message("u1", "hello again")])
    assert ActionKind.DELETE not in [a.kind for a in later.actions]
    c.restart()
    [after_restart] = c.engine.process([c.events.message("u1", "still here")])
    assert after_restart.actions == (), "acceptance is remembered in the store"


def test_rules_accepted_in_one_group_count_in_the_others_at_once(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join("u1", group="g1"), c.events.join("u1", group="g2")])
    c.engine.process([c.events.message("u1", "hello", group="g2")])  # g2's seat is now cached
    [accept] = c.engine.process([c.events.message("u1", "Agree", group="g1")])
    assert ActionKind.TAG in [a.kind for a in accept.actions]
    [other] = c.engine.process([c.events.message("u1", "hello again", group="g2")])
    assert ActionKind.DELETE not in [a.kind for a in other.actions], "asked to accept twice"


def test_members_who_were_there_before_the_bot_are_not_asked(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    [old_timer] = c.engine.process([c.events.message("veteran", "morning all")])
    assert old_timer.actions == ()


def test_a_nickname_that_breaks_the_format_gets_a_reminder(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = playbook("joining:\n  ceremony:\n    nickname_format: 城市-昵称-行业\n")
    c = community(store, store_clock, pb)
    [bad] = c.engine.process([c.events.join("u1", name="bob")])
    assert "城市-昵称-行业" in (bad.actions[0].text or "")
    [good] = c.engine.process([c.events.join("u2", name="上海-Mei-设计")])
    assert "城市-昵称-行业" not in (good.actions[0].text or "")


def test_the_intro_reminder_fires_only_for_the_silent(
    store: Store, store_clock: FrozenClock
) -> None:
    c = community(store, store_clock)
    c.engine.process([c.events.join("talker"), c.events.join("silent")])
    c.engine.process([c.events.message("talker", "agree")])
    store_clock.advance(timedelta(hours=13))
    asyncio.run(c.engine.drain())
    reminders = [
        p.action for p in c.carrier.performed if p.action.key and p.action.key.startswith("intro:")
    ]
    assert [r.member for r in reminders] == ["silent"]


def test_a_newcomer_whose_first_post_was_deleted_still_cancels_the_reminder_by_speaking(
    store: Store, store_clock: FrozenClock
) -> None:
    """A deleted post is not speaking: before, it counted as the newcomer's first message, so
    the one they wrote next did not call the reminder off and it fired anyway."""
    c = community(store, store_clock)
    c.engine.process([c.events.join("newcomer")])
    [ad] = c.engine.process([c.events.message("newcomer", "加我微信 abc12345 低价出货")])
    assert any(a.kind is ActionKind.DELETE for a in ad.actions), "the ad is deleted"
    c.engine.process([c.events.message("newcomer", "agree")])
    store_clock.advance(timedelta(hours=13))
    asyncio.run(c.engine.drain())
    reminders = [
        p.action for p in c.carrier.performed if p.action.key and p.action.key.startswith("intro:")
    ]
    assert reminders == [], "they spoke after the ad was deleted"


def test_a_nickname_fits_when_it_has_as_many_parts_as_the_format() -> None:
    assert nickname_fits("杭州-小鹿-设计", "城市-昵称-行业")
    assert nickname_fits("杭州－小鹿—设计", "城市-昵称-行业")  # full-width and long dashes
    assert not nickname_fits("小鹿", "城市-昵称-行业")
    assert not nickname_fits("杭州--设计", "城市-昵称-行业")  # an empty part is no part


def test_the_rules_are_accepted_in_the_words_newcomers_use(
    store: Store, store_clock: FrozenClock
) -> None:
    """`我同意群规` and `I agree to the rules.` were deleted with "reply 'agree' first"."""
    c = community(store, store_clock)
    for user, words in (("u1", "我同意群规！"), ("u2", "I agree to the rules."),
                        ("u3", "ＯＫ，同意"), ("u4", "Agreed!")):  # fmt: skip
        c.engine.process([c.events.join(user)])
        [accept] = c.engine.process([c.events.message(user, words)])
        kinds = [a.kind for a in accept.actions]
        assert ActionKind.TAG in kinds and ActionKind.DELETE not in kinds, words
    c.engine.process([c.events.join("u5")])
    [chat] = c.engine.process([c.events.message("u5", "I agree with you about the fonts")])
    assert ActionKind.DELETE in [a.kind for a in chat.actions], "a sentence is not acceptance"


def _back_again(c: Community) -> str:
    """Mei joins, leaves and joins again: what the group reads on her return."""
    c.engine.process([c.events.join("u1", name="Mei")])
    c.engine.process([c.events.leave("u1")])
    [again] = c.engine.process([c.events.join("u1", name="Mei")])
    # the welcome back alone (a paid community also tells one who joined unpaid how to pay)
    [said] = [a.text or "" for a in again.actions
              if a.kind is ActionKind.SEND and a.handler == "welcome"]  # fmt: skip
    return said


def test_the_playbook_welcome_back_text_greets_a_returning_member(
    store: Store, store_clock: FrozenClock
) -> None:
    """A circle's returning member could only be greeted with the built-in line: the
    operator could not say it in the circle's own voice."""
    pb = playbook("joining:\n  ceremony:\n    accept_rules: false\n    welcome_back: "
                  "'{nickname} 回来啦！{community} 的老朋友，欢迎回到 {group}。'\n")  # fmt: skip
    c = community(store, store_clock, pb)
    assert _back_again(c) == "Mei 回来啦！Tea Friends 的老朋友，欢迎回到 g1。"


def test_without_a_welcome_back_text_a_returning_member_reads_the_built_in_one(
    store: Store, store_clock: FrozenClock
) -> None:
    zh = parse_playbook(MINIMAL.replace("language: en", "language: zh-CN")
                        + "joining:\n  ceremony:\n    accept_rules: false\n").playbook  # fmt: skip
    assert zh.community.language is Language.ZH_CN
    c = community(store, store_clock, zh)
    assert _back_again(c) == "欢迎回来，Mei！很高兴在「g1」再见到你。"


def test_a_welcome_back_text_with_a_placeholder_it_cannot_fill_is_refused_where_written() -> None:
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(MINIMAL + "joining:\n  ceremony:\n    welcome_back: 'Hi {rules}'\n",
                       "pb.yaml")  # fmt: skip
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith("pb.yaml:12:19: joining.ceremony.welcome_back: unknown "
                              "placeholder {rules}; available: {nickname}, {group}"), problem  # fmt: skip


def test_a_returning_member_of_the_paid_skincare_circle_reads_its_own_welcome_back(
    store: Store, store_clock: FrozenClock
) -> None:
    pb = parse_playbook(template_text("skincare"), "skincare.yaml").playbook
    c = community(store, store_clock, pb)
    said = _back_again(c)
    assert said.startswith("欢迎回来，Mei！颜学院护肤社的老朋友又见面啦"), said
    assert "群规" not in said.split("\n")[0]


def _mei_made_staff_after_her_welcome(store: Store, store_clock: FrozenClock) -> Community:
    """The community after Mei joined (and was welcomed) and was then made a manager."""
    c = community(store, store_clock)
    c.engine.process([c.events.join("mei", name="Mei")])
    g1 = store.group_for_carrier("fake", "g1")
    assert g1 is not None
    store.set_role(c.member_id("mei"), g1.id, "manager")
    c.restart()
    return c


def test_a_member_made_staff_after_their_welcome_is_answered_when_they_agree(
    store: Store, store_clock: FrozenClock
) -> None:
    """The welcome asked Mei to reply 'agree'; made staff before she did, her 'agree' got no
    answer at all (staff were passed over by the rules gate) and her introduction reminder
    still fired though she had spoken. Staff are never held back from posting."""
    c = _mei_made_staff_after_her_welcome(store, store_clock)
    [agreed] = c.engine.process([c.events.message("mei", "agree", name="Mei")])
    replies = [a.text for a in agreed.actions if a.kind is ActionKind.REPLY]
    assert replies == ["Thanks Mei, you have accepted the rules. Welcome!"]
    assert ActionKind.DELETE not in [a.kind for a in agreed.actions]
    [again] = c.engine.process([c.events.message("mei", "agree, and welcome everyone")])
    assert again.actions == (), "thanked once"
    store_clock.advance(timedelta(hours=13))
    asyncio.run(c.engine.drain())
    intro = [p for p in c.carrier.performed if (p.action.key or "").startswith("intro:")]
    assert intro == [], "she spoke: no reminder to introduce herself"


def test_staff_who_never_agreed_still_post_freely(store: Store, store_clock: FrozenClock) -> None:
    c = _mei_made_staff_after_her_welcome(store, store_clock)
    [posted] = c.engine.process([c.events.message("mei", "Tasting moved to Friday")])
    held = [a.kind for a in posted.actions if a.kind in (ActionKind.DELETE, ActionKind.REPLY)]
    assert held == [], "staff are not asked to accept the rules first"


@pytest.mark.parametrize("name", ["ppt", "repurchase", "skincare", "club"])
def test_each_templates_welcome_lists_the_rules_under_their_own_heading(
    store: Store, store_clock: FrozenClock, name: str
) -> None:
    """The PPT template's welcome put the rules inside its own numbered list ('1. 读完群规并
    确认：群规：' then rules 1 to 5, then '2. 群昵称改成…'), the repurchase one after a
    heading of its own ('群规看一眼就好：群规：')."""
    pb = parse_playbook(template_text(name), f"{name}.yaml").playbook
    c = community(store, store_clock, pb)
    [joined] = c.engine.process([c.events.join("u1", name="Mei")])
    # the welcome, then (a paid template with a trial: ppt) the trial line folded into it
    welcome, *_ = [a for a in joined.actions if a.reason == "welcome"]
    lines = (welcome.text or "").splitlines()
    header = "Group rules:" if pb.community.language is Language.EN else "群规："
    assert header in lines, lines  # on a line of its own
    first = lines.index(header)
    numbered = [n for n, line in enumerate(lines) if line[:1].isdigit() and line[1:3] == ". "]
    before = [n for n in numbered if n < first]
    assert before == [], f"a numbered list around the rules: {lines[before[0]]!r}" if before else ""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a text, not a query
def test_a_chinese_welcome_asks_for_the_introduction_within_a_day_written_as_chinese(
    store: Store, store_clock: FrozenClock
) -> None:
    """The ppt template's `intro_deadline: 24h` read `请在 1 天 内做个自我介绍`: a space between
    天 and 内 that Chinese never writes (likewise a probation notice's `入群 1 天 内`)."""
    pb = parse_playbook(template_text("ppt"), "ppt.yaml").playbook
    c = community(store, store_clock, pb)
    [joined] = c.engine.process([c.events.join("u1", name="杭州-阿叶-互联网")])
    welcome = next(a for a in joined.actions if a.kind is ActionKind.SEND and a.not_before is None)
    assert "请在 1 天内做个自我介绍，让大家认识你。" in (welcome.text or "")
    probation = say("probation", Language.ZH_CN, nickname="阿叶", what="链接",
                    duration=human_duration(timedelta(hours=24), Language.ZH_CN))  # fmt: skip
    assert probation == "阿叶，新成员入群 1 天内不能发链接，消息已撤回。"
