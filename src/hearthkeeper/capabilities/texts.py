"""What the bot says, in the community's language (zh-CN or en)."""

from __future__ import annotations

import unicodedata
from typing import Any

from hearthkeeper.playbook.positioning import Language

_TEXTS: dict[str, dict[Language, str]] = {
    "welcome": {
        Language.ZH_CN: "欢迎 {nickname} 加入「{group}」！{purpose}\n{rules}",
        Language.EN: "Welcome to {group}, {nickname}! {purpose}\n{rules}",
    },
    "welcome_back": {
        Language.ZH_CN: "欢迎回来，{nickname}！很高兴在「{group}」再见到你。",
        Language.EN: "Welcome back to {group}, {nickname}! Good to see you again.",
    },
    "ban_evasion": {
        Language.ZH_CN: "黑名单成员 {nickname} 又进入了「{group}」，已再次移出。",
        Language.EN: "{nickname}, who is blacklisted, came back into {group}: removed again.",
    },
    "rules_header": {Language.ZH_CN: "群规：", Language.EN: "Group rules:"},
    "accept_prompt": {
        Language.ZH_CN: "请回复「同意」表示接受群规，之后就可以发言啦。",
        Language.EN: "Reply 'agree' to accept the rules, then you can post.",
    },
    "accepted": {
        Language.ZH_CN: "{nickname} 已接受群规，欢迎发言！",
        Language.EN: "Thanks {nickname}, you have accepted the rules. Welcome!",
    },
    "accept_first": {
        Language.ZH_CN: "{nickname}，请先回复「同意」接受群规再发言。",
        Language.EN: "{nickname}, please reply 'agree' to accept the rules before posting.",
    },
    "nickname_reminder": {
        Language.ZH_CN: "{nickname}，请按「{nickname_format}」的格式修改群昵称。",
        Language.EN: "{nickname}, please set your display name as '{nickname_format}'.",
    },
    "intro_request": {
        Language.ZH_CN: "请在 {deadline}内做个自我介绍，让大家认识你。",
        Language.EN: "Please introduce yourself within {deadline} so everyone gets to know you.",
    },
    "intro_reminder": {
        Language.ZH_CN: "{nickname}，还没看到你的自我介绍哦，跟大家打个招呼吧！",
        Language.EN: "{nickname}, we haven't heard from you yet: say hello and introduce yourself!",
    },
    "probation": {
        Language.ZH_CN: "{nickname}，新成员入群 {duration}内不能发{what}，消息已撤回。",
        Language.EN: "{nickname}, new members cannot post {what} during their first {duration}; "
        "the message was removed.",
    },
    "warn": {
        Language.ZH_CN: "{nickname}，你的消息违反了群规（{violation}），已被撤回。第 {count} 次违规{next}。",
        Language.EN: "{nickname}, your message broke the rules ({violation}) and was removed. "
        "Strike {count}{next}.",
    },
    "next_mute": {
        Language.ZH_CN: "，再次违规将被禁言 {duration}",
        Language.EN: "; next time: muted for {duration}",
    },
    "next_kick": {
        Language.ZH_CN: "，再次违规将被移出本群",
        Language.EN: "; next time you will be removed",
    },
    "muted": {
        Language.ZH_CN: "{nickname} 因{violation}被禁言 {duration}。",
        Language.EN: "{nickname} is muted for {duration} ({violation}).",
    },
    # Once per mute, to a muted member whose message got through (and was deleted).
    "held_muted": {
        Language.ZH_CN: "{nickname} 仍在禁言中（至 {until}），期间发言会被撤回。",
        Language.EN: "{nickname}, you are muted until {until}; messages sent before then are removed.",
    },
    "removed": {
        Language.ZH_CN: "{nickname} 多次违反群规（{violation}），已被移出。",
        Language.EN: "{nickname} broke the rules repeatedly ({violation}) and was removed.",
    },
    # Why a deletion, mute or removal happened, as carriers show it to the member: the rule
    # broken, never what matched (a keyword shown teaches how to spell around it).
    "rule_broken": {
        Language.ZH_CN: "违反群规：{violation}（第 {count} 次）",
        Language.EN: "broke the rules: {violation} (strike {count})",
    },
    # After an operator's own words for a ladder step that do not place {rule} and {count}.
    "rule_and_count": {
        Language.ZH_CN: "违反群规：{violation}，第 {count} 次违规。",
        Language.EN: "Rule broken: {violation}. Strike {count}.",
    },
    "alert": {
        Language.ZH_CN: "【需要人工处理】{group}：{nickname} — {violation}：{excerpt}",
        Language.EN: "[Needs a human] {group}: {nickname} — {violation}: {excerpt}",
    },
    # after "alert", for an ad only the learned scorer saw, by a member in good standing
    "spared": {
        Language.ZH_CN: "（仅模型判断疑似广告，评分 {score}；该成员信誉良好：入群 {days} 天、"
        "发言 {messages} 条以上、无有效警告，未自动处罚）",
        Language.EN: " (only the learned scorer flagged it, spam {score}; not punished: a member "
        "in good standing, {days} days in the community, {messages}+ messages, no live strike)",
    },
    # the excerpt of an alert about a newcomer's display name (nothing said yet)
    "joined": {Language.ZH_CN: "刚入群", Language.EN: "just joined"},
    # ... and about a member who just took that name (a rename the carrier reported)
    "renamed": {Language.ZH_CN: "刚改了群昵称", Language.EN: "just took this name"},
    # ... and about a member who edited a message under it (Telegram tells a bot no rename)
    "edited": {
        Language.ZH_CN: "用这个群昵称编辑了一条消息",
        Language.EN: "edited a message under this name",
    },
    "refused": {
        Language.ZH_CN: "{nickname} 在黑名单中，已被移出。",
        Language.EN: "{nickname} is blacklisted and was removed.",
    },
}

VIOLATION_NAMES: dict[str, dict[Language, str]] = {
    "advertising": {Language.ZH_CN: "发广告", Language.EN: "advertising"},
    "links": {Language.ZH_CN: "发链接", Language.EN: "links"},
    "contact": {Language.ZH_CN: "留联系方式", Language.EN: "sharing contact details"},
    "invites": {Language.ZH_CN: "发其他群的邀请或二维码", Language.EN: "other groups' invites"},
    "flooding": {Language.ZH_CN: "刷屏", Language.EN: "flooding"},
    "repeated_text": {Language.ZH_CN: "重复发送相同内容", Language.EN: "repeating the same text"},
    "mention_spam": {Language.ZH_CN: "大量@他人", Language.EN: "mass mentions"},
    "insults": {Language.ZH_CN: "辱骂或争吵", Language.EN: "insults or a quarrel"},
    "nickname": {Language.ZH_CN: "群昵称格式不对", Language.EN: "display name format"},
    # a display name with a contact id, a link, an invite or an ad keyword (staff's alerts)
    "nickname_advert": {
        Language.ZH_CN: "群昵称含广告或联系方式",
        Language.EN: "advertising in the display name",
    },
    # a display name wearing a staff title or an authority word (客服, 【官方】, admin)
    "nickname_staff": {
        Language.ZH_CN: "群昵称冒充管理员或官方",
        Language.EN: "display name impersonates staff",
    },
    # a strike staff gave with `/warn` (capabilities/moderation/chat_effects.py)
    "staff_warning": {Language.ZH_CN: "管理员警告", Language.EN: "a moderator's warning"},
}

PROBATION_WHAT: dict[str, dict[Language, str]] = {
    "links": {Language.ZH_CN: "链接", Language.EN: "links"},
    "files": {Language.ZH_CN: "文件", Language.EN: "files"},
    "pictures": {Language.ZH_CN: "图片", Language.EN: "pictures"},
    "mentions": {Language.ZH_CN: "@他人", Language.EN: "mentions"},
}

ACCEPT_WORDS = frozenset({
    "同意", "同意群规", "我同意", "我同意群规", "同意遵守群规", "我同意遵守群规", "已阅读并同意",
    "已读同意", "ok 同意", "好的 同意", "好的同意",
    "agree", "i agree", "agreed", "accept", "i accept", "i agree to the rules",
    "i accept the rules", "agree to the rules", "ok agree",
})  # fmt: skip
_ACCEPT_EDGES = "。.!！~～、，,;；:： "


def accepts_rules(text: str) -> bool:
    """Whether `text` is a newcomer's acceptance of the rules: one of `ACCEPT_WORDS`, case, width,
    spacing and the punctuation around or between the words ignored (`我同意群规！`, `OK，同意`,
    `I agree to the rules.`); a longer message that only contains the words is not."""
    words = unicodedata.normalize("NFKC", text).casefold()
    for mark in _ACCEPT_EDGES:
        words = words.replace(mark, " ")
    return " ".join(words.split()) in ACCEPT_WORDS


def say(key: str, language: Language, **values: Any) -> str:
    """The text `key` in `language`, with placeholders filled."""
    return _TEXTS[key][language].format(**values)


def violation_name(kind: str, language: Language) -> str:
    """A violation kind in the members' words."""
    names = VIOLATION_NAMES.get(kind)
    return names[language] if names else kind


def probation_what(kind: str, language: Language) -> str:
    """What newcomers may not post, in the members' words."""
    return PROBATION_WHAT[kind][language]


class Phrasebook:
    """A module's own bot texts, by key and language; placeholders in `{braces}`."""

    def __init__(self, texts: dict[str, dict[Language, str]]) -> None:
        for key, versions in texts.items():
            missing = set(Language) - set(versions)
            if missing:
                raise ValueError(f"text {key!r} lacks {', '.join(sorted(missing))}")
        self._texts = texts

    def say(self, key: str, language: Language, **values: Any) -> str:
        """The text `key` in `language`, with placeholders filled."""
        return self._texts[key][language].format(**values)

    def template(self, key: str, language: Language) -> str:
        """The text `key` in `language` with its placeholders unfilled (for a page script)."""
        return self._texts[key][language]
