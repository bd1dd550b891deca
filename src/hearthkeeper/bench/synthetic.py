"""A synthetic, reproducible chat stream: many groups, many members, some evasive advertising."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from hearthkeeper.engine.events import Message, Sender

CARRIER = "bench"

CHAT_ZH = [
    "早上好呀", "今天的知识包太有用了，收藏了", "请问这个精华液敏感肌能用吗？", "打卡", "+1",
    "谢谢老师的分享！", "我也想参加周六的活动", "这个多少钱呀", "昨天买的已经收到了，包装很好",
    "有没有人一起去夜跑", "哈哈哈哈笑死我了", "群主辛苦了", "晚上八点的分享大家别忘了",
    "我是上海的，做设计的，请多关照", "这个面膜用了一周，皮肤好多了", "接龙 2份", "求推荐防晒",
    "今天喝水了吗？", "楼上说得对", "明天见～", "这周的作业交了吗", "PPT 的配色有什么技巧",
]  # fmt: skip
CHAT_EN = [
    "good morning everyone", "thanks for sharing, very useful", "does anyone know when the "
    "next session starts?", "check in", "count me in", "where can I buy the refill?",
    "see you on Saturday", "haha that's great", "welcome to the group!", "I had the same problem",
    "the wine tasting was lovely", "what time is it in London now?", "I live in Lisbon btw",
]  # fmt: skip
ADS = [
    "加微信{id}领取免费试用", "加 V 信 {id} 低价出货", "兼职日结，日赚500，联系{phone}",
    "薇信：{id} 招代理", "代开发票 请联系 {phone}", "进群领红包 https://t.me/joinchat/{id}",
    "earn money fast, dm me for details", "crypto giveaway at hxxp://free-{id} dot com",
    "扫码领取优惠 w.e.i.x.i.n {id}", "加\u200b微\u200b信 {id}", "ｖｘ：{id} 私聊我",
]  # fmt: skip
ZH_DIGITS = "零一二三四五六七八九"


def _phone(rng: random.Random) -> str:
    digits = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
    style = rng.randrange(3)
    if style == 0:
        return digits
    if style == 1:
        return "".join(ZH_DIGITS[int(d)] for d in digits)
    return " ".join(digits[i : i + 4] for i in range(0, 11, 4))


def stream(count: int, *, groups: int = 500, members: int = 20_000, ad_share: float = 0.03,
           seed: int = 7, start: datetime) -> Iterator[Message]:  # fmt: skip
    """`count` messages, about `ad_share` of them advertisements written to evade filters."""
    rng = random.Random(seed)
    at = start
    for n in range(count):
        at += timedelta(milliseconds=rng.randrange(1, 40))
        user = rng.randrange(members)
        if rng.random() < ad_share:
            text = rng.choice(ADS).format(id=f"ab{rng.randrange(10**6)}", phone=_phone(rng))
        else:
            text = rng.choice(CHAT_ZH if rng.random() < 0.7 else CHAT_EN)
        yield Message(
            carrier=CARRIER, group=f"g{user % groups}", event_id=f"m{n}", at=at,
            sender=Sender(user_id=f"u{user}", display_name=f"member {user}"), text=text,
        )  # fmt: skip
