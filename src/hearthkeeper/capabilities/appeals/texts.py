"""What members and staff read of appeals, in the community's language."""

from __future__ import annotations

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

TEXTS = Phrasebook({
    # after a ladder's or staff's notice: how to appeal (the rule broken was said; never what
    # matched)
    "how": {
        Language.ZH_CN: "如有异议，可发送「/申诉 理由」请管理员复核。",
        Language.EN: " If you think this is a mistake, send /appeal and why: staff will review it.",
    },
    # at the end of a ban's notice, when `rules.appeals.contact` names whom to ask
    "ban_contact": {
        Language.ZH_CN: "如需申诉，请联系 {contact}。",
        Language.EN: " To appeal, contact {contact}.",
    },
    "usage": {
        Language.ZH_CN: "{name}，请在 /申诉 后写上理由，例如：/申诉 我发的是活动报名链接",
        Language.EN: "{name}, please write why after /appeal, e.g. /appeal that link was our "
        "own event's sign-up",
    },
    "filed": {
        Language.ZH_CN: "{name}，你对「{what}」的申诉已转给管理员，处理后会告诉你结果。",
        Language.EN: "{name}, your appeal against {what} is with staff; you will be told "
        "what they decide.",
    },
    "already": {
        Language.ZH_CN: "{name}，你对「{what}」的申诉已在管理员处，请耐心等待。",
        Language.EN: "{name}, your appeal against {what} is already with staff; please wait "
        "for their answer.",
    },
    "decided": {
        Language.ZH_CN: "{name}，你对「{what}」的申诉已经处理过了（{outcome}），每次处罚只能申诉一次。",
        Language.EN: "{name}, your appeal against {what} was already decided ({outcome}); a "
        "decision can be appealed once.",
    },
    "nothing": {
        Language.ZH_CN: "{name}，你最近 {days} 天没有受到处罚，无需申诉。有问题可以直接联系管理员。",
        Language.EN: "{name}, you have had no strike or mute in the last {days} days, so there "
        "is nothing to appeal. If something is wrong, just ask staff.",
    },
    "closed": {
        Language.ZH_CN: "{name}，本社群没有开放申诉，请直接联系管理员。",
        Language.EN: "{name}, this community takes no appeals by command: please ask staff.",
    },
    "strike": {Language.ZH_CN: "{violation}的违规记录", Language.EN: "your strike for {violation}"},
    "mute": {Language.ZH_CN: "禁言", Language.EN: "your mute"},
    "ban": {Language.ZH_CN: "封禁", Language.EN: "your ban"},
    # staff's own words with their decision (`hearth appeals pardon ID --note …`, the API's note)
    "note": {Language.ZH_CN: "管理员说明：{note}", Language.EN: " Staff's note: {note}"},
    "upheld_word": {Language.ZH_CN: "维持原处罚", Language.EN: "upheld"},
    "pardoned_word": {Language.ZH_CN: "已撤销", Language.EN: "pardoned"},
    "told_pardoned": {
        Language.ZH_CN: "{name}，管理员复核了你的申诉：{what}已撤销{lifted}。",
        Language.EN: "{name}, staff reviewed your appeal: {what} is taken back{lifted}.",
    },
    "lifted": {Language.ZH_CN: "，禁言已解除", Language.EN: " and your mute is lifted"},
    "told_upheld": {
        Language.ZH_CN: "{name}，管理员复核了你的申诉，决定维持原处罚（{what}）。",
        Language.EN: "{name}, staff reviewed your appeal and upheld the decision ({what}).",
    },
    # a banned member's private chat with the bot (`private.py`): what a ban notice adds, on a
    # carrier where they can still write to it (`{bot}`: the bot's @name, filled there)
    "write_privately": {
        Language.ZH_CN: "如需申诉封禁，请私聊 {bot} 发送「/申诉 理由」。",
        Language.EN: " To appeal the ban, write /appeal and why to {bot} in a private chat.",
    },
    # sent to a banned member in the bot's private chat when they may be written to there
    # (`private.ban_notice`): the group notice is posted after they are gone
    "notice_staff": {
        Language.ZH_CN: "你已被管理员封禁，无法再进入「{group}」。",
        Language.EN: "You are banned from {group} by a moderator.",
    },
    "notice_staff_because": {
        Language.ZH_CN: "你已被管理员封禁，无法再进入「{group}」。原因：{reason}",
        Language.EN: "You are banned from {group} by a moderator: {reason}",
    },
    "notice_ladder": {
        Language.ZH_CN: "你因违反群规（{violation}）已被「{group}」封禁。",
        Language.EN: "You are banned from {group} for breaking the rules: {violation}.",
    },
    "notice_appeal": {
        Language.ZH_CN: "如需申诉，请在 {days} 天内在这里发送「/申诉 理由」。",
        Language.EN: " To ask staff to review it, send /appeal and why here within {days} days.",
    },
    "private_help": {
        Language.ZH_CN: "你没有被本机器人服务的群封禁，这里没有需要申诉的处罚。违规记录或禁言请在群里发送「/申诉 理由」。",
        Language.EN: "You are not banned from any group this bot serves, so there is nothing to "
        "appeal here. A strike or mute is appealed in its group: send /appeal and why there.",
    },
    "private_banned": {
        Language.ZH_CN: "你已被「{group}」封禁。如需申诉，请发送「/申诉 理由」，截止 {until}。",
        Language.EN: "You are banned from {group}. To ask staff to review it, send /appeal and "
        "why, by {until}.",
    },
    "private_usage": {
        Language.ZH_CN: "请在 /申诉 后写上理由，例如：/申诉 我发的是活动报名链接",
        Language.EN: "Please write why after /appeal, e.g. /appeal that link was our own "
        "event's sign-up",
    },
    "private_filed": {
        Language.ZH_CN: "你对「{group}」封禁的申诉已转给管理员，处理后会在这里告诉你结果。",
        Language.EN: "Your appeal against your ban from {group} is with staff; I will tell you "
        "here what they decide.",
    },
    "private_already": {
        Language.ZH_CN: "你对「{group}」封禁的申诉已在管理员处，请耐心等待。",
        Language.EN: "Your appeal against your ban from {group} is already with staff; please "
        "wait for their answer.",
    },
    "private_decided": {
        Language.ZH_CN: "你对「{group}」封禁的申诉已经处理过了（{outcome}），每次封禁只能申诉一次。",
        Language.EN: "Your appeal against your ban from {group} was already decided "
        "({outcome}); a ban can be appealed once.",
    },
    "private_late": {
        Language.ZH_CN: "你在「{group}」的封禁已超过 {days} 天的申诉期限，无法再申诉。",
        Language.EN: "Your ban from {group} is older than the {days} days within which a ban "
        "can be appealed.",
    },
    "private_closed": {
        Language.ZH_CN: "你已被「{group}」封禁；本社群没有开放申诉。",
        Language.EN: "You are banned from {group}; this community takes no appeals.",
    },
    # the member is banned in more than one community the bot serves: the latest ban is the one
    "private_others": {
        Language.ZH_CN: "（你在 {others} 也被封禁；以上说的是最近的一次封禁。）",
        Language.EN: " (You are also banned in {others}; this is about your latest ban.)",
    },
    "private_pardoned": {
        Language.ZH_CN: "管理员复核了你的申诉：你在「{group}」的封禁已解除，可以重新加入。",
        Language.EN: "Staff reviewed your appeal: your ban from {group} is lifted, and you may "
        "join again.",
    },
    "private_upheld": {
        Language.ZH_CN: "管理员复核了你的申诉，决定维持你在「{group}」的封禁。",
        Language.EN: "Staff reviewed your appeal and upheld your ban from {group}.",
    },
    "alert": {
        Language.ZH_CN: "【申诉】{group}：{name} 对「{what}」（{when}）提出申诉：{why}\n"
        "当时的判定：{explanation}\n请在后台收件箱维持或撤销。",
        Language.EN: "[Appeal] {group}: {name} appeals against {what} ({when}): {why}\n"
        "What the rule matched: {explanation}\nUphold or pardon it in the console's inbox.",
    },
})  # fmt: skip
