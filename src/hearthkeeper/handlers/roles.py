"""Who a member is in the community: staff roles and permissions come from the playbook (the
command dispatcher checks them), titles and tags are claimed or given, and `/me` shows it all."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers import tags, titles
from hearthkeeper.handlers.checkin_effects import answer, counted, local_day
from hearthkeeper.handlers.commands import Command, CommandBook, Invocation
from hearthkeeper.handlers.levels import level_index, progress
from hearthkeeper.handlers.texts import Phrasebook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Store

TEXTS = Phrasebook({
    "header": {Language.ZH_CN: "👤 {nickname}", Language.EN: "👤 {nickname}"},
    "role": {Language.ZH_CN: "身份：{role}", Language.EN: "Role: {role}"},
    "level": {Language.ZH_CN: "等级：{level}", Language.EN: "Level: {level}"},
    "next": {Language.ZH_CN: "距离「{level}」：{progress}", Language.EN: "Towards {level}: {progress}"},
    "points": {Language.ZH_CN: "积分：{points}", Language.EN: "Points: {points}"},
    "streak": {Language.ZH_CN: "连续打卡：{streak}", Language.EN: "Check-in streak: {streak}"},
    "titles": {Language.ZH_CN: "头衔：{titles}", Language.EN: "Titles: {titles}"},
    "tags": {Language.ZH_CN: "标签：{tags}", Language.EN: "Tags: {tags}"},
    "none": {Language.ZH_CN: "暂无", Language.EN: "none yet"},
})  # fmt: skip

SEP = {Language.ZH_CN: "、", Language.EN: ", "}


def me(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
    """The member's card: role, level and the way to the next, points, streak, titles, tags."""
    assert ctx.member is not None
    pb, lang, member = ctx.playbook, ctx.playbook.community.language, ctx.member
    community, none = ctx.group.community_id, TEXTS.say("none", lang)
    lines = [TEXTS.say("header", lang, nickname=member.display_name or member.user_id)]
    role = pb.structure.roles.get(member.role) if member.role else None
    if role is not None:
        lines.append(TEXTS.say("role", lang, role=role.title))
    levels = pb.structure.levels
    placed = store.member_level(community, member.id)
    index = level_index(levels, placed.level if placed is not None else None)
    lines.append(TEXTS.say("level", lang, level=levels[index].name))
    promote = levels[index + 1].promote if index + 1 < len(levels) else None
    if promote is not None:
        since = ctx.now - promote.window
        activity = store.activity(community, member.id, since, ZoneInfo(pb.community.timezone))
        lines.append(TEXTS.say("next", lang, level=levels[index + 1].name,
                               progress=progress(promote, activity, lang)))  # fmt: skip
    if pb.mechanisms.points.enabled:
        lines.append(TEXTS.say("points", lang, points=store.points_of(community, member.id)))
    if pb.mechanisms.check_in.enabled:
        today = local_day(ctx.now, pb.community.timezone)
        streak = store.streak_of(community, member.id, today)
        lines.append(TEXTS.say("streak", lang, streak=counted("rank_days", streak, lang)))
    held = store.titles_of(community, member.id)
    lines.append(TEXTS.say("titles", lang, titles=SEP[lang].join(held) or none))
    sets = {t.name for t in pb.mechanisms.tags}
    shown = [t.tag.replace(":", " ", 1) for t in store.member_tags(member.id)
             if t.tag.partition(":")[0] in sets]  # fmt: skip
    if sets:
        lines.append(TEXTS.say("tags", lang, tags=SEP[lang].join(shown) or none))
    return [answer(action, "\n".join(lines))]


def _me(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                           member=event.sender.user_id, target=event.event_id,
                           effect="members.me", handler="roles"),))  # fmt: skip


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add titles, tags and `/me`."""
    titles.register(registry, playbook, commands)
    tags.register(registry, playbook, commands)
    registry.add_effect("members.me", me)
    commands.add(Command("me", ("我的",), {
        Language.ZH_CN: "查看我的等级、积分、连续打卡、头衔和标签",
        Language.EN: "your level, points, streak, titles and tags",
    }, _me))  # fmt: skip
