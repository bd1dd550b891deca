"""What staff read when a group spikes (pure): the figures and the messages, quoted with their
author and time, in the community's language."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.crisis.decide import Spike
from hearthkeeper.capabilities.crisis.repository import Mark
from hearthkeeper.capabilities.format import excerpt
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.counts import percent as whole_percent

QUOTED = 8  # messages quoted in an alert (the console shows them all)

TEXTS = Phrasebook({
    "alert": {
        Language.ZH_CN: "「{group}」负面/恐慌消息激增：近 {minutes} 分钟成员的 {messages} 条消息中有 "
                        "{alarming} 条（{share}），来自 {authors} 位成员；{usual}。引发的消息：\n{quotes}\n"
                        "建议：尽快由群主出面回应，说明事实和处理办法（退款、就医建议），私聊当事人，"
                        "避免恐慌扩散。",
        Language.EN: "A spike of negative or panicked messages in {group}: {alarming} of members' "
                     "{messages} messages in the last {minutes} minutes ({share}) from {authors} "
                     "members; {usual}. The messages:\n{quotes}\nSuggested: answer in the group "
                     "soon with the facts and what you will do (refunds, medical advice), reach "
                     "the members concerned privately, and keep the panic from spreading.",
    },
    "usual": {
        Language.ZH_CN: "平时约 {share}",
        Language.EN: "usually {share}",
    },
    "new": {
        Language.ZH_CN: "该群历史消息不足，按最低比例 {bar} 判断",
        Language.EN: "too little history to know the usual share; judged on the floor of {bar}",
    },
    "more": {
        Language.ZH_CN: "……另有 {n} 条，见控制台",
        Language.EN: "… and {n} more in the console",
    },
})  # fmt: skip


def percent(share: float) -> str:
    """A share as a whole percentage, rounded half up (`text.counts.percent`)."""
    return whole_percent(share)


def quote(mark: Mark, zone: ZoneInfo) -> str:
    """One message as staff read it: local time, author, the start of the text."""
    return f"· {mark.at.astimezone(zone):%H:%M} {mark.author}: {excerpt(mark.text, 80)}"


def alert_text(lang: Language, group: str, found: Spike, minutes: int, marks: Sequence[Mark],
               zone: ZoneInfo) -> str:  # fmt: skip
    """The staff alert for a new episode."""
    usual = (TEXTS.say("usual", lang, share=percent(found.baseline)) if found.baseline is not None
             else TEXTS.say("new", lang, bar=percent(found.bar)))  # fmt: skip
    lines = [quote(m, zone) for m in marks[:QUOTED]]
    if len(marks) > QUOTED:
        lines.append(TEXTS.say("more", lang, n=len(marks) - QUOTED))
    w = found.window
    return TEXTS.say("alert", lang, group=group, minutes=minutes, messages=w.messages,
                     alarming=w.alarming, share=percent(w.share), authors=w.authors, usual=usual,
                     quotes="\n".join(lines))  # fmt: skip
