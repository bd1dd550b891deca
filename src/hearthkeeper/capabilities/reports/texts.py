"""What members and staff read of reports, in the community's language."""

from __future__ import annotations

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

TEXTS = Phrasebook({
    "no_reply": {
        Language.ZH_CN: "{name}，举报请回复（引用）要举报的那条消息，再发送「/举报 理由」。",
        Language.EN: "{name}, to report a message, reply to it with /report and why.",
    },
    "unknown": {
        Language.ZH_CN: "{name}，这条消息不能举报：只能举报群成员发的消息（机器人的消息或太早的消息不行）。",
        Language.EN: "{name}, that message cannot be reported: only members' messages can "
        "(not the bot's, nor one from before it was here).",
    },
    "own": {
        Language.ZH_CN: "{name}，不能举报自己的消息；想删掉的话可以自己撤回。",
        Language.EN: "{name}, you cannot report your own message; you can delete it yourself.",
    },
    "staff_reporting": {
        Language.ZH_CN: "{name}，你是管理员：请直接回复「/警告」或在后台删除这条消息。",
        Language.EN: "{name}, you are staff: reply /warn to it, or delete it in the console.",
    },
    # the reporter's own answers name the message reported, quoting its start ({message}):
    # the web chat shows them alone, not as replies to their `/report`, which is gone
    "received": {
        Language.ZH_CN: "{name}，已收到你对 {message} 的举报，管理员会查看。",
        Language.EN: "{name}, your report of {message} is with staff; they will look at it.",
    },
    "already": {
        Language.ZH_CN: "{name}，你已经举报过 {message} 了，管理员会查看。",
        Language.EN: "{name}, you reported {message} already; staff will look at it.",
    },
    "looked": {
        Language.ZH_CN: "{name}，管理员已经处理过对 {message} 的举报了。",
        Language.EN: "{name}, staff have already looked at reports of {message}.",
    },
    "removed": {
        Language.ZH_CN: "{name}，这条消息已经被删除了，无需举报。",
        Language.EN: "{name}, that message is removed already: nothing to report.",
    },
    "capped": {
        Language.ZH_CN: "{name}，你今天已经举报了 {count} 次，明天再举报吧；紧急情况请直接联系管理员。",
        Language.EN: "{name}, you have made {count} reports today; report again tomorrow, or "
        "ask staff directly if it is urgent.",
    },
    "against_staff": {
        Language.ZH_CN: "{name}，{author} 是管理员：你对 {message} 的举报已转给其他管理员，管理员的消息不会因举报被隐藏。",
        Language.EN: "{name}, {author} is staff: your report of {message} goes to the other "
        "staff, and a staff member's message is not hidden by reports.",
    },
    "message": {Language.ZH_CN: "{author} 的消息", Language.EN: "{author}'s message"},
    "message_quoted": {Language.ZH_CN: "{author} 的消息“{text}”",
                       Language.EN: "{author}'s message “{text}”"},
    "closed": {
        Language.ZH_CN: "{name}，本社群没有开放举报，请直接联系管理员。",
        Language.EN: "{name}, this community takes no reports by command: please ask staff.",
    },
    "alert": {
        Language.ZH_CN: "【举报】{group}：{author} 的消息，举报 {count} 次{state}\n消息：{text}\n"
        "举报人：{reporters}\n请在后台收件箱删除（并记违规）或驳回。",
        Language.EN: "[Report] {group}: {author}'s message, reports: {count}{state}\n"
        "Message: {text}\nReporters: {reporters}\nDelete it (and strike its author) or dismiss "
        "the reports in the console's inbox.",
    },
    "hidden": {Language.ZH_CN: "（已因举报隐藏，等待管理员查看）",
               Language.EN: " (hidden by reports until staff look)"},
    "staff_author": {Language.ZH_CN: "（作者是管理员：不会隐藏）",
                     Language.EN: " (its author is staff: never hidden)"},
    "reporter": {Language.ZH_CN: "{name}：{why}", Language.EN: "{name}: {why}"},
    "no_why": {Language.ZH_CN: "（未写理由）", Language.EN: "(no reason given)"},
    "not_counted": {Language.ZH_CN: "【不计入：{why}】", Language.EN: " [not counted: {why}]"},
    "struck": {Language.ZH_CN: "有未过期的违规", Language.EN: "a live strike"},
    "muted": {Language.ZH_CN: "被禁言中", Language.EN: "muted"},
    "new": {Language.ZH_CN: "入群时间或发言不足", Language.EN: "too new or too quiet"},
    "separator": {Language.ZH_CN: "；", Language.EN: "; "},
    # why the author of a reported message staff deleted is warned (in the `/warn` notice)
    "upheld_why": {Language.ZH_CN: "被举报的消息：{violation}",
                   Language.EN: "your reported message: {violation}"},
    "upheld_why_staff": {Language.ZH_CN: "被举报的消息", Language.EN: "your reported message"},
})  # fmt: skip
