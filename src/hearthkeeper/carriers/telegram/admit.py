"""Letting in someone whose Telegram join request is gone: staff let a refused applicant in
after all (`hearth applications approve --reconsider`, the console's "Let in after all"), but
the bot declined their join request when they were refused, and Telegram cannot approve a
declined request (`approveChatJoinRequest` answers `HIDE_REQUESTER_MISSING`; so it does for
a request the person withdrew).

So the bot makes them an invite link of their own that asks to join, and sends it to them
in private: their new request reaches the door, which finds their application approved and
lets them in at once. Anyone they pass the link on to asks the door like everyone else (a
link that admitted directly, one person, let in whoever used it first). The bot can write to someone only once they have opened a private chat with
it; when it cannot, staff get the link in the console inbox, to send it themselves. Either
way their join is credited to the link they first came by (kept again by the reconsidered
approval, `join_sources`), as an approval in the first place would have.

Someone already in the group (let in by hand in the app meanwhile) needs nothing; someone
banned from it cannot join by any link, and staff are told to lift the ban first.

A refusal by staff is told the same way: the join request is declined and the refusal sent
in private; when the bot may not write to the person, staff are told they were not told."""

from __future__ import annotations

from aiogram.exceptions import TelegramAPIError

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

EN, ZH = Language.EN, Language.ZH_CN

# The Bot API's refusals when the join request to approve is no longer there.
_GONE = ("hide_requester_missing",)
# Its refusals when the bot may not write to a person (they never opened its private chat).
_UNREACHABLE = ("can't initiate conversation", "bot was blocked", "chat not found",
                "user is deactivated")  # fmt: skip

TEXTS = Phrasebook({
    "invite": {EN: "Good news: the staff of {group} looked at your application again and let "
                   "you in. Ask to join by this link and you are let in at once: {link}",
               ZH: "好消息：「{group}」的管理员重新审核了你的申请，同意你加入。请通过这个链接"
                   "申请入群，会立即通过：{link}"},
    "staff": {EN: "{name} was let into {group} after all, but Telegram had already turned "
                  "down their join request, and the bot cannot write to them (they never "
                  "opened a private chat with it). Send them this invite link yourself; their "
                  "request by it is let in at once (anyone else's is screened): {link}",
              ZH: "已同意 {name} 加入「{group}」，但其在 Telegram 的入群申请此前已被拒绝，"
                  "且机器人无法私信对方（对方从未打开过与机器人的私聊）。请你亲自把这个邀请"
                  "链接发给对方（对方通过它申请即会立即通过，其他人仍需审核）：{link}"},
    "untold": {EN: "{name} was refused from {group}, and Telegram turned down their join "
                   "request, but the bot cannot write to them (they never opened a private "
                   "chat with it), so they were not told why. Tell them yourself if you wish: "
                   "{text}",
               ZH: "已拒绝 {name} 加入「{group}」，Telegram 也已拒绝其入群申请，但机器人无法"
                   "私信对方（对方从未打开过与机器人的私聊），对方未收到拒绝说明。如有需要，"
                   "请亲自告知：{text}"},
    "banned": {EN: "telegram: {member} is banned from {group}: no link lets them in; lift the "
                   "ban (hearth sanctions lift) and let them in again",
               ZH: "telegram：{member} 已被「{group}」封禁，任何链接都无法入群；请先解除封禁"
                   "（hearth sanctions lift），再重新放行"},
})  # fmt: skip


def request_gone(exc: TelegramAPIError) -> bool:
    """Whether Telegram refused an approval because the join request is no longer there
    (declined before, or withdrawn)."""
    message = exc.message.casefold()
    return any(marker in message for marker in _GONE)


def unreachable(exc: TelegramAPIError) -> bool:
    """Whether Telegram refused a private message because the bot may not write to them."""
    message = exc.message.casefold()
    return any(marker in message for marker in _UNREACHABLE)


def link_name(member: str) -> str:
    """The let-in link's name, as staff see it among the group's links (at most 32)."""
    return f"let in {member}"[:32]


def say(key: str, language: Language, **values: object) -> str:
    return TEXTS.say(key, language, **values)
