"""A community's own gathering called in the chat: `周六爬山活动，名额有限，抓紧报名`.

Members of clubs and circles organise outings, reading groups and meet-ups in the group, and
their call shares its words with a course's or a tour's ad (名额有限, 报名从速, 抓紧报名): the
learned scorer, which reads words rather than intent, scores it as spam. A gathering (爬山,
读书会, 聚餐 ...) with a sign-up (报名, 接龙, 想来的 ...) marks it as the community's own. The
scanner then withholds the scorer's verdict when nothing else in the message looks like an ad:
no rule matched, it carries no link, and it names no price, no discount, no course and no tour.
The rules are not softened: a contact detail, a pitch or an offer's shape still makes a
gathering-worded ad advertising.

A short sign-up call names no gathering at all (`报名接龙`, `周六见，报名的接龙`,
`名额还剩五个，抓紧报名`): the outing was announced before, and the scorer read these as
spam (0.99–1.00). Up to `SHORT_CALL` characters, a sign-up with nothing a seller adds counts
the same; a group buy (团购, 拼团) is a seller's word here.
"""

from __future__ import annotations

import re

from hearthkeeper.text.keywords import KeywordSet
from hearthkeeper.text.normalise import MessageText

GATHERINGS: tuple[str, ...] = (
    "爬山", "登山", "徒步", "骑行", "露营", "野餐", "郊游", "夜跑", "约跑", "晨跑", "跑团",
    "读书会", "分享会", "交流会", "茶话会", "见面会", "聚会", "聚餐", "团建", "观影", "看电影",
    "桌游", "剧本杀", "羽毛球", "篮球", "足球", "乒乓", "飞盘", "游泳", "打球", "线下",
    "活动", "沙龙", "集合",
)  # fmt: skip

SIGN_UPS: tuple[str, ...] = (
    "报名", "接龙", "想来的", "想去的", "要来的", "要去的", "参加的", "一起去", "还差", "名额",
    "仅限本群", "本群成员", "群友",  # the community's own: 周六爬山活动，仅限本群成员
)  # fmt: skip

# what a seller's call has and a members' outing does not: a price, a deal, a course, a tour
SELLERS: tuple[str, ...] = (
    "免费", "优惠", "特价", "折", "立减", "送", "价", "费用", "收费", "付款", "定金", "订金",
    "课", "班", "教学", "培训", "招生", "试听", "学费", "跟团", "纯玩", "日游", "旅行社", "门店", "本店",
    "店铺", "下单", "购买", "代理", "加盟", "微信", "私我", "私信", "私聊", "咨询", "电话",
    "团购", "拼团", "代购",
)  # fmt: skip

# a sign-up call this short needs no gathering named (报名接龙; 名额还剩五个，抓紧报名)
SHORT_CALL = 16

# a member asking who comes: said of an outing, never of a product
COMERS: tuple[str, ...] = ("想来的", "想去的", "要来的", "要去的", "参加的", "一起去")

_GATHERING = KeywordSet((word, "gathering") for word in GATHERINGS)
_COMERS = KeywordSet((word, "comers") for word in COMERS)
_SIGN_UP = KeywordSet((word, "sign-up") for word in SIGN_UPS)
_SELLER = KeywordSet((word, "seller") for word in SELLERS)
_MONEY = re.compile(r"\d\s*(?:元|块|rmb|¥)|[¥￥$]\s*\d", re.IGNORECASE)


# An English club's own meeting told in the chat: `Book club at 7, snacks provided`. A
# gathering named with when it meets, in a short line with no price and none of the words a
# seller's event has (tickets, a fee, a class, a call to book or message): the scorer read the
# line above as spam (1.00 on `provided`, `club`), words an ad shares.
_GATHERING_EN = re.compile(
    r"\b(?:book club|reading group|meet-?up|potluck|pot luck|game night|games night|quiz night|"
    r"movie night|film night|picnic|hike|run club|running club|choir|rehearsal|practice|"
    r"study group|bbq|barbecue|get-together|catch-up|cleanup|clean-up|litter pick)\b"
)
_MEETS_EN = re.compile(
    r"\b(?:at \d{1,2}(?::\d\d)?(?:\s?(?:am|pm))?|tonight|tomorrow|this (?:week|weekend|evening|"
    r"afternoon|morning)|(?:on |this |next )?(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
)
# (`pm` is a seller's "PM me", not the clock's `at 7 pm` that `_MEETS_EN` reads)
_SELLER_EN = re.compile(
    r"[$£€¥]|\d\s?%|\b(?:tickets?|price|prices|fee|fees|cost|costs|pay|paid|discount|deal|sale|"
    r"order|buy|book now|book your|register|subscribe|dm|(?<!\d )pm|inbox|whatsapp|telegram|"
    r"link|call|text|message|contact|course|class|classes|lesson|lessons|workshop|seminar|webinar|"
    r"coaching|free|earn|income|business|offer|spots?|places|seats)\b"
)
# a club's note is short: a line or two
_SHORT_NOTE_EN = 80


def _english_gathering(text: str) -> str | None:
    """The gathering an English club's meeting names (`book club`), or None."""
    if len(text) > _SHORT_NOTE_EN or _SELLER_EN.search(text) or not _MEETS_EN.search(text):
        return None
    found = _GATHERING_EN.search(text)
    return found.group() if found else None


def gathering(message: MessageText) -> str | None:
    """The gathering a member's call names (`爬山`) when the message reads as the community's
    own outing with a sign-up and nothing a seller adds (or, naming none, asks who comes:
    `想来的`), or the sign-up itself (`接龙`) in a call of at most `SHORT_CALL` characters;
    in English, a club's meeting and when it meets (`Book club at 7, snacks provided`);
    None otherwise."""
    english = _english_gathering(message.normalised)
    if english is not None:
        return english
    sign_up = _SIGN_UP.find(message)
    if not sign_up or _SELLER.find(message) or _MONEY.search(message.normalised):
        return None
    found = _GATHERING.find(message) or _COMERS.find(message)
    if found:
        return found[0].keyword
    if len(message.normalised.strip()) <= SHORT_CALL:
        return sign_up[0].keyword
    return None


def calls_a_gathering(message: MessageText) -> bool:
    """Whether the message names a gathering (`聚餐`) or asks who comes (`想来的`): the pitch
    rules then read a sign-up's words (名额有限, 先到先得) as the community's own."""
    return bool(_GATHERING.find(message) or _COMERS.find(message))
