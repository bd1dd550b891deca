"""What the bot says about polls, in zh-CN and en, and the standings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.format import echoed, when_text
from hearthkeeper.capabilities.lists_common.deadline import DEADLINE_TEXTS
from hearthkeeper.capabilities.polls.records import Poll, PollVote
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.counts import half_up_share, whole_shares

ZH, EN = Language.ZH_CN, Language.EN
BAR = 10  # the bar of an option every voter chose, in blocks

TEXTS = Phrasebook({
    "announce": {ZH: "📊 投票：{question}", EN: "📊 Poll: {question}"},
    "single": {ZH: "单选", EN: "single choice"},
    "multiple": {ZH: "多选", EN: "multiple choice"},
    "named": {ZH: "实名", EN: "named"},
    "anonymous": {ZH: "匿名", EN: "anonymous"},
    "closes": {ZH: "{when} 截止", EN: "closes {when}"},
    "closed": {ZH: "已结束", EN: "closed"},
    "how_single": {
        ZH: "回复序号或字母投票，例如「1」；再投一次即改票，/投票结果 查看结果。",
        EN: "Reply with the number or letter to vote, e.g. '1'; vote again to change it; "
        "/results shows the standings.",
    },
    "how_multiple": {
        ZH: "回复序号或字母投票，可选多项，例如「1 3」；/投票结果 查看结果。",
        EN: "Reply with numbers or letters to vote, several allowed, e.g. '1 3'; "
        "/results shows the standings.",
    },
    "how_anonymous": {ZH: "结果不显示投票人。", EN: "Results do not show who voted."},
    "voted": {ZH: "✅ {name} 投给了 {choices}。", EN: "✅ {name} voted for {choices}."},
    "changed": {ZH: "✅ {name} 改投 {choices}。", EN: "✅ {name} changed the vote to {choices}."},
    "counted": {ZH: "✅ {name} 的投票已记下。", EN: "✅ {name}, your vote is counted."},
    "same": {ZH: "{name}，你已经投过这一项了。", EN: "{name}, you already voted for that."},
    "single_only": {
        ZH: "{name}，这是单选投票，只能选一项，例如「1」。",
        EN: "{name}, this poll is single choice: pick one, e.g. '1'.",
    },
    "out_of_range": {
        ZH: "{name}，选项是 1–{count}（或 A–{letter}）。",
        EN: "{name}, the options are 1–{count} (or A–{letter}).",
    },
    "withdrawn": {ZH: "{name} 撤回了投票。", EN: "{name} withdrew the vote."},
    "not_voted": {ZH: "{name}，你还没有投票。", EN: "{name}, you have not voted."},
    "no_poll": {ZH: "现在没有进行中的投票。", EN: "There is no open poll right now."},
    "no_polls": {ZH: "这个群还没有投票。", EN: "This group has had no poll yet."},
    "still_open": {
        ZH: "「{question}」还在投票中，请先发 /结束投票 再发起新的投票。",
        EN: "'{question}' is still open: close it with /endpoll before starting another.",
    },
    "results": {ZH: "📊 {question}（{settings}）", EN: "📊 {question} ({settings})"},
    "final": {ZH: "📊 投票结束：{question}（{settings}）", EN: "📊 Poll closed: {question} ({settings})"},
    "option": {ZH: "{number}. {option}  {bar} {count} 票{share}", EN: "{number}. {option}  {bar} {count}{share}"},
    "voters": {ZH: "共 {voters} 人投票", EN: "{voters} voted"},
    "winner": {ZH: "最多票：{winners}", EN: "Most votes: {winners}"},
    "usage": {
        ZH: "用法：/投票 问题 | 选项1 | 选项2 [| 多选] [| 匿名] [| 截止 21:00]",
        EN: "Usage: /poll QUESTION | OPTION 1 | OPTION 2 [| multiple] [| anonymous] [| until 21:00]",
    },
    "vote_usage": {ZH: "用法：/投 2 或 /投 选项（多选：/投 1 3）",
                   EN: "Usage: /vote 2 or /vote OPTION (multiple choice: /vote 1 3)"},
    "no_question": {ZH: "请写上投票的问题。", EN: "Write the question first."},
    "few_options": {ZH: "至少要有两个选项，用 | 分开。", EN: "Give at least two options, separated by |."},
    "many_options": {ZH: "最多 {detail} 个选项。", EN: "At most {detail} options."},
    "duplicate_option": {ZH: "选项「{detail}」写了两次。", EN: "The option '{detail}' is there twice."},
    "question_first": {
        ZH: "第一段是投票的问题；截止时间、多选、匿名写在选项后面，例如 /投票 周末去哪 | 爬山 | 看展 | 截止 21:00。",
        EN: "The first part is the question; put the deadline, multiple and anonymous after the "
        "options, e.g. /poll Where to? | hike | museum | until 21:00.",
    },
    **DEADLINE_TEXTS,  # the same as a sign-up's
})  # fmt: skip


def settings_text(poll: Poll, zone: ZoneInfo, lang: Language) -> str:
    """`单选·匿名·5月1日 周五 21:00 截止`."""
    parts = [
        TEXTS.say("multiple" if poll.multiple else "single", lang),
        TEXTS.say("anonymous" if poll.anonymous else "named", lang),
        TEXTS.say("closes", lang, when=when_text(poll.deadline, zone, lang))
        if poll.status == "open" else TEXTS.say("closed", lang),
    ]  # fmt: skip
    return ("·" if lang is ZH else " · ").join(parts)


def choices_text(poll: Poll, options: Iterable[int]) -> str:
    """`2. 看展、3. 桌游`."""
    return ", ".join(f"{i + 1}. {poll.options[i]}" for i in sorted(options))


def announcement(poll: Poll, zone: ZoneInfo, lang: Language) -> str:
    """The poll as posted when it starts: question, options, settings, how to vote."""
    lines = [TEXTS.say("announce", lang, question=poll.question)]
    lines.extend(f"{i}. {option}" for i, option in enumerate(poll.options, start=1))
    lines.append(settings_text(poll, zone, lang))
    how = TEXTS.say("how_multiple" if poll.multiple else "how_single", lang)
    if poll.anonymous:
        how += " " + TEXTS.say("how_anonymous", lang)
    lines.append(how)
    return "\n".join(lines)


def standings(poll: Poll, votes: Sequence[PollVote], zone: ZoneInfo, lang: Language, *,
              final: bool = False) -> str:  # fmt: skip
    """Counts per option with a bar; names only when the poll is not anonymous."""
    counts = Counter(v.option for v in votes)
    voters = len({v.member_id for v in votes})
    names: dict[int, list[str]] = {}
    for vote in votes:
        names.setdefault(vote.option, []).append(vote.display_name)
    head = "final" if final else "results"
    lines = [
        TEXTS.say(head, lang, question=poll.question, settings=settings_text(poll, zone, lang))
    ]
    top = max(counts.values(), default=0)
    per_option = [counts.get(index, 0) for index in range(len(poll.options))]
    # a single-choice poll's shares add up to 100%; in a multiple-choice poll each option's
    # share of the voters is rounded half up on its own (together they are more than 100%)
    shares = (whole_shares(per_option) if not poll.multiple
              else [half_up_share(count, voters) for count in per_option])  # fmt: skip
    for index, option in enumerate(poll.options):
        count = counts.get(index, 0)
        # the bar is the option's share of voters, as its percentage says: three options at
        # 33% each are three short bars, not three full ones (it was drawn against the leader);
        # its blocks are the printed share's tenths, half up, as the share itself (45%: 5)
        bar = "█" * ((shares[index] * BAR + 50) // 100) if voters else ""
        share = f" ({shares[index]}%)" if voters else ""
        text = TEXTS.say("option", lang, number=index + 1, option=option, bar=bar, count=count,
                         share=share)  # fmt: skip
        if not poll.anonymous and names.get(index):
            text += " — " + ("、" if lang is ZH else ", ").join(names[index])
        lines.append(text)
    lines.append(TEXTS.say("voters", lang, voters=voters))
    if final and top:
        winners = [poll.options[i] for i, c in sorted(counts.items()) if c == top]
        lines.append(
            TEXTS.say("winner", lang, winners=("、" if lang is ZH else ", ").join(winners))
        )
    return "\n".join(lines)


def problem_text(key: str, detail: str, lang: Language) -> str:
    """A poll command that could not be read: what was wrong, then the usage."""
    return TEXTS.say(key, lang, detail=echoed(detail)) + "\n" + TEXTS.say("usage", lang)
