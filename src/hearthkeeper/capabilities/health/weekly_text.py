"""The weekly report as staff read it on a phone: one short line per subject, each followed by
where to look further (a console page, a `hearth` command). Pure. Its words are in the
community's language, the heat-death headlines too (`analytics/heat_texts.py`); commands and
the console's page names stay as typed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hearthkeeper.capabilities.health.weekly_figures import WeekFigures
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.text.counts import counted, percent

EN, ZH = Language.EN, Language.ZH_CN
NAMED = 10  # heat-death warnings named, then how many more

TEXTS = Phrasebook({
    "head": {EN: "📊 Weekly report of {community}, {start} – {end}",
             ZH: "📊 {community} 周报（{start} – {end}）"},
    "head_first": {EN: "📊 Weekly report of {community}, {start} – {end} (first week: {days} "
                       "so far)",
                   ZH: "📊 {community} 周报（{start} – {end}，首周：目前 {days} 天）"},
    "messages": {EN: "Messages: {now} (week before {before}{change})",
                 ZH: "消息：{now} 条（上周 {before}{change}）"},
    "messages_only": {EN: "Messages: {now}", ZH: "消息：{now} 条"},
    "messages_part": {EN: "Messages: {now} (week before {before}, over the {days} it was open)",
                      ZH: "消息：{now} 条（上周 {before}，仅开放 {days} 天）"},
    "active": {EN: "Active members: {now} (week before {before})",
               ZH: "活跃成员：{now} 人（上周 {before}）"},
    "active_only": {EN: "Active members: {now}", ZH: "活跃成员：{now} 人"},
    "active_part": {EN: "Active members: {now} (week before {before}, over the {days} it was open)",
                    ZH: "活跃成员：{now} 人（上周 {before}，仅开放 {days} 天）"},
    "members": {EN: "Joined {joins}, left {leaves}; {retention}",
                ZH: "加入 {joins}，退出 {leaves}；{retention}"},
    "members_only": {EN: "Joined {joins}, left {leaves}", ZH: "加入 {joins}，退出 {leaves}"},
    "retention": {EN: "of the {of} who joined the week before, {spoke} spoke in their first "
                      "week ({share})",
                  ZH: "上周新成员 {of} 人中 {spoke} 人在入群一周内发言（{share}）"},
    "no_newcomers": {EN: "nobody new the week before", ZH: "上周无新成员"},
    "new_groups": {EN: "New this week: {count}, not in the week before",
                   ZH: "本周新群：{count} 个（上周还没有）"},
    "new_group": {EN: "- {group}, open since {opened} ({days}): {messages}, {active}",
                  ZH: "-「{group}」：{opened} 开群（{days} 天），消息 {messages} 条，活跃成员 {active} 人"},
    "new_more": {EN: "… and {more} more", ZH: "……另有 {more} 个新群"},
    "see_health": {EN: "→ console Health · hearth report --community {slug}",
                   ZH: "→ 控制台 Health 页 · hearth report --community {slug}"},
    "moderation": {EN: "Moderation: {deleted} deleted, {strikes}, {banned} banned; "
                       "waiting: {appeals}, {reports}",
                   ZH: "管理：撤回 {deleted} 条，违规 {strikes} 次，封禁 {banned} 人；"
                       "待处理：申诉 {appeals} 条，举报 {reports} 条"},
    "see_inbox": {EN: "→ console Inbox · hearth appeals list --open --community {slug}",
                  ZH: "→ 控制台 Inbox 页 · hearth appeals list --open --community {slug}"},
    "money": {EN: "Money: {new} new, {renewed} renewed, {refunded} refunded; revenue {revenue}",
              ZH: "收入：新购 {new}，续费 {renewed}，退款 {refunded}；净收入 {revenue}"},
    "see_money": {EN: "→ console Billing · hearth billing list --orders --community {slug}",
                  ZH: "→ 控制台 Billing 页 · hearth billing list --orders --community {slug}"},
    "posts": {EN: "Scheduled posts: {sent} sent, {missed} missed",
              ZH: "定时内容：已发 {sent} 条，错过 {missed} 条"},
    "see_posts": {EN: "→ hearth posts --community {slug}", ZH: "→ hearth posts --community {slug}"},
    "heat": {EN: "Heat-death warning: {count}", ZH: "热寂预警：{count} 个群"},
    "no_heat": {EN: "Heat-death warning: none", ZH: "热寂预警：无"},
    "heat_line": {EN: "- {group}: {headline}", ZH: "-「{group}」：{headline}"},
    "heat_more": {EN: "… and {more} more", ZH: "……另有 {more} 个群"},
})  # fmt: skip


def change(now: int, before: int, lang: Language) -> str:
    """ ", +50%" against the week before (a Chinese comma in Chinese); nothing when the week
    before had none."""
    if before == 0:
        return ""
    ratio = (Decimal(now - before) * 100 / before).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{'，' if lang is ZH else ', '}{'+' if ratio > 0 else ''}{ratio}%"


def _n(lang: Language, n: int, noun: str) -> str:
    """A count English says with its noun ("1 strike", "2 appeals"); Chinese with a bare
    number, its measure word in the sentence."""
    return counted(n, noun) if lang is EN else str(n)


def _revenue(amounts: dict[str, Decimal], currency: str | None) -> str:
    if not amounts:
        return f"0.00 {currency}" if currency else "0"
    return ", ".join(f"{v:.2f} {c}" for c, v in sorted(amounts.items()))


def _growth(f: WeekFigures, lang: Language, retention: str) -> list[str]:
    """The head, messages, active members and joins: against the week before when it was
    open; a first week (the community opened during it) says how many days it had, with
    nothing to compare; a week before open only some days says how many, without a change
    in percent."""
    say = TEXTS.say
    span = {"community": f.community, "start": f.start.isoformat(), "end": f.end.isoformat()}
    if f.days < 7:
        head = say("head_first", lang, days=_n(lang, f.days, "day"), **span)
    else:
        head = say("head", lang, **span)
    if not f.days_before:
        return [head, say("messages_only", lang, now=f.messages),
                say("active_only", lang, now=f.active),
                say("members_only", lang, joins=f.joins, leaves=f.leaves)]  # fmt: skip
    if f.days_before < 7:
        days = _n(lang, f.days_before, "day")
        messages = say("messages_part", lang, now=f.messages, before=f.messages_before, days=days)
        active = say("active_part", lang, now=f.active, before=f.active_before, days=days)
    else:
        messages = say("messages", lang, now=f.messages, before=f.messages_before,
                       change=change(f.messages, f.messages_before, lang))  # fmt: skip
        active = say("active", lang, now=f.active, before=f.active_before)
    return [head, messages, active,
            say("members", lang, joins=f.joins, leaves=f.leaves, retention=retention)]  # fmt: skip


def _new_groups(f: WeekFigures, lang: Language) -> list[str]:
    """The groups opened during the week of an older community, each over the days it had:
    the totals above hold them, the week before none of them (not "last week 0")."""
    if not f.new_groups:
        return []
    say = TEXTS.say
    lines = [say("new_groups", lang, count=_n(lang, len(f.new_groups), "group"))]
    lines += [say("new_group", lang, group=g.name, opened=g.opened.isoformat(),
                  days=_n(lang, g.days, "day"), messages=_n(lang, g.messages, "message"),
                  active=_n(lang, g.active, "active member"))
              for g in f.new_groups[:NAMED]]  # fmt: skip
    if len(f.new_groups) > NAMED:
        lines.append(say("new_more", lang, more=len(f.new_groups) - NAMED))
    return lines


def weekly_text(f: WeekFigures, lang: Language) -> str:
    """The weekly report of `f`, in `lang`."""
    say = TEXTS.say
    retention = (say("retention", lang, of=f.newcomers_before, spoke=f.newcomers_before_spoke,
                     share=percent(f.newcomers_before_spoke / f.newcomers_before))
                 if f.newcomers_before else say("no_newcomers", lang))  # fmt: skip
    lines = [*_growth(f, lang, retention), *_new_groups(f, lang),
        say("see_health", lang, slug=f.slug),
        say("moderation", lang, deleted=f.deleted, strikes=_n(lang, f.strikes, "strike"),
            banned=f.banned, appeals=_n(lang, f.appeals_waiting, "appeal"),
            reports=_n(lang, f.reports_waiting, "report")),
        say("see_inbox", lang, slug=f.slug),
    ]  # fmt: skip
    if f.money is not None:
        m = f.money
        lines += [say("money", lang, new=m.new, renewed=m.renewed, refunded=m.refunded,
                      revenue=_revenue(m.revenue, f.currency)),
                  say("see_money", lang, slug=f.slug)]  # fmt: skip
    lines += [say("posts", lang, sent=f.posts_sent, missed=f.posts_missed),
              say("see_posts", lang, slug=f.slug)]  # fmt: skip
    if not f.warned:
        lines.append(say("no_heat", lang))
        return "\n".join(lines)
    lines.append(say("heat", lang, count=_n(lang, len(f.warned), "group")))
    lines += [say("heat_line", lang, group=w.name, headline=w.headline or "")
              for w in f.warned[:NAMED]]  # fmt: skip
    if len(f.warned) > NAMED:
        lines.append(say("heat_more", lang, more=len(f.warned) - NAMED))
    lines.append(say("see_health", lang, slug=f.slug))
    return "\n".join(lines)
