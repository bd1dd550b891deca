"""Who a member is in the community: staff roles and permissions come from the playbook (the
command dispatcher checks them), titles and tags are claimed or given, and `/me` shows it all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.checkin.decide import counted, local_day
from hearthkeeper.capabilities.checkin.repository import SqlCheckIns
from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    Takes,
    answer,
    ask,
)
from hearthkeeper.capabilities.points.levels import level_index, progress
from hearthkeeper.capabilities.points.levels_repository import Activity, Levels, SqlLevels
from hearthkeeper.capabilities.points.repository import SqlPoints
from hearthkeeper.capabilities.roles import tags, titles_effects
from hearthkeeper.capabilities.roles.repository import SqlTitles
from hearthkeeper.capabilities.roles.requests import MembersMe
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.scope import StoreBase

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


@dataclass(frozen=True)
class Card:
    """What `/me` shows, as read from the store (None: not shown in this community)."""

    nickname: str
    role: str | None  # the role's title
    level: int  # where the member sits on the pyramid
    towards: Activity | None  # activity over the next level's window, if it can be earned
    points: int | None
    streak: int | None
    titles: Sequence[str]
    tags: Sequence[str] | None  # `set:value` tags of the playbook's tag sets


def card_text(card: Card, pb: Playbook) -> str:
    """The member's card: role, level and the way to the next, points, streak, titles, tags."""
    lang, levels = pb.community.language, pb.structure.levels
    none = TEXTS.say("none", lang)
    lines = [TEXTS.say("header", lang, nickname=card.nickname)]
    if card.role is not None:
        lines.append(TEXTS.say("role", lang, role=card.role))
    lines.append(TEXTS.say("level", lang, level=levels[card.level].name))
    promote = levels[card.level + 1].promote if card.level + 1 < len(levels) else None
    if promote is not None and card.towards is not None:
        lines.append(TEXTS.say("next", lang, level=levels[card.level + 1].name,
                               progress=progress(promote, card.towards, lang)))  # fmt: skip
    if card.points is not None:
        lines.append(TEXTS.say("points", lang, points=card.points))
    if card.streak is not None:
        lines.append(TEXTS.say("streak", lang, streak=counted("rank_days", card.streak, lang)))
    lines.append(TEXTS.say("titles", lang, titles=SEP[lang].join(card.titles) or none))
    if card.tags is not None:
        shown = [t.replace(":", " ", 1) for t in card.tags]
        lines.append(TEXTS.say("tags", lang, tags=SEP[lang].join(shown) or none))
    return "\n".join(lines)


def me(scope: StoreBase, request: MembersMe, ctx: EffectContext) -> Sequence[Action]:
    """The member's card: role, level and the way to the next, points, streak, titles, tags."""
    assert ctx.member is not None
    pb, member, community = ctx.playbook, ctx.member, ctx.group.community_id
    role = pb.structure.roles.get(member.role) if member.role else None
    levels = pb.structure.levels
    repo: Levels = SqlLevels.on(scope)
    placed = repo.member_level(community, member.id)
    index = level_index(levels, placed.level if placed is not None else None)
    promote = levels[index + 1].promote if index + 1 < len(levels) else None
    towards = None
    if promote is not None:
        zone = ZoneInfo(pb.community.timezone)
        towards = repo.activity(community, member.id, ctx.now - promote.window, zone)
    points = None
    if pb.mechanisms.points.enabled:
        points = SqlPoints.on(scope).points_of(community, member.id)
    streak = None
    if pb.mechanisms.check_in.enabled:
        today = local_day(ctx.now, pb.community.timezone)
        streak = SqlCheckIns.on(scope).streak_of(community, member.id, today)
    sets = {t.name for t in pb.mechanisms.tags}
    held = [t.tag for t in MemberQueries.on(scope).member_tags(member.id)
            if t.tag.partition(":")[0] in sets]  # fmt: skip
    card = Card(nickname=member.display_name or member.user_id,
                role=role.title if role is not None else None, level=index, towards=towards,
                points=points, streak=streak,
                titles=SqlTitles.on(scope).titles_of(community, member.id),
                tags=held if sets else None)  # fmt: skip
    return [answer(ctx.trigger, card_text(card, pb))]


def _me(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    return Outcome((ask(event, MembersMe(), handler="roles"),))


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add titles, tags and `/me`."""
    titles_effects.register(registry, playbook, commands)
    tags.register(registry, playbook, commands)
    registry.add_effect(MembersMe, me)
    commands.add(Command("me", ("我的",), {
        Language.ZH_CN: "查看我的等级、积分、连续打卡、头衔和标签",
        Language.EN: "your level, points, streak, titles and tags",
    }, _me, takes=Takes.NOTHING))  # fmt: skip
