"""What the bot says for FAQ answers, the staff question queue and the expert finder."""

from __future__ import annotations

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

ZH, EN = Language.ZH_CN, Language.EN

TEXTS = Phrasebook({
    "expert_one": {
        ZH: "这个问题可以问问 {names}，TA 是这方面的专家。",
        EN: "You could ask {names}, our expert on this.",
    },
    "expert_many": {
        ZH: "这个问题可以问问 {names}，他们是这方面的专家。",
        EN: "You could ask {names}, our experts on this.",
    },
    "alert": {
        ZH: "【待回答】{group}：{asker} {ago}前的提问还没有人回答（#{id}）：{excerpt}",
        EN: "[Unanswered] {group}: {asker} asked {ago} ago and nobody has answered (#{id}): "
            "{excerpt}",
    },
    "queue_header": {ZH: "待回答的问题（{count}）：", EN: "Open questions ({count}):"},
    "queue_line": {
        ZH: "#{id} {group} · {asker} · {ago}前{alerted}：{excerpt}",
        EN: "#{id} {group} · {asker} · {ago} ago{alerted}: {excerpt}",
    },
    "queue_alerted": {ZH: "（已提醒）", EN: " (staff alerted)"},
    "queue_more": {ZH: "……还有 {count} 个", EN: "… and {count} more"},
    "queue_footer": {
        ZH: "引用回复提问即可作答；用「/问题 完成 编号」标记已在别处回答的问题。",
        EN: "Reply to a question to answer it; '/questions done NUMBER' closes one answered "
            "elsewhere.",
    },
    "queue_empty": {ZH: "目前没有待回答的问题 👍", EN: "No open questions 👍"},
    "closed": {ZH: "已把 #{id} 标记为已回答。", EN: "Marked #{id} as answered."},
    "not_waiting": {
        ZH: "没有待回答的问题 #{id}（编号见「/问题」）。",
        EN: "There is no open question #{id} (see '/questions' for the numbers).",
    },
    "queue_usage": {
        ZH: "用法：「/问题」列出待回答的问题；「/问题 完成 12」把 #12 标记为已回答。",
        EN: "Usage: '/questions' lists open questions; '/questions done 12' marks #12 answered.",
    },
    "helpful": {
        ZH: "谢谢 {name} 的回答，被标为有用！+{points} 积分",
        EN: "Thanks {name}, marked as a helpful answer! +{points} points",
    },
    "helpful_no_points": {
        ZH: "谢谢 {name} 的回答，被标为有用！",
        EN: "Thanks {name}, marked as a helpful answer!",
    },
    "helpful_again": {
        ZH: "这条回答已经被标为有用过了。",
        EN: "That answer was already marked helpful.",
    },
    "helpful_usage": {
        ZH: "请引用回复那条有用的回答，再发送「/有用」。",
        EN: "Reply to the helpful message with '/helpful'.",
    },
    "helpful_unknown": {
        ZH: "找不到被引用的那条消息（可能是机器人入群之前发的）。",
        EN: "I can't find that message (it may be older than the bot in this group).",
    },
    "helpful_own": {
        ZH: "不能把自己的消息标为有用哦。",
        EN: "You can't mark your own message as helpful.",
    },
})  # fmt: skip

HELP = {
    "questions": {
        ZH: "查看待回答的问题，或标记已回答", EN: "list open questions, or mark one answered",
    },
    "helpful": {
        ZH: "引用回复一条回答，标为有用并给作者加积分",
        EN: "as a reply: mark an answer helpful and award its author points",
    },
}  # fmt: skip
USAGE = {
    "questions": {ZH: "/问题 [完成 编号]", EN: "/questions [done NUMBER]"},
    "helpful": {ZH: "引用回复 + /有用", EN: "reply + /helpful"},
}
DONE_WORDS = frozenset({"done", "close", "closed", "answered", "完成", "已答", "已回答", "关闭"})
