"""A member asking about a business: `他们家是一站式服务吗？`, `群里有人做微商吗？`.

Members ask each other about shops, clinics and services ("is their place a one-stop
service?", "has anyone been to that salon?"): the question names the service as an ad does,
so the learned scorer, which reads words rather than intent, can score it as spam (the shipped
model read the first line above at 0.99, on `站式`, `式服`). What marks it as a question about
someone else's business: it asks (`吗`, `？`, `是不是`, `怎么样` ...; praise such as `正规`,
`靠谱` asks nothing) and the business is a third party's (`他们家`, `那家`, `哪家`,
`有人去过` ...). The scanner then withholds the scorer's verdict when nothing else in the
message looks like an ad: no rule matched and it carries no link. A seller's question is not one: it names a price or a number, speaks for its
own shop (`我们家`, `本店`), or asks who wants something (`有人需要代购吗？`, `要的吗`); and a
contact detail, a pitch or an offer's shape still makes it advertising, as the rules are not
softened. English rhetorical openers (`Need a notary?`) are an ad's own and are not read here.
Chosen on the moderation corpus's tune part (no tune ad lost: docs/benchmarks.md, "Step 8 —
moderation, session 30").
"""

from __future__ import annotations

import re

from hearthkeeper.text.normalise import MessageText

# the business asked about is someone else's: their shop, that one, which one, anyone been
_THIRD_PARTY = re.compile(
    "他们家|她们家|他家|她家|这家|那家|哪家|谁家|这个店|那个店|这店|那店|"
    "这个机构|那个机构|这个平台|那个平台|这个公司|那个公司|"
    "有人(?:去过|用过|试过|买过|找过|做过|在做|做|知道|了解|听说)|谁(?:知道|了解|去过|用过)"
)
# and the message asks: a question mark, a question particle or an A-not-A question; praise
# (`正规`, `靠谱`) or `如何` alone asks nothing, and a seller's line carries them
_ASKS = re.compile(r"[？?]|吗|呢|是不是|有没有|怎么样|咋样|好不好|值不值|贵不贵|靠不靠谱|正不正规")
# what a seller's question has: its own shop, a want it offers to fill, a price or a number
_SELLER = re.compile(
    "我们家|我家店|咱家|本店|我店|小店|我这|找我|问我|私我|加我|"
    "需要|想要|要的|要吗|有意|感兴趣|欢迎|预约|咨询|优惠|特价|折|免费|包邮|下单|[¥￥$元块]"
)
# a number as a price or a phone has it (`199`, `3万8`); `一站式`, read as `1站式`, is none
_NUMBER = re.compile(r"\d{2,}|\d[万千百十]")
_WRITTEN_DIGIT = re.compile(r"\d")


def asks_about_a_business(message: MessageText) -> str | None:
    """The words naming the business a member asks about (`他们家`), or None when the
    message is not such a question or carries anything a seller's question does."""
    text = message.normalised
    if _SELLER.search(text) or _NUMBER.search(text) or _WRITTEN_DIGIT.search(message.words):
        return None
    if not _ASKS.search(text):
        return None
    found = _THIRD_PARTY.search(text)
    return found.group() if found else None
