"""A realistic, reproducible chat history written as the generic CSV `hearth import csv` reads.

Columns: `id,timestamp,group,sender,sender_name,kind,text,reply_to` (the issue's
`timestamp,group,sender,text` plus the optional ones). The shape follows what operators
describe: a few members post most of the messages (Zipf-like weights over members), members
sit in one to three groups, groups differ in size and in how their activity moves over the
weeks (steady, growing, fading towards heat death, a burst after a launch), people talk in
the morning, at lunch and in the evening (local time), in Chinese and English, with some
pictures, links and stickers, and about one message in eight replies to a recent message of
the same group. Same arguments, same file, byte for byte.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

HEADER = ("id", "timestamp", "group", "sender", "sender_name", "kind", "text", "reply_to")
REPLY_SHARE = 0.12
RECENT = 30  # messages of a group a reply may answer

# Relative activity per local hour (0-23): quiet nights, morning, lunch and evening peaks.
DIURNAL = (2, 1, 1, 1, 1, 2, 5, 11, 16, 14, 11, 10, 14, 12, 9, 9, 10, 11, 12, 15, 19, 20, 16, 8)

KINDS = (("text", 0.86), ("picture", 0.07), ("link", 0.04), ("sticker", 0.02), ("voice", 0.01))

ZH = [
    "早上好呀", "今天的知识包太有用了，收藏了", "请问这个精华液敏感肌能用吗？", "打卡", "+1",
    "谢谢老师的分享！", "我也想参加周六的活动", "这个多少钱呀？", "昨天买的已经收到了，包装很好",
    "有没有人一起去夜跑", "哈哈哈哈笑死我了", "群主辛苦了", "晚上八点的分享大家别忘了",
    "我是上海的，做设计的，请多关照", "这个面膜用了一周，皮肤好多了", "接龙 2份", "求推荐防晒",
    "今天喝水了吗？", "楼上说得对", "明天见～", "这周的作业交了吗？", "PPT 的配色有什么技巧？",
    "我觉得可以再便宜一点", "同问", "已下单", "周末有人去爬山吗？", "这个链接打不开",
]  # fmt: skip
EN = [
    "good morning everyone", "thanks for sharing, very useful", "does anyone know when the "
    "next session starts?", "check in", "count me in", "where can I buy the refill?",
    "see you on Saturday", "haha that's great", "welcome to the group!", "I had the same problem",
    "the wine tasting was lovely", "what time is it in London now?", "I live in Lisbon btw",
    "+1", "agreed", "any tips for a first-timer?", "just ordered two", "lol",
]  # fmt: skip
PICTURE = ("[图片]", "[photo]", "晒一下今天的成果 [图片]")
LINK = (
    "https://example.com/article/{n}", "推荐这篇 https://mp.example.cn/s/{n}",
    "worth a read: https://blog.example.org/p/{n}",
)  # fmt: skip
STICKER = ("[动画表情]", "[sticker]")
VOICE = ("[语音]", "[voice message]")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲"
EN_NAMES = ("Ana", "Ben", "Chloe", "Diego", "Emma", "Femi", "Grace", "Hugo", "Ines", "Jon")
T = TypeVar("T")

TOPICS = ("护肤交流", "夜跑俱乐部", "PPT 学习", "复购福利", "读书会", "Lisbon Runners", "Wine Club")


@dataclass(frozen=True)
class Shape:
    """What to generate: how many messages, groups and members over how many days."""

    messages: int = 1_000_000
    groups: int = 200
    members: int = 50_000
    days: int = 90
    start: date = date(2026, 3, 1)
    timezone: str = "Asia/Shanghai"
    seed: int = 6


def generate(path: Path, shape: Shape) -> int:
    """Write the CSV for `shape` to `path`; the number of messages written."""
    rng = random.Random(shape.seed)
    groups = [f"{TOPICS[g % len(TOPICS)]} {g + 1:03d}" for g in range(shape.groups)]
    homes = _memberships(rng, shape)
    member_weights = list(
        itertools.accumulate(1 / (rank + 8) ** 1.1 for rank in range(shape.members))
    )
    day_weights = [_day_weights(rng, shape.days) for _ in range(shape.groups)]
    hour_weights = list(itertools.accumulate(DIURNAL))
    zone = ZoneInfo(shape.timezone)
    midnight = [
        datetime(d.year, d.month, d.day, tzinfo=zone)
        for d in (shape.start + timedelta(days=n) for n in range(shape.days))
    ]
    drawn: list[tuple[float, int, int]] = []
    for _ in range(shape.messages):
        member = bisect.bisect(member_weights, rng.random() * member_weights[-1])
        group = rng.choice(homes[member])
        day = bisect.bisect(day_weights[group], rng.random() * day_weights[group][-1])
        hour = bisect.bisect(hour_weights, rng.random() * hour_weights[-1])
        at = midnight[day].timestamp() + hour * 3600 + rng.randrange(3600)
        drawn.append((at, group, member))
    drawn.sort()
    recent: list[deque[str]] = [deque(maxlen=RECENT) for _ in groups]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n, (at, group, member) in enumerate(drawn):
            event = f"m{n:07d}"
            kind = _pick(rng, KINDS)
            reply = ""
            if recent[group] and rng.random() < REPLY_SHARE:
                reply = rng.choice(recent[group])
            recent[group].append(event)
            local = datetime.fromtimestamp(at, zone)
            writer.writerow(
                (
                    event,
                    local.isoformat(),
                    groups[group],
                    f"u{member:05d}",
                    _name(member),
                    kind,
                    _text(rng, kind, n),
                    reply,
                )
            )
    return len(drawn)


def _memberships(rng: random.Random, shape: Shape) -> list[list[int]]:
    """The groups each member is in: one to three, popular groups more often."""
    popularity = list(itertools.accumulate(1 / (g + 3) ** 0.8 for g in range(shape.groups)))
    order = list(range(shape.groups))
    rng.shuffle(order)  # popular groups are not the first ones by name
    homes: list[list[int]] = []
    for _ in range(shape.members):
        count = _pick(rng, ((1, 0.5), (2, 0.3), (3, 0.2)))
        chosen: list[int] = []
        while len(chosen) < min(count, shape.groups):
            group = order[bisect.bisect(popularity, rng.random() * popularity[-1])]
            if group not in chosen:
                chosen.append(group)
        homes.append(chosen)
    return homes


def _day_weights(rng: random.Random, days: int) -> list[float]:
    """Cumulative activity weights per day for one group, with a weekly rhythm."""
    trend = rng.choice(("steady", "steady", "growing", "fading", "launch"))
    weights = []
    for day in range(days):
        x = day / max(days - 1, 1)
        level = {
            "steady": 1.0,
            "growing": 0.3 + 1.4 * x,
            "fading": max(0.02, 1.6 * (1 - x) ** 2),
            "launch": 0.4 + (2.5 if 0.4 < x < 0.5 else 0.0),
        }[trend]
        weekend = 0.8 if day % 7 in (5, 6) else 1.0
        weights.append(level * weekend * rng.uniform(0.8, 1.2))
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    roll = rng.random()
    for value, share in choices:
        roll -= share
        if roll < 0:
            return value
    return choices[-1][0]


def _name(member: int) -> str:
    if member % 4 == 3:
        return f"{EN_NAMES[member % len(EN_NAMES)]} {member}"
    surname = SURNAMES[member % len(SURNAMES)]
    return f"{surname}{GIVEN[(member // len(SURNAMES)) % len(GIVEN)]}{member % 97}"


def _text(rng: random.Random, kind: str, n: int) -> str:
    if kind == "picture":
        return rng.choice(PICTURE)
    if kind == "link":
        return rng.choice(LINK).format(n=n)
    if kind == "sticker":
        return rng.choice(STICKER)
    if kind == "voice":
        return rng.choice(VOICE)
    return rng.choice(ZH if rng.random() < 0.7 else EN)
