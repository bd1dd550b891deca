"""What the bot says about sign-up lists, in zh-CN and en, and the numbered list itself."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.format import echoed, when_text
from hearthkeeper.capabilities.lists_common.deadline import DEADLINE_TEXTS
from hearthkeeper.capabilities.signups.records import SignUpEntry, SignUpItem, SignUpList
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

ZH, EN = Language.ZH_CN, Language.EN

TEXTS = Phrasebook({
    "header": {ZH: "【接龙】{title}", EN: "[Sign-up] {title}"},
    "header_closed": {ZH: "【接龙·已截止】{title}", EN: "[Sign-up · closed] {title}"},
    "closes": {ZH: "截止：{when}", EN: "Closes {when}"},
    "closed_at": {ZH: "已于 {when} 截止", EN: "Closed {when}"},
    "item": {ZH: "【{number}】{label}{price}{stock}", EN: "[{number}] {label}{price}{stock}"},
    "price": {ZH: " ¥{price}", EN: " · {price} each"},
    "stock": {ZH: " · 剩 {left}/{stock}", EN: " · {left} of {stock} left"},
    "places": {ZH: "名额：剩 {left}/{stock}", EN: "Places: {left} of {stock} left"},
    "nobody": {ZH: "（还没有人接龙）", EN: "(nobody yet)"},
    "waitlist": {ZH: "候补：", EN: "Waitlist:"},
    "waiting_line": {ZH: "候补{number}. {line}", EN: "W{number}. {line}"},
    "totals": {ZH: "共 {people} 人", EN: "{people} signed up"},
    "units": {ZH: "，{units} 份", EN: ", {units} in all"},
    "amount": {ZH: "，合计 ¥{amount}", EN: ", total {amount}"},
    "how_plain": {
        ZH: "回复「+1」参加（带人写「+2」或「接龙 2份」），「-1」取消，/接龙列表 查看名单。",
        EN: "Reply '+1' to join ('+2' to bring a friend), '-1' to cancel, /list to see the list.",
    },
    "how_items": {
        ZH: "回复「+1 {example}」参加（多份写「+1 {example} x2」），「-1」取消，/接龙列表 查看名单。",
        EN: "Reply '+1 {example}' to join ('+1 {example} x2' for two), '-1' to cancel, "
        "/list to see the list.",
    },
    "joined": {ZH: "✅ {name} 接龙成功，第 {number} 位{what}。", EN: "✅ {name} is #{number}{what}."},
    "left": {ZH: "{item}还剩 {left} 份。", EN: "{item}: {left} left."},
    # a list of places for people (`/接龙 周六夜跑 限20人`): places, not portions
    "left_places": {ZH: "{item}还剩 {left} 个名额。", EN: "{item}: {left} left."},
    "sold_out_now": {ZH: "{item}已接满。", EN: "{item} is now full."},
    "more": {ZH: "（共 {count} 人，发 /接龙列表 看完整名单）", EN: "({count} on the list; /list shows it all)"},
    "waitlisted": {
        ZH: "{name}，{item}{short}，你排在候补第 {position} 位；有人取消时按顺序递补，会 @ 你。"
        "发「-1」可退出候补。",
        EN: "{name}, {item} {short}: you are #{position} on the waitlist. When someone cancels, "
        "places go to the waitlist in order and you will be @-mentioned. Send '-1' to leave it.",
    },
    "full": {ZH: "已接满", EN: "is full"},
    "only_left": {ZH: "只剩 {left} 份", EN: "has only {left} left"},
    "only_left_places": {ZH: "只剩 {left} 个名额", EN: "has only {left} left"},
    "already": {
        ZH: "{name}，你已经在名单上了（{where}{what}）。要改数量请先发「-1」再重新接龙。",
        EN: "{name}, you are already on the list ({where}{what}). To change it, send '-1' and "
        "join again.",
    },
    "where_confirmed": {ZH: "第 {number} 位", EN: "#{number}"},
    "where_waiting": {ZH: "候补第 {number} 位", EN: "#{number} on the waitlist"},
    "too_many": {
        ZH: "{name}，{item}一共只有 {stock} 份，接不了 {quantity} 份。",
        EN: "{name}, there are only {stock} of {item} in all, fewer than {quantity}.",
    },
    "which_item": {
        ZH: "{name}，要哪一样？例如「+1 {example}」：\n{items}",
        EN: "{name}, which one? e.g. '+1 {example}':\n{items}",
    },
    "which_cancel": {
        ZH: "{name}，要取消哪一样？例如「-1 {example}」，或只发「-1」全部取消：\n{items}",
        EN: "{name}, leave which one? e.g. '-1 {example}', or just '-1' for everything:\n{items}",
    },
    "no_such_item": {ZH: "{name}，没有第 {detail} 项。可选：\n{items}", EN: "{name}, there is no item {detail}. Choose from:\n{items}"},
    "bad_quantity": {  # the number typed is not repeated: it may be a phone number
        ZH: "{name}，份数要在 1 到 999 之间。",
        EN: "{name}, the quantity must be between 1 and 999.",
    },
    "cancelled": {ZH: "{name} 已取消接龙{what}。", EN: "{name} has left the list{what}."},
    "not_on_list": {ZH: "{name}，你不在「{title}」的名单上。", EN: "{name}, you are not on '{title}'."},
    "promoted": {
        ZH: "@{name} 有人取消了，你已从候补转为正式：第 {number} 位{what}。",
        EN: "@{name} a place opened up: you are now #{number}{what}.",
    },
    "no_list": {ZH: "现在没有进行中的接龙。", EN: "There is no open sign-up list right now."},
    "still_open": {
        ZH: "「{title}」还在进行中，请先发 /结束接龙 再发起新的接龙。",
        EN: "'{title}' is still open: close it with /closelist before starting another.",
    },
    "usage": {
        ZH: "用法：/接龙 标题 [限20人] [截止 20:00]\n团购：/团购 标题 | 商品 ¥价格 限N份 | … | 截止 明天 10:00",
        EN: "Usage: /signup TITLE [max 20] [until 20:00]\n"
        "Group-buy: /groupbuy TITLE | ITEM ¥PRICE max N | … | until tomorrow 10:00",
    },
    "no_title": {ZH: "请写上接龙的标题。", EN: "Give the list a title."},
    **DEADLINE_TEXTS,  # the same as a poll's
    "bad_item": {
        ZH: "看不懂商品「{detail}」：先写名称，再写价格和数量，例如「西兰花 ¥12 限20份」。",
        EN: "I can't read the item '{detail}': name first, then price and stock, e.g. "
        "'Broccoli ¥12 max 20'.",
    },
    "cap_with_items": {
        ZH: "有商品时请把限量写在每个商品后面，例如「西兰花 限20份」。",
        EN: "With items, put the limit on each item, e.g. 'Broccoli max 20'.",
    },
    "bad_price": {
        ZH: "价格「{detail}」太大了：整数部分最多 8 位，例如 ¥12 或 ¥12.50。",
        EN: "The price '{detail}' is too large: at most 8 digits before the point, e.g. ¥12 "
        "or ¥12.50.",
    },
    "count_too_large": {
        ZH: "「{detail}」太多了：名额或库存最多 99999。",
        EN: "'{detail}' is too many: places or stock go up to 99999.",
    },
    "duplicate_item": {ZH: "商品「{detail}」写了两次。", EN: "'{detail}' is listed twice."},
    "too_many_items": {ZH: "一个接龙最多 {detail} 样商品。", EN: "A list can have at most {detail} items."},
})  # fmt: skip

SHORT_LIST = 10  # the full list is shown with every join while it is this short
FULL_EVERY = 10  # and with every tenth join after that


def money(value: Decimal) -> str:
    """`24` or `24.50`: no decimals when there are none."""
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"


def price_of(item: SignUpItem | None) -> Decimal | None:
    """An item's price as a number, if it has one."""
    if item is None or item.price is None:
        return None
    try:
        return Decimal(item.price)
    except InvalidOperation:
        return None


def plain(lst: SignUpList) -> bool:
    """A list without choices: no items, or only its own cap (`/接龙 夜跑 限20人`)."""
    return not lst.items or (len(lst.items) == 1 and lst.items[0].label == lst.title)


def item_of(lst: SignUpList, entry: SignUpEntry) -> SignUpItem | None:
    """The item an entry is for."""
    return next((i for i in lst.items if i.id == entry.item_id), None)


def what(lst: SignUpList, item: SignUpItem | None, quantity: int, lang: Language) -> str:
    """`：西兰花 ×2（¥24）` / `: Broccoli ×2 (24)`; empty for one place on a plain list."""
    return what_of(lst, [(item, quantity)], lang)


def what_of(lst: SignUpList, taken: Sequence[tuple[SignUpItem | None, int]], lang: Language
            ) -> str:  # fmt: skip
    """Several items and quantities: `：西兰花 ×2（¥24）、胡萝卜 ×1（¥8）`."""
    bodies = []
    for item, quantity in taken:
        label = "" if item is None or plain(lst) else item.label
        count = f"×{quantity}" if quantity > 1 or label else ""
        price = price_of(item)
        cost = ""
        if price is not None:
            total = money(price * quantity)
            cost = f"（¥{total}）" if lang is ZH else f" ({total})"
        body = " ".join(p for p in (label, count) if p) + cost
        if body:
            bodies.append(body)
    if not bodies:
        return ""
    return ("：" if lang is ZH else ": ") + ("、" if lang is ZH else ", ").join(bodies)


def line(lst: SignUpList, entry: SignUpEntry) -> str:
    """An entry as the list shows it, without its number: `Mei 西兰花 ×2 带朋友`."""
    item = item_of(lst, entry)
    label = "" if item is None or plain(lst) else item.label
    count = f"×{entry.quantity}" if entry.quantity > 1 or label else ""
    return " ".join(p for p in (entry.display_name, label, count, entry.note) if p)


def items_text(lst: SignUpList, lang: Language) -> str:
    """The items with price and what is left, one per line."""
    out = []
    for item in lst.items:
        price = TEXTS.say("price", lang, price=item.price) if item.price else ""
        stock = (
            TEXTS.say("stock", lang, left=item.left, stock=item.stock)
            if item.stock is not None
            else ""
        )
        out.append(
            TEXTS.say("item", lang, number=item.number, label=item.label, price=price, stock=stock)
        )
    return "\n".join(out)


def render(lst: SignUpList, entries: Sequence[SignUpEntry], zone: ZoneInfo, lang: Language) -> str:
    """The whole numbered list: title, deadline, items, entries, waitlist, totals."""
    closed = lst.status != "open"
    out = [TEXTS.say("header_closed" if closed else "header", lang, title=lst.title)]
    if closed and lst.closed_at is not None:
        out.append(TEXTS.say("closed_at", lang, when=when_text(lst.closed_at, zone, lang)))
    elif lst.deadline is not None:
        out.append(TEXTS.say("closes", lang, when=when_text(lst.deadline, zone, lang)))
    if plain(lst) and lst.items and lst.items[0].stock is not None:
        out.append(TEXTS.say("places", lang, left=lst.items[0].left, stock=lst.items[0].stock))
    elif lst.items:
        out.append(items_text(lst, lang))
    confirmed = [e for e in entries if e.status == "confirmed"]
    waiting = [e for e in entries if e.status == "waitlisted"]
    out.extend(f"{n}. {line(lst, e)}" for n, e in enumerate(confirmed, start=1))
    if not confirmed:
        out.append(TEXTS.say("nobody", lang))
    if waiting:
        out.append(TEXTS.say("waitlist", lang))
        out.extend(TEXTS.say("waiting_line", lang, number=n, line=line(lst, e))
                   for n, e in enumerate(waiting, start=1))  # fmt: skip
    if confirmed:
        out.append(totals(lst, confirmed, lang))
    return "\n".join(out)


def totals(lst: SignUpList, confirmed: Sequence[SignUpEntry], lang: Language) -> str:
    """`共 12 人，20 份，合计 ¥240`."""
    people = len({e.member_id for e in confirmed})
    units = sum(e.quantity for e in confirmed)
    text = TEXTS.say("totals", lang, people=people)
    if units != people:
        text += TEXTS.say("units", lang, units=units)
    prices = [(price_of(item_of(lst, e)), e.quantity) for e in confirmed]
    if any(p is not None for p, _ in prices):
        amount = sum((p * q for p, q in prices if p is not None), Decimal(0))
        text += TEXTS.say("amount", lang, amount=money(amount))
    return text


def how_to_join(lst: SignUpList, lang: Language) -> str:
    """How members join this list."""
    if plain(lst):
        return TEXTS.say("how_plain", lang)
    return TEXTS.say("how_items", lang, example=lst.items[0].label)


def problem_text(key: str, detail: str, lang: Language) -> str:
    """A command that could not be read: what was wrong, then the usage."""
    return TEXTS.say(key, lang, detail=echoed(detail)) + "\n" + TEXTS.say("usage", lang)
