"""Which question-shaped messages wait for an answer: a quarrel's taunt and a member's
self-introduction do not; a real question that looks like either does (`waiting.py`)."""

from __future__ import annotations

import pytest

from hearthkeeper.capabilities.faq.match import looks_like_question
from hearthkeeper.capabilities.faq.waiting import not_waiting
from hearthkeeper.text.normalise import prepare


def why_not(text: str) -> str | None:
    read = prepare(text)
    assert looks_like_question(read), f"{text!r} reads as a question: what this module sorts"
    return not_waiting(read)


@pytest.mark.parametrize("text", [
    "你是不是脑子有问题？",
    "凭什么踢我出群？",
    "关你啥事啊？",
    "你们是不是都瞎了？",
    "看什么看？",
    "你有完没完啊？？",
    "Are you kidding?",
    "Who do you think you're talking to? Who do you think you are?",
    "What's your deal?",
    "Why are you so annoying?",
    "Can't you even read?",
])  # fmt: skip
def test_a_quarrels_taunt_waits_for_no_answer(text: str) -> None:
    assert why_not(text) == "quarrel"


@pytest.mark.parametrize("text", [
    "大家好，我是新来的阿花，做美甲的，有没有同行呀？",
    "新人报到～我叫小葵，油皮一枚，有同款的姐妹吗？",
    "Hi all, I'm Sam from Leeds, anyone else here into sourdough?",
    "Hey everyone, I'm Nina, just joined. Anyone else from Glasgow?",
    "Hello! My name is Ivan, new here. Who else likes chess?",
    "Hey! I'm Grace, I just signed up for the membership. Anyone else from Leeds?",
])  # fmt: skip
def test_a_self_introduction_waits_for_no_answer(text: str) -> None:
    assert why_not(text) == "introduction"


@pytest.mark.parametrize("text", [
    # what staff should answer, worded like a taunt
    "凭什么会员要涨价？",
    "凭什么老用户没有优惠？",
    "你们是不是周六不上课？",
    "凭什么删我帖子？麻烦管理员查一下",
    "How dare they charge me twice? Can someone check?",
    "Are you serious about closing the forum? Where do we go instead?",
    "Why was my message removed?",
    # a complaint about money or access, however angrily put: staff must see it
    "凭什么扣我钱？？",
    "你凭什么扣我钱？",
    "凭什么封我号？？",
    "你们是不是有病，扣了我两次钱？",
    "钱扣了进不了群，你们干什么吃的？",
    "凭什么限制我进群？",
    "How dare you charge me twice?",
    "Are you kidding me, I paid and cannot get in?",
    "What the hell, I was charged twice?",
    "You call that a refund?",
    # a question put to the group or staff
    "有没有人知道怎么退款？",
    "Is anyone else unable to log in?",
    # a newcomer whose money or way in went wrong
    "大家好，我是新来的小王，交了钱还是进不了群？",
    "大家好我是小李，刚交了会员费，没收到链接？",
    "Hi, I'm Sam, new here. I was charged twice?",
    "Hello, my name is Ivan, just joined, my payment didn't go through?",
    # a newcomer who also asks for something
    "大家好，我是新来的小王，请问在哪里看课程回放？",
    "Hi, I'm Sam, new here. How do I book a tasting?",
    "Hello all, I'm Priya. Is there a schedule for the workshops?",
    # a long account that quotes a taunt is for staff to read
    "昨天在群里问了一个关于订单的问题，结果有个人回我说“你是不是有病”，"
    "我觉得很不舒服，这种情况管理员会管吗？还是只能自己屏蔽他？",
])  # fmt: skip
def test_a_real_question_that_looks_like_them_still_waits(text: str) -> None:
    assert why_not(text) is None
