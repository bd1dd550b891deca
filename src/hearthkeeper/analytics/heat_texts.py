"""The heat-death warning's reasons and actions in the community's language: the report and
the console read them in English (`Language.EN`, their language), the daily watch's alert in
the playbook's `community.language` (capabilities/health/watch.py), as the matrix's warnings
are (`capabilities/grid/decide.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language

ZH, EN = Language.ZH_CN, Language.EN

TEXTS = Phrasebook({
    # --- reasons (analytics/heat.py) ---------------------------------------------------------
    "no_output": {
        EN: "No output {since}: no staff message or scheduled post.",
        ZH: "{since}没有输出：没有工作人员发言，也没有定时内容。",
    },
    "in_the_span": {EN: "in the last 35 days", ZH: "最近 35 天"},
    "for_days": {EN: "for {quiet} days (since {since})", ZH: "已 {quiet} 天（自 {since} 起）"},
    "output_fell": {
        EN: "Output fell: {this} staff messages and posts this week vs {before}/week over the "
            "four weeks before.",
        ZH: "输出减少：本周 {this} 条工作人员发言或定时内容，之前四周平均每周 {before} 条。",
    },
    "output_fell_one": {
        EN: "Output fell: {this} staff message or post this week vs {before}/week over the "
            "four weeks before.",
        ZH: "输出减少：本周 {this} 条工作人员发言或定时内容，之前四周平均每周 {before} 条。",
    },
    "messages_fell": {
        EN: "Messages fell: {this} this week vs {before}/week over the four weeks before.",
        ZH: "消息减少：本周 {this} 条，之前四周平均每周 {before} 条。",
    },
    "speakers_fell": {
        EN: "Speakers fell: {this} a day this week vs {before} a day over the four weeks before.",
        ZH: "发言人数减少：本周平均每天 {this} 人，之前四周平均每天 {before} 人。",
    },
    "silent": {
        EN: "No message in the last {days} days ({last}), with {members} in it.",
        ZH: "最近 {days} 天没有一条消息（{last}），群里还有 {members}。",
    },
    "last_on": {EN: "the last on {day}", ZH: "最后一条在 {day}"},
    "none_ever": {EN: "none ever", ZH: "从来没有过消息"},
    "member": {EN: "{n} member", ZH: "{n} 人"},
    "members": {EN: "{n} members", ZH: "{n} 人"},
    "key_silent": {
        EN: "{who} silent since {first}: {names}{more}.",
        ZH: "{who}自 {first} 起沉默：{names}{more}。",
    },
    "key_member": {EN: "{n} key member", ZH: "{n} 位关键成员"},
    "key_members": {EN: "{n} key members", ZH: "{n} 位关键成员"},
    "key_named": {EN: "{name} (last {last})", ZH: "{name}（最后活跃 {last}）"},
    "more": {EN: " and {more} more", ZH: "，另有 {more} 人"},
    # --- actions (analytics/heat_actions.py) -------------------------------------------------
    "no_output_for": {EN: "No output for {quiet} days: ", ZH: "已 {quiet} 天没有输出："},
    "post_stopped": {
        EN: "{prefix}the calendar post `{post}` ({schedule}) has not posted {since} ({missed} "
            "firing missed) — {fix}.",
        ZH: "{prefix}定时内容 `{post}`（{schedule}）{since}没有发出（错过 {missed} 次）——{fix}。",
    },
    "post_stopped_many": {
        EN: "{prefix}the calendar post `{post}` ({schedule}) has not posted {since} ({missed} "
            "firings missed) — {fix}.",
        ZH: "{prefix}定时内容 `{post}`（{schedule}）{since}没有发出（错过 {missed} 次）——{fix}。",
    },
    "since_day": {EN: "since {day}", ZH: "自 {day} 起"},
    "in_a_week": {EN: "in the last 7 days", ZH: "最近 7 天"},
    "since_added": {EN: "since it was added on {day}", ZH: "自 {day} 加入剧本起"},
    "fix_remind": {
        EN: "it waits for staff to confirm (mode: remind) — confirm it when reminded, or switch "
            "it to mode: auto",
        ZH: "它要等工作人员确认才发（mode: remind）：收到提醒时确认，或改为 mode: auto",
    },
    "fix_library": {
        EN: "check its content library `{library}` (it may have run out: the console's Calendar "
            "page shows what each group has left) and the calendar (`hearth posts`)",
        ZH: "检查它的内容库 `{library}`（可能已经用完：控制台的日历页显示每个群还剩多少）"
            "和日历（`hearth posts`）",
    },
    "fix_calendar": {
        EN: "check the calendar (`hearth posts`) and that the server is running",
        ZH: "检查日历（`hearth posts`）以及服务器是否在运行",
    },
    "no_post": {
        EN: "The playbook has no scheduled post for {group}: add a daily knowledge pack under "
            "`calendar.posts` (a two-minute pack every morning).",
        ZH: "剧本里没有发到「{group}」的定时内容：在 `calendar.posts` 下加一个每日知识包"
            "（每天早上两分钟的内容）。",
    },
    "no_playbook_post": {
        EN: "There is no playbook, so no scheduled post for {group}: add a daily knowledge pack "
            "under `calendar.posts` (a two-minute pack every morning).",
        ZH: "还没有剧本，所以没有发到「{group}」的定时内容：在 `calendar.posts` 下加一个"
            "每日知识包（每天早上两分钟的内容）。",
    },
    "ask_staff": {
        EN: "Ask {roles} to post in {group}: staff output is the group's energy input.",
        ZH: "请{roles}在「{group}」发言：工作人员的输出是群的能量来源。",
    },
    "the_staff": {EN: "the staff", ZH: "工作人员"},
    "role": {EN: "{role} ({title})", ZH: "{role}（{title}）"},
    "key_action": {
        EN: "{who} silent since {first} ({names}): @-mention them in {group} with a question in "
            "their field, or write to them directly.",
        ZH: "{who}自 {first} 起沉默（{names}）：在「{group}」@ 他们，问一个他们擅长领域的问题，"
            "或私下联系他们。",
    },
    "no_check_ins": {
        EN: "No check-ins for a week ({before}): the check-in mechanism is on (keywords: "
            "{words}) — announce it in {group}.",
        ZH: "一周没有人打卡（{before}）：打卡机制已开启（关键词：{words}）——在「{group}」"
            "宣布一下。",
    },
    "check_ins_before": {EN: "{before}/week before", ZH: "之前平均每周 {before} 次"},
    "no_check_ins_before": {
        EN: "none in the four weeks before either",
        ZH: "之前四周也没有",
    },
    "check_ins_fell": {
        EN: "Check-ins fell: {this} this week vs {before}/week before — remind {group} of the "
            "daily check-in ({words}).",
        ZH: "打卡减少：本周 {this} 次，之前平均每周 {before} 次——提醒「{group}」每日打卡"
            "（{words}）。",
    },
    "violations_rose": {
        EN: "Violations rose: {this} this week vs {before}/week before (advertising groups are "
            "one way a community dies) — tighten rules: {tighten}, and consider a stricter "
            "joining threshold (now: {threshold}).",
        ZH: "违规增多：本周 {this} 次，之前平均每周 {before} 次（变成广告群是社群死亡的一种"
            "方式）——收紧群规：{tighten}，并考虑更严格的入群门槛（当前：{threshold}）。",
    },
    "detectors_off": {
        EN: "turn on the detectors that are off ({off})",
        ZH: "打开尚未开启的检测（{off}）",
    },
    "shorten_ladder": {
        EN: "shorten the ladder (`rules.ladder`)",
        ZH: "缩短处罚阶梯（`rules.ladder`）",
    },
    "restart_session": {
        EN: "Restart the conversation in {group}: promote the live session {session} and bring "
            "a hot topic.",
        ZH: "在「{group}」重新带起话题：推广直播分享 {session}，并抛出一个热门话题。",
    },
    "session": {EN: "`{id}` ({title})", ZH: "`{id}`（{title}）"},
    "restart": {
        EN: "Restart the conversation in {group}: bring a hot topic, start a poll, or plan a "
            "live sharing session under `calendar.live_sessions`.",
        ZH: "在「{group}」重新带起话题：抛出一个热门话题、发起投票，或在 "
            "`calendar.live_sessions` 下安排一场直播分享。",
    },
})  # fmt: skip


def said(key: str, lang: Language, **values: Any) -> str:
    """The text `key` in `lang`."""
    return TEXTS.say(key, lang, **values)


def counted_in(n: int, noun: str, lang: Language) -> str:
    """`n` with `noun` (a key, its plural the key with an s): "3 key members", "3 位关键成员"."""
    return TEXTS.say(noun if n == 1 else noun + "s", lang, n=n)


def listed(items: Sequence[str], lang: Language) -> str:
    """Items one after another: ", " in English, "、" in Chinese."""
    return ("、" if lang is ZH else ", ").join(items)
