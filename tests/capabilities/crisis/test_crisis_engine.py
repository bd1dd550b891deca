"""Crisis watch through the engine: a replayed panic alerts staff exactly once, with the
messages that caused it, across a restart; a calm group with one complaint alerts nobody."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from hearthkeeper.bench.synthetic import CHAT_EN, CHAT_ZH
from hearthkeeper.capabilities.crisis.repository import SqlCrisis
from hearthkeeper.clock import FrozenClock
from hearthkeeper.store import Store
from tests.engine_setup import Community, community, playbook

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

PANIC_ZH = [
    ("lu", "小鹿", "用了昨天团的那款精华，今天早上烂脸了！！！"),
    ("qing", "晴天", "我也是，脸上红肿刺痛，是不是过敏了"),
    ("tang", "糖糖", "天哪我也起疹子了，这个产品有问题吧"),
    ("lu", "小鹿", "群主在吗？我要退款！！！"),
    ("may", "阿May", "是不是买到假货了，我要去投诉"),
    ("mumu", "木木", "要不要一起维权，去12315举报"),
    ("qing", "晴天", "太吓人了，我已经去医院了"),
    ("tang", "糖糖", "退款退款，骗子吧"),
]
PANIC_EN = [
    ("emma", "Emma", "My face broke out in a rash after the new serum!!!"),
    ("olivia", "Olivia", "Same here, I think I'm allergic, it's burning"),
    ("wei", "Wei", "Is this a scam? I want a refund"),
    ("hannah", "Hannah", "Mine is swollen, going to the hospital"),
    ("emma", "Emma", "Refund now please, this is awful"),
    ("olivia", "Olivia", "I'm going to file a complaint"),
]


def zh_community(store: Store, clock: FrozenClock) -> Community:
    """A community that speaks Chinese, in Shanghai."""
    pb = playbook()
    where = pb.community.model_copy(update={"language": "zh-CN", "timezone": "Asia/Shanghai"})
    return community(store, clock, pb.model_copy(update={"community": where}))


def chat(c: Community, lines: list[str], members: list[str], days: int, per_day: int) -> None:
    """`per_day` ordinary messages a day for `days` days before START, spread over the day."""
    cycle = itertools.cycle(lines)
    who = itertools.cycle(members)
    for day in range(days, 0, -1):
        for n in range(per_day):
            at = START - timedelta(days=day) + timedelta(minutes=20 * n)
            c.clock.set(at)
            c.engine.process([c.events.message(next(who), next(cycle), at=at)])


def say(c: Community, at: datetime, user: str, name: str, text: str) -> None:
    c.clock.set(at)
    c.engine.process([c.events.message(user, text, name=name, at=at)])


def crisis_alerts(store: Store, c: Community) -> list[str]:
    return [a.text for a in store.staff_alerts(c.runtime.community_id, open_only=False)
            if a.handler == "crisis"]  # fmt: skip


def test_a_panic_in_chinese_alerts_staff_once_with_its_messages_even_across_a_restart(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(START - timedelta(days=7))
    c = zh_community(store, store_clock)
    members = ["lu", "qing", "tang", "may", "mumu", "wen"]
    chat(c, CHAT_ZH, members, days=6, per_day=20)
    ordinary = itertools.cycle(CHAT_ZH)
    for n in range(10):  # a normal morning
        say(c, START + timedelta(minutes=n), members[n % 6], members[n % 6], next(ordinary))
    assert crisis_alerts(store, c) == []
    for n, (user, name, text) in enumerate(PANIC_ZH):  # the burst: 8 messages in 16 minutes
        say(c, START + timedelta(minutes=10 + 2 * n), user, name, text)
    [alert] = crisis_alerts(store, c)
    assert "「g1」负面/恐慌消息激增" in alert
    assert "· 10:10 小鹿: 用了昨天团的那款精华，今天早上烂脸了！！！" in alert
    assert "晴天: 我也是，脸上红肿刺痛，是不是过敏了" in alert
    assert "· 10:18 阿May: 是不是买到假货了，我要去投诉" in alert
    assert "14 条消息中有 5 条（36%），来自 4 位成员；平时约 0%" in alert, "it fired at the 5th"

    c.restart()  # a crash: the panic goes on, the episode is not alerted again
    for n, (user, name, text) in enumerate(PANIC_ZH):
        say(c, START + timedelta(minutes=40 + 3 * n), user, name, text + "!")
    assert len(crisis_alerts(store, c)) == 1
    [episode] = SqlCrisis.on(store).episodes(c.runtime.community_id)
    assert len(episode.marks) >= 12, "the episode keeps the messages that carried it on"
    assert episode.last_at > START + timedelta(minutes=40)

    # a day later, after the cooldown, a new panic is a new episode
    later = START + timedelta(days=1)
    for n, (user, name, text) in enumerate(PANIC_ZH):
        say(c, later + timedelta(minutes=2 * n), user, name, text)
    assert len(crisis_alerts(store, c)) == 2


def test_a_panic_in_english_alerts_staff_once(store: Store, store_clock: FrozenClock) -> None:
    store_clock.set(START - timedelta(days=7))
    c = community(store, store_clock)
    members = ["emma", "olivia", "wei", "hannah", "sam"]
    chat(c, CHAT_EN, members, days=5, per_day=15)
    for n, (user, name, text) in enumerate(PANIC_EN):
        say(c, START + timedelta(minutes=3 * n), user, name, text)
    for n, (user, name, text) in enumerate(PANIC_EN):  # it goes on: still one alert
        say(c, START + timedelta(minutes=20 + 3 * n), user, name, text + " really")
    [alert] = crisis_alerts(store, c)
    assert alert.startswith("A spike of negative or panicked messages in g1:")
    assert "Emma: My face broke out in a rash after the new serum!!!" in alert
    assert "Wei: Is this a scam? I want a refund" in alert
    assert "usually" in alert


def test_a_calm_group_with_one_complaint_alerts_nobody(
    store: Store, store_clock: FrozenClock
) -> None:
    store_clock.set(START - timedelta(days=7))
    c = zh_community(store, store_clock)
    members = ["lu", "qing", "tang", "may"]
    chat(c, CHAT_ZH, members, days=3, per_day=20)
    say(c, START, "lu", "小鹿", "昨天的快递到现在还没到，我要退款！！！太失望了")
    say(c, START + timedelta(minutes=1), "lu", "小鹿", "真的很生气，骗子")
    for n in range(6):
        say(c, START + timedelta(minutes=2 + n), members[n % 4], members[n % 4], CHAT_ZH[n])
    assert crisis_alerts(store, c) == []
    assert SqlCrisis.on(store).episodes(c.runtime.community_id) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a decision, not a query
def test_members_redeeming_a_reward_or_naming_the_communitys_own_raise_no_alarm(
    store: Store, store_clock: FrozenClock
) -> None:
    """Five members typing `兑换 包邮券` (redeeming the points shop's reward, without the slash)
    raised a crisis alert: the sentiment model read 包/邮/券 as a negative review (0.09), and
    so `包邮券` alone, `包邮券怎么用` (0.09) and `排行榜`, `积分排行榜`, commands' names (0.02, 0.007). A member's
    command to the bot is not read for the group's mood, nor are the community's own names in
    a message; what a member says beside them, even after a command's word, still is."""
    store_clock.set(START - timedelta(days=1))
    pb = playbook("mechanisms:\n  points:\n    rewards:\n      - {id: ship, name: 包邮券, cost: 10}\n"
                  "  titles:\n    - {name: 包邮委员, duty: 每周整理包邮好物}\n")  # fmt: skip
    where = pb.community.model_copy(update={"language": "zh-CN", "timezone": "Asia/Shanghai"})
    c = community(store, store_clock, pb.model_copy(update={"community": where}))
    members = ["lu", "qing", "tang", "may", "mumu"]
    calm = ["兑换 包邮券", "兑换包邮券", "包邮券", "包邮券！", "排行榜", "认领 包邮委员", "积分排行榜",
            "包邮券怎么用"]  # fmt: skip
    for n, text in enumerate(calm):
        for m, user in enumerate(members):
            at = START + timedelta(hours=n, minutes=m)  # a window each
            c.clock.set(at)
            [done] = c.engine.process([c.events.message(user, text, name=user, at=at)])
            assert "crisis" in done.handlers, f"{text} did not reach the watch"
    assert crisis_alerts(store, c) == []
    assert SqlCrisis.on(store).episodes(c.runtime.community_id) == []
    # what members say beside a reward or after a command's word is theirs, and still read
    panic = ["兑换 包邮券 骗子", "结果退款一直没到", "我的脸过敏了", "包邮券是假货吧", "投诉了"]
    for n, (user, text) in enumerate(zip(members, panic, strict=True)):
        say(c, START + timedelta(hours=len(calm), minutes=n), user, user, text)
    [alert] = crisis_alerts(store, c)
    assert "lu: 兑换 包邮券 骗子" in alert and "mumu: 投诉了" in alert
