"""What the bot says about offline events, in the community's language (zh-CN or en)."""

from __future__ import annotations

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

ZH, EN = Language.ZH_CN, Language.EN

TEXTS = Phrasebook({
    "none": {ZH: "近期没有可以报名的线下活动。", EN: "No offline event to sign up for is coming up."},
    "header": {ZH: "近期线下活动：", EN: "Offline events coming up:"},
    "how_to": {
        ZH: "报名：/报名 {example}　取消：/不去了 {example}　入场码：/入场码",
        EN: "Sign up: /rsvp {example}   cancel: /unrsvp {example}   your door code: /ticket",
    },
    "places": {ZH: "，余 {left}/{capacity} 位", EN: ", {left} of {capacity} places left"},
    "full": {ZH: "，已满（可候补）", EN: ", full (waitlist open)"},
    "fee": {ZH: "，费用 {price} {currency}", EN: ", fee {price} {currency}"},
    "which": {
        ZH: "{name}，请说明要报名哪个活动：\n{events}",
        EN: "{name}, which event do you mean?\n{events}",
    },
    "unknown": {  # the words are not repeated: they named nothing, maybe an ad
        ZH: "{name}，没有找到这个活动。近期活动：\n{events}",
        EN: "{name}, there is no event by that name. Coming up:\n{events}",
    },
    "cancelled_event": {ZH: "「{title}」已取消。", EN: "'{title}' was cancelled."},
    "no_sign_up": {ZH: "「{title}」不需要报名，直接来就好。", EN: "'{title}' needs no sign-up: just come."},
    "started": {ZH: "「{title}」已经开始，报名已截止。", EN: "'{title}' has started; sign-up is closed."},
    "already_confirmed": {
        ZH: "{name}，你已经报名了「{title}」。", EN: "{name}, you are signed up for '{title}' already.",
    },
    "already_unpaid": {
        ZH: "{name}，你已经报名了「{title}」，付款后名额即确认（付款备注：{code}）。",
        EN: "{name}, you are signed up for '{title}'; your place is confirmed once paid "
            "(quote {code} when paying).",
    },
    "already_waitlisted": {
        ZH: "{name}，你已在「{title}」的候补名单第 {position} 位。",
        EN: "{name}, you are number {position} on the waitlist of '{title}'.",
    },
    "confirmed": {
        ZH: "{name} 报名成功：「{title}」，{when}{place}。入场码：{ticket}",
        EN: "{name}, you're in: '{title}', {when}{place}. Your door code: {ticket}",
    },
    "unpaid": {
        ZH: "{name} 已报名「{title}」（{price} {currency}），名额为你保留；付款时请备注付款参考码 {code}，"
            "工作人员登记后即确认并发你入场码。",
        EN: "{name}, a place at '{title}' ({price} {currency}) is held for you; quote the payment "
            "reference {code} when paying — once staff record it, your place is confirmed and "
            "you get your door code.",
    },
    "waitlisted": {
        ZH: "{name}，「{title}」已满，你在候补名单第 {position} 位，有人取消会通知你。",
        EN: "{name}, '{title}' is full: you are number {position} on the waitlist; you will be "
            "told if a place frees up.",
    },
    "not_signed": {ZH: "{name}，你没有报名「{title}」。", EN: "{name}, you are not signed up for '{title}'."},
    "not_signed_any": {
        ZH: "{name}，你目前没有报名任何活动，无需取消。查看活动：/活动",
        EN: "{name}, you are not signed up for any event coming up: nothing to cancel. "
            "The events: /events",
    },
    "withdrawn": {ZH: "{name} 已取消报名「{title}」。", EN: "{name} is no longer signed up for '{title}'."},
    "withdrawn_paid": {
        ZH: "{name} 已取消报名「{title}」。你付的 {price} {currency} 仍有记录：有名额时再报名即直接确认，"
            "不必再付；要退款请联系工作人员。",
        EN: "{name} is no longer signed up for '{title}'. Your fee of {price} {currency} stays "
            "recorded: sign up again while a place is free and you are in without paying again; "
            "for a refund, ask staff.",
    },
    "fee_refunded": {
        ZH: "{name}，你为「{title}」付的 {price} {currency} 已退款，名额已释放。",
        EN: "{name}, your fee of {price} {currency} for '{title}' was refunded and your place "
            "given up.",
    },
    "fee_refunded_cancelled": {
        ZH: "{name}，「{title}」已取消，你付的 {price} {currency} 已退款。",
        EN: "{name}, '{title}' was cancelled: your fee of {price} {currency} was refunded.",
    },
    "promoted": {
        ZH: "{name}，有名额空出，你从候补转为正式报名「{title}」！入场码：{ticket}",
        EN: "{name}, a place freed up: you're in for '{title}'! Your door code: {ticket}",
    },
    "promoted_unpaid": {
        ZH: "{name}，有名额空出，「{title}」为你保留了名额：付款时请备注 {code}，登记后即确认。",
        EN: "{name}, a place at '{title}' freed up and is held for you: quote {code} when paying; "
            "it is confirmed once recorded.",
    },
    "pay_by": {
        ZH: "请在 {deadline} 前付款，逾期未登记付款，名额将顺延给候补。",
        EN: " Pay by {deadline}; unless the payment is recorded by then, the place goes to the "
            "next in line.",
    },
    "pay_reminder": {
        ZH: "{name}，「{title}」为你保留的名额将于 {deadline} 到期：请尽快付款 {price} {currency}"
            "（备注 {code}），逾期未登记付款，名额将顺延给候补。",
        EN: "{name}, the place held for you at '{title}' lapses {deadline}: please pay {price} "
            "{currency} soon (quote {code}); unless the payment is recorded by then, the place "
            "goes to the next in line.",
    },
    "lapsed": {
        ZH: "{name}，「{title}」为你保留的名额已到期未付款，名额已释放。如已付款，请联系工作人员登记。",
        EN: "{name}, the place held for you at '{title}' lapsed unpaid and was released. If you "
            "have paid, tell the staff so they record it.",
    },
    "paid": {
        ZH: "{name}，已收到「{title}」的费用，名额确认！入场码：{ticket}",
        EN: "{name}, your fee for '{title}' is recorded: you're in! Your door code: {ticket}",
    },
    "ticket": {
        ZH: "{name} 的入场码（「{title}」，{when}）：{ticket}\n到场时出示二维码或报出入场码 {code}。",
        EN: "{name}'s door code for '{title}' ({when}): {ticket}\nShow the QR code at the door, "
            "or say the code {code}.",
    },
    # What the group reads instead, where the carrier cannot show a message to one member
    # alone (`engine.actions.IN_GROUP`): a door code is the ticket, so only its last two
    # characters; staff give the member the whole code (the Events page lists it)
    "confirmed_shared": {
        ZH: "{name} 报名成功：「{title}」，{when}{place}。入场码（尾号 {tail}）不在群里公开，请私下向工作人员索取。",
        EN: "{name}, you're in: '{title}', {when}{place}. Your door code (ending {tail}) is not "
            "shown in the group: ask staff for it privately.",
    },
    "promoted_shared": {
        ZH: "{name}，有名额空出，你从候补转为正式报名「{title}」！入场码（尾号 {tail}）请私下向工作人员索取。",
        EN: "{name}, a place freed up: you're in for '{title}'! Ask staff privately for your "
            "door code (ending {tail}).",
    },
    "paid_shared": {
        ZH: "{name}，已收到「{title}」的费用，名额确认！入场码（尾号 {tail}）请私下向工作人员索取。",
        EN: "{name}, your fee for '{title}' is recorded: you're in! Ask staff privately for "
            "your door code (ending {tail}).",
    },
    "ticket_shared": {
        ZH: "{name} 的入场码（「{title}」，{when}）尾号 {tail}：入场码不在群里公开，请私下向工作人员索取。",
        EN: "{name}'s door code for '{title}' ({when}) ends in {tail}; it is not shown in the "
            "group: ask staff for it privately.",
    },
    "no_ticket": {
        ZH: "{name}，你还没有已确认的活动报名。", EN: "{name}, you have no confirmed sign-up yet.",
    },
    "ticket_unpaid": {
        ZH: "「{title}」（{when}）：名额为你保留，尚未付款。请付 {price} {currency}，付款时备注付款参考码 "
            "{code}，工作人员登记后即确认并发你入场码。",
        EN: "'{title}' ({when}): a place is held for you, not paid yet. Pay {price} {currency} "
            "and quote the payment reference {code} when paying — once staff record it, your "
            "place is confirmed and you get your door code.",
    },
    "ticket_waitlisted": {
        ZH: "「{title}」（{when}）：你在候补名单第 {position} 位，有人取消会通知你，届时再发入场码。",
        EN: "'{title}' ({when}): you are number {position} on the waitlist; you will be told if "
            "a place frees up, with your door code.",
    },
    "reminder": {
        ZH: "⏰ 活动提醒：「{title}」{when}开始{place}。已报名：{names}。请准备好入场码（/入场码）。",
        EN: "⏰ Reminder: '{title}' starts {when}{place}. Signed up: {names}. Have your door code "
            "ready (/ticket).",
    },
    "round": {
        ZH: "「{title}」结束啦，谢谢 {count} 位到场的朋友！欢迎在群里晒照片、说说感受和建议 📷",
        EN: "Thank you to the {count} of you who came to '{title}'! Share your photos, how it went "
            "and what to do better, right here 📷",
    },
    "event_cancelled": {
        ZH: "通知：「{title}」（{when}）取消了，报名自动取消。抱歉！",
        EN: "Notice: '{title}' ({when}) is cancelled; sign-ups are called off. Sorry!",
    },
    "at_place": {ZH: "，地点：{place}", EN: ", at {place}"},
})  # fmt: skip
