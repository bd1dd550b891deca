"""Member tags (skin type, city, specialty): set by the member where the playbook allows it,
or by staff for anyone. Stored as `{tag set}:{value}`, the form the expert finder reads."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hearthkeeper.capabilities.command_book import (
    Command,
    CommandBook,
    Invocation,
    Run,
    answer,
    ask,
    reply,
    whole,
)
from hearthkeeper.capabilities.format import echoed
from hearthkeeper.capabilities.pointing import (
    Target,
    Unclear,
    find_only,
    pointed_at,
    shared_answer,
)
from hearthkeeper.capabilities.points.decide import not_found_text
from hearthkeeper.capabilities.roles.requests import TagsSet
from hearthkeeper.capabilities.roles.titles import SEP
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.engine.events import Event, Message
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.mechanisms import TagSet
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store.columns import clipped_to
from hearthkeeper.store.members import MemberQueries
from hearthkeeper.store.models.base import NAME
from hearthkeeper.store.pointing import PointingQueries
from hearthkeeper.store.scope import StoreBase
from hearthkeeper.text.controls import without_controls
from hearthkeeper.text.folding import fold as _fold

TAG_LENGTH = 64  # member_tags.tag
VALUE_SEPARATORS = re.compile(r"\s*[,，、;；]\s*")

TEXTS = Phrasebook({
    "usage": {
        Language.ZH_CN: "用法：/标签 标签名 值（如 /标签 {example}）。可用的标签：\n{sets}",
        Language.EN: "Usage: /tag <tag> <value> (e.g. /tag {example}). Tags:\n{sets}",
    },
    "set_line": {Language.ZH_CN: "· {name}：{values}", Language.EN: "· {name}: {values}"},
    "any_value": {Language.ZH_CN: "任意填写", Language.EN: "any value"},
    "staff_only": {Language.ZH_CN: "（管理员设置）", Language.EN: " (set by staff)"},
    "no_tags": {Language.ZH_CN: "本群还没有设置标签。", Language.EN: "This community has no tags yet."},
    # the value typed is not repeated: it named nothing of the community's, maybe an ad
    "bad_value": {
        Language.ZH_CN: "/标签：{name} 没有这个值，可选：{values}",
        Language.EN: "/tag: {name} has no such value; choose from: {values}",
    },
    "too_long": {
        Language.ZH_CN: "/标签：这个值太长了，请缩短一些。", Language.EN: "/tag: that value is too long; please shorten it.",
    },
    "staff_sets": {
        Language.ZH_CN: "「{name}」标签由 {roles} 设置，可以找他们帮你加上。",
        Language.EN: "The '{name}' tag is set by {roles}; ask them to add it.",
    },
    "others": {
        Language.ZH_CN: "只有 {roles} 可以给其他成员打标签。", Language.EN: "Only {roles} can tag other members.",
    },
    "nobody": {Language.ZH_CN: "管理员", Language.EN: "staff"},
    "tagged": {Language.ZH_CN: "🏷 {nickname} 的 {name}：{values}", Language.EN: "🏷 {nickname}'s {name}: {values}"},
    "cleared": {Language.ZH_CN: "🏷 已清除 {nickname} 的 {name} 标签。", Language.EN: "🏷 Cleared {nickname}'s {name} tag."},
})  # fmt: skip


@dataclass(frozen=True)
class Tagging:
    """What a `/tag` asks for: a tag set and its new values (none: clear it)."""

    tagset: TagSet
    values: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """Why a `/tag` cannot be done: `usage`, `bad_value` or `too_long`."""

    key: str
    tagset: TagSet | None = None
    value: str = ""


def parse_tagging(tagsets: Sequence[TagSet], text: str, *,
                  clearing: bool = False) -> Tagging | Problem:  # fmt: skip
    """`skin_type 油皮`, `肤质 油皮` or just `油皮` → the tag set and its canonical values."""
    head, _, tail = text.strip().partition(" ")
    named = next((t for t in tagsets if _fold(t.name) == _fold(head)), None)
    if named is not None:
        return Tagging(named, ()) if clearing else _values(named, tail)
    if clearing or not text.strip():
        return Problem("usage")
    # The set left out or named in the members' words (/标签 肤质 油皮): the one whose values fit.
    for candidate in (text, tail):
        fitting = [t for t in tagsets if t.values and isinstance(_values(t, candidate), Tagging)]
        if len(fitting) == 1:
            return _values(fitting[0], candidate)
    return Problem("usage")


def _values(tagset: TagSet, text: str) -> Tagging | Problem:
    # A value is stored and shown to the group: without characters that reorder or hide it.
    wanted = [v for v in VALUE_SEPARATORS.split(without_controls(text).strip()) if v]
    if not wanted:
        return Problem("usage", tagset)
    allowed = {_fold(v): v for v in tagset.values}
    values: list[str] = []
    for value in wanted:
        if allowed and _fold(value) not in allowed:
            return Problem("bad_value", tagset, value)
        canonical = allowed.get(_fold(value), value)
        if len(f"{tagset.name}:{canonical}") > TAG_LENGTH:
            return Problem("too_long", tagset, value)
        values.append(canonical)
    return Tagging(tagset, tuple(dict.fromkeys(values)))


def _roles_with(ctx: Context, permission: Permission) -> str:
    lang = ctx.playbook.community.language
    roles = [r.title for r in ctx.playbook.structure.roles.values() if permission in r.permissions]
    return SEP[lang].join(roles) or TEXTS.say("nobody", lang)


def _set_lines(tagsets: Sequence[TagSet], lang: Language) -> str:
    return "\n".join(TEXTS.say("set_line", lang, name=t.name,
                               values=SEP[lang].join(t.values) or TEXTS.say("any_value", lang))
                     + ("" if t.self_service else TEXTS.say("staff_only", lang))
                     for t in tagsets)  # fmt: skip


def _explain(problem: Problem, tagsets: Sequence[TagSet], lang: Language) -> str:
    if problem.key == "bad_value" and problem.tagset is not None:
        return TEXTS.say("bad_value", lang, name=problem.tagset.name,
                         values=SEP[lang].join(problem.tagset.values))  # fmt: skip
    if problem.key == "too_long":
        return TEXTS.say("too_long", lang)
    shown = [problem.tagset] if problem.tagset is not None else list(tagsets)
    example = f"{shown[0].name} {shown[0].values[0] if shown[0].values else '…'}"
    return TEXTS.say("usage", lang, example=example, sets=_set_lines(shown, lang))


def _carriers_own_mention(event: Event, target: Target, ctx: Context) -> bool:
    """Whether the only @ of a reply is the one QQ puts in every reply: of the member replied
    to, or of the bot (a reply to the bot's question mentions it). No name was typed."""
    if target.reply_to is None or target.user_id is None or target.name is not None:
        return False
    mentions = event.mentions if isinstance(event, Message) else ()
    if len(mentions) != 1:
        return False
    if isinstance(event, Message) and event.mentions_bot:
        return True  # the one mentioned is the bot
    if ctx.reads is None:
        return False
    replied = PointingQueries.on(ctx.reads).replied_author(ctx.group.id, ctx.group.carrier,
                                                           target.reply_to)  # fmt: skip
    return replied is not None and replied[2] == target.user_id


def _names_a_tag(clearing: bool) -> Callable[[str, Context], bool]:
    """Whether a `/tag`'s words are one of the playbook's tag sets and values from its list
    (`/tag` without a list of values takes the member's own words), or `/untag`'s the name
    of a set and nothing more: otherwise they are the member's own (`/tag <an ad>`)."""

    def known(words: str, ctx: Context) -> bool:
        parsed = parse_tagging(ctx.playbook.mechanisms.tags, words, clearing=clearing)
        if not isinstance(parsed, Tagging):
            return False
        if clearing:
            return _fold(words.strip()) == _fold(parsed.tagset.name)
        return bool(parsed.tagset.values)

    return known


def _command(clearing: bool) -> Run:
    def run(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
        lang, tagsets = ctx.playbook.community.language, ctx.playbook.mechanisms.tags
        target, rest = pointed_at(event, invocation)
        parsed = parse_tagging(tagsets, rest, clearing=clearing)
        if isinstance(parsed, Problem):
            return Outcome((reply(event, _explain(parsed, tagsets, lang), handler="tags"),))
        staff = ctx.member.may(Permission.MANAGE_MEMBERS)
        if not staff and (target.only_a_reply or _carriers_own_mention(event, target, ctx)):
            target = Target()  # a member answering "what is your skin type?" tags themselves
        if target and not staff:
            text = TEXTS.say("others", lang, roles=_roles_with(ctx, Permission.MANAGE_MEMBERS))
            return Outcome((reply(event, text, handler="tags"),))
        if not parsed.tagset.self_service and not staff:
            text = TEXTS.say("staff_sets", lang, name=parsed.tagset.name,
                             roles=_roles_with(ctx, Permission.MANAGE_MEMBERS))  # fmt: skip
            return Outcome((reply(event, text, handler="tags"),))
        request = TagsSet(user_id=target.user_id, name=target.name, reply_to=target.reply_to,
                          tagset=parsed.tagset.name, values=parsed.values)  # fmt: skip
        return Outcome((ask(event, request, handler="tags"),))

    return run


@dataclass(frozen=True)
class Retag:
    """The tag rows to remove and to add so that a member's values of one set are exactly the
    wanted ones."""

    remove: tuple[str, ...]
    add: tuple[str, ...]


def retag(held: Sequence[str], tagset: str, values: Sequence[str]) -> Retag:
    """From the member's `held` tags to `{tagset}:{value}` for exactly `values`."""
    prefix = f"{tagset}:"
    wanted = {prefix + v for v in values}
    return Retag(tuple(t for t in held if t.startswith(prefix) and t not in wanted),
                 tuple(sorted(wanted)))  # fmt: skip


def tagged_text(nickname: str, tagset: str, values: Sequence[str], lang: Language) -> str:
    """The member's new values of one set (or that it is cleared)."""
    if not values:
        return TEXTS.say("cleared", lang, nickname=nickname, name=tagset)
    return TEXTS.say("tagged", lang, nickname=nickname, name=tagset, values=SEP[lang].join(values))


def set_tags(scope: StoreBase, request: TagsSet, ctx: EffectContext) -> Sequence[Action]:
    """Make the member's values of one tag set exactly the given ones (none: clear them)."""
    assert ctx.member is not None
    lang, target = ctx.playbook.community.language, request.target
    member_id, nickname = ctx.member.id, ctx.member.display_name or ctx.member.user_id
    if target:
        found, name = find_only(scope, ctx, target)
        if isinstance(found, Unclear):  # a name several members carry: none of them is tagged
            return [answer(ctx.trigger, shared_answer(scope, ctx, found))]
        if found is None:
            return [answer(ctx.trigger, not_found_text(lang))]
        member_id, nickname = found, name
    members = MemberQueries.on(scope)
    change = retag([t.tag for t in members.member_tags(member_id)], request.tagset,
                   request.values)  # fmt: skip
    for tag in change.remove:
        members.remove_tag(member_id, tag)
    staff = clipped_to(NAME, f"staff:{ctx.member.display_name or ctx.member.user_id}")
    for tag in change.add:
        members.add_tag(member_id, tag, set_by=staff if target else "self")
    return [answer(ctx.trigger, tagged_text(nickname, request.tagset, request.values, lang))]


def register(registry: Registry, playbook: Playbook, commands: CommandBook) -> None:
    """Add `/tag` and `/untag`."""
    if not playbook.mechanisms.tags:
        return
    registry.add_effect(TagsSet, set_tags)
    # `/help`'s examples name this playbook's own tag set and value, so a member who copies
    # one sets a tag that exists (a member may set only `self_service` sets themselves).
    tagsets = playbook.mechanisms.tags
    shown = next((t for t in tagsets if t.self_service), tagsets[0])
    first = echoed(shown.values[0]) if shown.values else None
    values = {Language.ZH_CN: first or "值", Language.EN: first or "value"}
    commands.add(Command("tag", ("标签",), {
        Language.ZH_CN: "给自己打标签（管理员可以 @ 成员或回复其消息给别人打）",
        Language.EN: "tag yourself (staff: @-mention or reply to tag someone else)",
    }, _command(clearing=False), usage={
        Language.ZH_CN: f"/标签 {shown.name} {values[Language.ZH_CN]}",
        Language.EN: f"/tag {shown.name} {values[Language.EN]}",
    }, own=whole(_names_a_tag(clearing=False))))  # fmt: skip
    commands.add(Command("untag", ("删除标签",), {
        Language.ZH_CN: "清除一个标签", Language.EN: "clear one of your tags",
    }, _command(clearing=True), usage={
        Language.ZH_CN: f"/删除标签 {shown.name}", Language.EN: f"/untag {shown.name}",
    }, own=whole(_names_a_tag(clearing=True))))  # fmt: skip
