"""A member telling what they bought or paid: `我家空调清洗花了一百五，师傅挺专业的`.

Such a message names a service, a price and a word of praise, as an ad does, so the learned
scorer, which reads words rather than intent, can score it as spam (a retrained model read
the line above at 0.998, from an ad's `家电清洗…专业师傅`). What the member did marks it as
their own account: `花了` (spent), or a first person who bought, enrolled, hired or booked
(`我买了`, `我们上周订的`, `给孩子报了`). Not `用了` (used): an ad's testimony,
`我用了这个方法三个月瘦了二十斤，想知道的私我`, which the scorer must still read. The scanner
then withholds the scorer's verdict when nothing else in the message looks like an ad: no
rule matched and it carries no link. The
rules are not softened: a contact detail, a pitch or an offer's shape still makes it
advertising. Chosen by cross-validation on the moderation corpus's tune part (no tune ad
lost, two chat false alarms fewer: docs/benchmarks.md, "Step 8 — moderation, session 29: the
learned scorer as the lever").
"""

from __future__ import annotations

import re

from hearthkeeper.text.normalise import MessageText

# a first person, then within one phrase what they did with money; or `花了` on its own
_ACCOUNT = re.compile(
    "(?:我|我们|我家|俺)[^，。,.!?！？]{0,8}(?:花了|买了|买的|请了|订了|订的|报了)|花了"
)
_PRICE = re.compile(r"\d{3,}|[元块¥￥$]")  # normalised: 一楼 reads 1楼, 二手 2手
# how long someone queued: a member's account when no shop speaks (a shop's ad says how long
# people queue for what it sells: `每天都有人排了1个小时来买，本店秒杀特价，新店开业`)
_QUEUED = re.compile(
    "排了(?:[半一两二三四五六七八九十0-9]+个?)?(?:小时|钟头|分钟|天)|排了(?:好久|很久|半天)"
)
_SHOP = re.compile(f"本店|我店|小店|我家店|咱家|欢迎|特价|优惠|包邮|下单|开业|{_PRICE.pattern}")
# someone else selling, said in a line of its own (`我家一楼的邻居在卖二手车`): news of a
# neighbour's sale, not the sale itself, which would say what, for how much, and how to buy
_OTHERS_SALE = re.compile(
    "(?:我家)?[^，。,.!?！？]{0,6}(?:邻居|朋友|同事|亲戚|老乡|同学|他|她|他们)在卖"
    "[^，。,.!?！？]{1,8}[。!！~～]?"
)


def own_purchase(message: MessageText) -> str | None:
    """The words telling what the member bought or paid (or that someone they know sells
    something, in a line of its own), or None."""
    found = _ACCOUNT.search(message.normalised)
    if found:
        return found.group()
    queued = _QUEUED.search(message.normalised)
    if queued and not _SHOP.search(message.normalised):
        return queued.group()
    others = _OTHERS_SALE.fullmatch(message.normalised.strip())
    return others.group() if others and not _PRICE.search(others.group()) else None
