"""Fun titles members claim (seed 002's 喝水委员): `/claim`, `/release`, `/titles`, and the
duty reminder that @-mentions the holders on the title's schedule."""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers.checkin_effects import answer
from hearthkeeper.handlers.commands import Command, CommandBook, Invocation, reply
from hearthkeeper.handlers.texts import Phrasebook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.mechanisms import Title
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.schedule import parse_schedule
from hearthkeeper.store import ClaimOutcome, Store

TEXTS = Phrasebook({
    "claim_usage": {
        Language.ZH_CN: "用法：/认领 头衔名。可以认领的头衔：{titles}",
        Language.EN: "Usage: /claim <title>. Titles: {titles}",
    },
    "unknown": {
        Language.ZH_CN: "没有「{wanted}」这个头衔。可以认领的头衔：{titles}",
        Language.EN: "There is no title '{wanted}'. Titles: {titles}",
    },
    "claimed": {
        Language.ZH_CN: "🎖 {nickname} 成为「{title}」！{duty}",
        Language.EN: "🎖 {nickname} is now the {title}! {duty}",
    },
    "duty": {Language.ZH_CN: "职责：{duty}", Language.EN: "Duty: {duty}"},
    "already": {
        Language.ZH_CN: "{nickname} 已经是「{title}」啦。", Language.EN: "{nickname}, you already are the {title}.",
    },
    "full": {
        Language.ZH_CN: "「{title}」已经有人担任了（{holders}），名额 {limit} 个。{vacant}",
        Language.EN: "The {title} is taken ({holders}); {limit} place(s). {vacant}",
    },
    "vacant": {Language.ZH_CN: "还空着的头衔：{titles}", Language.EN: "Still open: {titles}"},
    "released": {
        Language.ZH_CN: "{nickname} 卸任了「{title}」，辛苦啦！", Language.EN: "{nickname} stepped down as the {title}. Thank you!",
    },
    "not_holding": {
        Language.ZH_CN: "{nickname} 目前没有「{title}」这个头衔。", Language.EN: "{nickname}, you do not hold the title '{title}'.",
    },
    "none_held": {Language.ZH_CN: "{nickname} 目前没有头衔。", Language.EN: "{nickname}, you hold no title."},
    "which": {
        Language.ZH_CN: "要卸任哪个头衔？{titles}（如 /卸任 {first}）",
        Language.EN: "Which title? {titles} (e.g. /release {first})",
    },
    "list_header": {Language.ZH_CN: "🎖 群头衔", Language.EN: "🎖 Titles"},
    "list_line": {Language.ZH_CN: "· {title}（{count}/{limit}）：{holders}{duty}", Language.EN: "· {title} ({count}/{limit}): {holders}{duty}"},
    "list_vacant": {Language.ZH_CN: "空缺", Language.EN: "open"},
    "list_duty": {Language.ZH_CN: " — {duty}", Language.EN: " — {duty}"},
    "no_titles": {Language.ZH_CN: "本群还没有设置头衔。", Language.EN: "This community has no titles yet."},
    "reminder": {Language.ZH_CN: "{mentions} {title}提醒：{duty}", Language.EN: "{mentions} {title} reminder: {duty}"},
    "reminder_no_duty": {Language.ZH_CN: "{mentions} {title}，该你上场啦！", Language.EN: "{mentions} time for your duty as {title}!"},
})  # fmt: skip

SEP = {Language.ZH_CN: "、", Language.EN: ", "}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def find_title(titles: Sequence[Title], wanted: str) -> Title | None:
    """A title by name, ignoring case and width."""
    return next((t for t in titles if _fold(t.name) == _fold(wanted)), None)


def next_reminder(schedule: str, after: datetime, timezone: str) -> datetime:
    """The first time on `schedule` (community time) after `after`, in UTC."""
    start = after.astimezone(ZoneInfo(timezone))
    found: datetime = croniter(parse_schedule(schedule), start).get_next(datetime)
    return found.astimezone(UTC)


def reminder_key(group_id: int, title: str, due: datetime) -> str:
    """One reminder of one title in one group, at one time."""
    digest = hashlib.sha1(title.encode("utf-8")).hexdigest()[:12]
    return f"titles:remind:{group_id}:{digest}:{due.strftime('%Y%m%dT%H%M')}"


def plan_reminder(store: Store, ctx: EffectContext, title: Title) -> None:
    """Schedule the title's next duty reminder in this group (once per time, however often asked)."""
    if title.reminder is None:
        return
    due = next_reminder(title.reminder, ctx.now, ctx.playbook.community.timezone)
    store.schedule(reminder_key(ctx.group.id, title.name, due), ctx.group.community_id,
                   "titles.remind", {"title": title.name}, due, group_id=ctx.group.id)  # fmt: skip


def _ask(event: Event, effect: str, **extra: object) -> Action:
    return Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                  member=event.sender.user_id, target=event.event_id, effect=effect,
                  extra=dict(extra), handler="titles")  # fmt: skip


def _names(titles: Sequence[Title], lang: Language) -> str:
    return SEP[lang].join(t.name for t in titles)


def _claim(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    lang, titles = ctx.playbook.community.language, ctx.playbook.mechanisms.titles
    if not invocation.rest:
        text = TEXTS.say("claim_usage", lang, titles=_names(titles, lang))
        return Outcome((reply(event, text, handler="titles"),))
    title = find_title(titles, invocation.rest)
    if title is None:
        text = TEXTS.say("unknown", lang, wanted=invocation.rest[:40], titles=_names(titles, lang))
        return Outcome((reply(event, text, handler="titles"),))
    return Outcome((_ask(event, "titles.claim", title=title.name),))


def _release(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((_ask(event, "titles.release", title=invocation.rest[:100]),))


def _list(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((_ask(event, "titles.list"),))


def claim(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Claim a title if a place is free; the reminder is planned with it."""
    assert ctx.member is not None
    pb, lang = ctx.playbook, ctx.playbook.community.language
    title = find_title(pb.mechanisms.titles, str(action.extra["title"]))
    if title is None:
        return []
    nickname = ctx.member.display_name or ctx.member.user_id
    done = store.claim_title(ctx.group.community_id, ctx.member.id, title.name, ctx.now,
                             holders=title.holders)  # fmt: skip
    if done.outcome is ClaimOutcome.ALREADY:
        return [answer(action, TEXTS.say("already", lang, nickname=nickname, title=title.name))]
    if done.outcome is ClaimOutcome.FULL:
        taken = Counter(h.title for h in store.title_holders(ctx.group.community_id))
        open_titles = [t for t in pb.mechanisms.titles if taken[t.name] < t.holders]
        vacant = TEXTS.say("vacant", lang, titles=_names(open_titles, lang)) if open_titles else ""
        text = TEXTS.say("full", lang, title=title.name, limit=title.holders, vacant=vacant,
                         holders=SEP[lang].join(h.display_name for h in done.holders))  # fmt: skip
        return [answer(action, text)]
    plan_reminder(store, ctx, title)
    duty = TEXTS.say("duty", lang, duty=title.duty) if title.duty else ""
    return [answer(action, TEXTS.say("claimed", lang, nickname=nickname, title=title.name,
                                     duty=duty).rstrip())]  # fmt: skip


def release(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Step down from a title (the only one held, when none is named)."""
    assert ctx.member is not None
    lang = ctx.playbook.community.language
    nickname = ctx.member.display_name or ctx.member.user_id
    held = store.titles_of(ctx.group.community_id, ctx.member.id)
    wanted = str(action.extra.get("title") or "")
    if not wanted:
        if not held:
            return [answer(action, TEXTS.say("none_held", lang, nickname=nickname))]
        if len(held) > 1:
            return [answer(action, TEXTS.say("which", lang, titles=SEP[lang].join(held),
                                             first=held[0]))]  # fmt: skip
        wanted = held[0]
    name = next((t for t in held if _fold(t) == _fold(wanted)), wanted)
    if not store.release_title(ctx.group.community_id, ctx.member.id, name, ctx.now):
        return [answer(action, TEXTS.say("not_holding", lang, nickname=nickname, title=name))]
    return [answer(action, TEXTS.say("released", lang, nickname=nickname, title=name))]


def list_titles(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Every title with its holders and duty."""
    pb, lang = ctx.playbook, ctx.playbook.community.language
    holders = store.title_holders(ctx.group.community_id)
    lines = [TEXTS.say("list_header", lang)]
    for title in pb.mechanisms.titles:
        names = [h.display_name for h in holders if h.title == title.name]
        lines.append(TEXTS.say(
            "list_line", lang, title=title.name, count=len(names), limit=title.holders,
            holders=SEP[lang].join(names) or TEXTS.say("list_vacant", lang),
            duty=TEXTS.say("list_duty", lang, duty=title.duty) if title.duty else "",
        ))  # fmt: skip
    return [answer(action, "\n".join(lines))]


def remind(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """Scheduled: @-mention the title's holders in this group with their duty; plan the next.
    With no holder left here the chain ends; the next claim starts it again."""
    pb, lang = ctx.playbook, ctx.playbook.community.language
    title = find_title(pb.mechanisms.titles, str(action.extra["title"]))
    if title is None or title.reminder is None:
        return []
    holders = store.title_holders(ctx.group.community_id, title.name, group_id=ctx.group.id)
    if not holders:
        return []
    plan_reminder(store, ctx, title)
    users = store.user_ids([h.member_id for h in holders], ctx.group.carrier)
    mentions = " ".join(f"@{h.display_name}" for h in holders)
    key = "reminder" if title.duty else "reminder_no_duty"
    text = TEXTS.say(key, lang, mentions=mentions, title=title.name, duty=title.duty or "")
    return [Action(kind=ActionKind.SEND, carrier=ctx.group.carrier, group=ctx.group.carrier_group_id,
                   text=text, handler="titles", reason=f"duty reminder for {title.name}",
                   extra={"mentions": [users[h.member_id] for h in holders if h.member_id in users]})]  # fmt: skip


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add `/claim`, `/release`, `/titles` and the duty reminders."""
    if not playbook.mechanisms.titles:
        return
    for name, effect in (("titles.claim", claim), ("titles.release", release),
                         ("titles.list", list_titles), ("titles.remind", remind)):  # fmt: skip
        registry.add_effect(name, effect)
    commands.add(Command("claim", ("认领",), {
        Language.ZH_CN: "认领一个群头衔（如 /认领 喝水委员）", Language.EN: "claim a title (e.g. /claim Cellar Keeper)",
    }, _claim))  # fmt: skip
    commands.add(Command("release", ("卸任",), {
        Language.ZH_CN: "卸任你的头衔", Language.EN: "step down from your title",
    }, _release))  # fmt: skip
    commands.add(Command("titles", ("头衔",), {
        Language.ZH_CN: "查看所有头衔和担任者", Language.EN: "list the titles and who holds them",
    }, _list))  # fmt: skip
