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

A member also asks about an offer they saw (`日结的兼职靠谱吗？`, `这个活是日结还是月结？`,
`群里那条"有意者私"是什么意思？`): `asks_about_an_offer` below. There the offer's own stock
words are quoted, so the pitch detector does not read a seller's phrasing or an offer's shape in
it either (`pitches.py`); a contact, a link, a keyword of the playbook and the bulk-spam
families still count (docs/benchmarks.md, "Session 31 — moderation").

In English, a member's question to the group (`Has anyone tried the cake subscription from
the bakery?`) withholds the scorer the same way: `asks_the_group` (session 32).
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


# A member asking about an offer they saw: `日结的兼职靠谱吗？`, `这个活是日结还是月结？`,
# `群里那条"有意者私"是什么意思？`. The offer's own words are in the question (日结, 兼职,
# 有意者私), so the learned scorer and the rules reading a seller's stock phrasing read it as
# the ad; what the seller never writes is the question that ends it: whether the offer can be
# trusted (靠谱吗, 是不是骗人的), which of two terms it has (日结还是月结), or what its
# words mean (什么意思). An ad asks the reader what they want (`想日结兼职吗？加我`) and goes
# on to its contact, price or call; those make it a seller's line here as above.
_TRUST = (
    "(?:靠谱|可靠|可信|能信|信得过|正规|真的|安全|合法|骗人的?|骗子|骗局|传销|割韭菜|有坑)(?:吗|么|不)"
    "|靠不靠谱|可不可信|正不正规|安不安全|是不是(?:真的|骗(?:人的?|子|局)?|传销|割韭菜)|真的假的|是真是假|有没有坑"
)
_WHICH = "还是[^,，。!！?？]{1,12}"
_MEANING = (
    "(?:什么|啥)意思|(?:什么|啥)梗|指的是(?:什么|啥)|(?:是|指)(?:什么|啥)"
    "|(?:是指|意思是|就是)[^,，。!！?？]{1,10}吗"
)
# the question closes the message: only marks and particles after it
_CLOSING = r"[?？。.!！~～\s呀啊呢哈嘛吧]*$"
_ASKS_TRUST = re.compile(f"(?:{_TRUST}){_CLOSING}")
_ASKS_WHICH = re.compile(f"(?:{_WHICH})[?？呢]{_CLOSING}")
_ASKS_MEANING = re.compile(f"(?:{_MEANING}){_CLOSING}")
# a phrase quoted to ask about it: its words are the seller's, not the member's
_QUOTED = re.compile("“[^”]*”|\"[^\"]*\"|「[^」]*」|『[^』]*』|‘[^’]*’|'[^']*'")
# a member asks in a sentence or two, not an ad's paragraph
_LONGEST_QUESTION = 40
# who the offer prefers (学生优先, 宝妈优先) is the recruiter's own line, not a member's question:
# `日结兼职，宝妈学生优先，靠谱吗？` is an ad closing on a question (quoted, it is asked about)
_PREFERS = re.compile("优先")


# a teaser's words to the reader, which a member asking what a word means has no need of
_TEASER = re.compile("想(?:知道|了解|学)|猜猜|你(?:知道|猜)|秘[密诀籍]|诀窍|揭秘|告诉你")
_CLAUSES = re.compile("[,，。!！;；~～]+")
# a question about a word (什么意思, 什么梗, 是指…吗), not the bare `是什么` a teaser closes on
_OF_A_WORD = re.compile("意思|梗|指")
_COPULA = " 这那个是指就的都"


def _own_words(said: str, asked_at: int) -> str:
    """The member's own words in a meaning question: every clause but the phrase asked about
    (the question's clause, or the clause before it when the question stands alone:
    `有意者私，是什么意思`)."""
    clauses = [c for c in _CLAUSES.split(said[:asked_at]) if c.strip()]
    if clauses and len(clauses[-1].strip(_COPULA)) < 2:
        clauses.pop()  # `…，是什么意思`: the question names nothing itself
    return "，".join(clauses[:-1])


def asks_about_an_offer(message: MessageText) -> str | None:
    """The question a member asks about an offer (`靠谱吗`, `日结还是月结?`, `什么意思`), or
    None when the message is not one or carries anything a seller's line does."""
    text = message.normalised
    if len(text) > _LONGEST_QUESTION:
        return None
    said = _QUOTED.sub("", text)  # what the member says around the words they quote
    if _NUMBER.search(said) or _WRITTEN_DIGIT.search(_QUOTED.sub("", message.words)):
        return None
    if _PREFERS.search(said):
        return None
    meaning = _ASKS_MEANING.search(said)
    if meaning is not None:
        # the words asked about are the seller's by nature (有意者私): only the member's own
        # words around them count against the question; and a bare `是什么` after a teaser's
        # words to the reader (`宝妈在家也能赚钱，想知道方法是什么`) closes an ad
        if _SELLER.search(_own_words(said, meaning.start())):
            return None
        if _TEASER.search(said) and not _OF_A_WORD.search(meaning.group()):
            return None
        return meaning.group().rstrip("?？。.!！~～ 呀啊呢哈嘛吧")
    if _SELLER.search(said):
        return None
    found = _ASKS_TRUST.search(text) or _ASKS_WHICH.search(text)
    return found.group().rstrip("?？。.!！~～ 呀啊呢哈嘛吧") if found else None


# A member asking the group in English: `Has anyone tried the cake subscription from the
# bakery? Worth it?` (the shipped scorer read it at 1.00 on `subscription`): a question put to
# everyone (has anyone, does anyone know, can anyone recommend), with no price and none of a
# seller's calls. An ad's opening question is put to the reader (`Need a plumber?`), not about
# what others know or tried.
_TO_THE_GROUP_EN = re.compile(
    r"^\W*(?:(?:has|have|does|did|do|is|would|could|can) (?:anyone|anybody|someone|somebody|"
    r"any of you|you guys)|anyone (?:know|tried|been|used|recommend|here|else)|"
    r"who (?:knows|has tried|has been|has used|can recommend))\b"
)
_SELLER_EN = re.compile(
    r"[$£€¥]|\d\s?%|\b(?:dm|pm|inbox|message me|text me|call me|whatsapp|telegram|link|bio|"
    r"order|book now|code|discount|off|free|sale|selling|price|prices|offer|my shop|my page)\b"
)
_LONGEST_GROUP_QUESTION = 160


# a parent or partner asking for their own (`Is the tutor available on Thursdays? My son
# needs help`): an ad speaks of the reader's child (`your son`), not the writer's
_FOR_FAMILY_EN = re.compile(
    r"\bmy (?:son|daughter|kid|kids|child|children|boy|girl|husband|wife|partner|mum|mom|dad)\b"
)
# an ad's question to the reader, then the family's own service (`Need a babysitter this
# weekend? My daughter is available, reasonable rates`): the family offers, it does not ask
_TO_THE_READER_EN = re.compile(
    r"^\W*(?:need|looking for|want|tired of|struggling|searching for|in need of)\b"
)


def asks_the_group(message: MessageText) -> str | None:
    """The opening of an English question a member puts to the group (`has anyone`), or
    asks for their family (`…? My son needs help`), or None when the message is not one or
    carries a price or a seller's call."""
    text = message.normalised
    if len(text) > _LONGEST_GROUP_QUESTION or "?" not in text or _SELLER_EN.search(text):
        return None
    found = _TO_THE_GROUP_EN.match(text)
    family = None if found else _FOR_FAMILY_EN.search(text)
    if family and _TO_THE_READER_EN.match(text) and family.start() > text.index("?"):
        family = None  # the reader asked, then the family offered (`Looking for …? My son …`)
    found = found or family
    return found.group().strip() if found else None
