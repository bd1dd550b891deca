"""What a newcomer reads on the Matrix join page (`join.py`), in the community's language."""

from __future__ import annotations

from datetime import timedelta

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

EN, ZH = Language.EN, Language.ZH_CN

BOOK = Phrasebook({
    "title": {EN: "Join {group} on Matrix · {community}", ZH: "在 Matrix 上加入「{group}」· {community}"},
    "intro": {EN: "Type your Matrix ID and the bot invites you to the room; then accept the "
                  "invitation in your Matrix app (Element or another).",
              ZH: "填写你的 Matrix ID，机器人会邀请你进群；然后在你的 Matrix 应用（Element 等）里"
                  "接受邀请。"},
    "user_label": {EN: "Your Matrix ID", ZH: "你的 Matrix ID"},
    "user_hint": {EN: "Shown in your Matrix app's settings, such as @alice:matrix.org.",
                  ZH: "在 Matrix 应用的设置里可以看到，例如 @alice:matrix.org。"},
    "code_label": {EN: "Invite code", ZH: "邀请码"},
    "invite_me": {EN: "Invite me", ZH: "邀请我"},
    "apply": {EN: "Send my application", ZH: "提交申请"},
    "questions_legend": {EN: "Your application: every question needs an answer",
                         ZH: "入群申请：每个问题都要回答"},
    "open_yourself": {EN: "Or open the room in your Matrix app yourself:",
                      ZH: "也可以自己在 Matrix 应用里打开这个群："},
    "open_room": {EN: "Open {group}", ZH: "打开「{group}」"},
    "invited": {EN: "The bot invited {user} to {group}. Open your Matrix app and accept the "
                    "invitation to come in.",
                ZH: "机器人已邀请 {user} 加入「{group}」。请打开你的 Matrix 应用，接受邀请即可进群。"},
    "pending": {EN: "Your request waits for the organisers of {community}. Once they approve "
                    "it, the bot invites {user}: the invitation appears in your Matrix app.",
                ZH: "你的申请正在等待 {community} 的组织者审核。通过后，机器人会邀请 {user}，"
                    "邀请会出现在你的 Matrix 应用里。"},
    "queued": {EN: "The bot will invite {user} to {group} in a moment. Open your Matrix app "
                   "and accept the invitation when it appears.",
               ZH: "机器人稍后会邀请 {user} 加入「{group}」。邀请出现后，请在你的 Matrix 应用里接受。"},
    "cannot_invite": {EN: "The bot could not invite {user} to {group} ({why}). Check your Matrix "
                          "ID; if it is right, please tell the organisers of {community}, or "
                          "open the room yourself below.",
                      ZH: "机器人无法邀请 {user} 加入「{group}」（{why}）。请检查你的 Matrix ID；"
                          "如果没填错，请告诉 {community} 的组织者，或用下面的链接自己打开这个群。"},
    "no_such_user": {EN: "{server} has no Matrix account {user}: check how it is spelt (your "
                         "Matrix ID is shown in your Matrix app's settings).",
                     ZH: "{server} 上没有 {user} 这个 Matrix 账号：请检查拼写（你的 Matrix ID "
                         "可以在 Matrix 应用的设置里看到）。"},
    "too_many": {EN: "Too many invitations asked from here; try again in {wait}.",
                 ZH: "从这里请求的邀请太多，请 {wait}后再试。"},
    "too_many_for": {EN: "{user} was asked for too often; try again in {wait}.",
                     ZH: "{user} 的邀请请求太频繁，请 {wait}后再试。"},
    "seconds": {EN: "{n} seconds", ZH: "{n} 秒"},
    "minutes": {EN: "{n} minutes", ZH: "{n} 分钟"},
})  # fmt: skip


def say(key: str, language: Language, **values: object) -> str:
    """The text `key` in `language`."""
    return BOOK.say(key, language, **values)


def waiting(wait: timedelta, language: Language) -> str:
    """How long until a limit lets the newcomer ask again: "40 seconds", "12 分钟"."""
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return say("seconds", language, n=seconds)
    return say("minutes", language, n=(seconds + 59) // 60)
