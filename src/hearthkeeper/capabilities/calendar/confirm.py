"""`/confirm <ref>`: staff send a scheduled post that was offered to them (`remind` mode) in one
step. The post goes to the group it was planned for, once: the second confirm finds nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from hearthkeeper.capabilities.calendar.content import (
    PostContent,
    TooLong,
    content_of,
    too_long_text,
)
from hearthkeeper.capabilities.calendar.posts import find_post
from hearthkeeper.capabilities.calendar.records import PostRecord
from hearthkeeper.capabilities.calendar.repository import SqlPosts
from hearthkeeper.capabilities.calendar.requests import CalendarConfirm
from hearthkeeper.capabilities.command_book import Command, CommandBook, Invocation, reply
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import Effect, EffectContext, EffectError
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.playbook.output import ScheduledPost
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Group
from hearthkeeper.store.communities import CommunityQueries
from hearthkeeper.store.ids import MAX_ID
from hearthkeeper.store.scope import StoreBase

CONFIRM_EFFECT = CalendarConfirm.effect

TEXTS = Phrasebook({
    "usage": {
        Language.ZH_CN: "用法：/confirm 编号（编号见定时内容的提醒）",
        Language.EN: "Usage: /confirm <number> (the number is in the scheduled post's reminder)",
    },
    "nothing": {
        Language.ZH_CN: "没有编号为 {ref} 的待确认内容（可能已经发出）。",
        Language.EN: "No scheduled post number {ref} is waiting to be confirmed (it may have been sent already).",
    },
    "gone": {
        Language.ZH_CN: "编号 {ref} 的内容已不在剧本或内容库里，无法发送。",
        Language.EN: "Post number {ref} is no longer in the playbook or its content folder; nothing was sent.",
    },
    "sent": {Language.ZH_CN: "✅ 已发送「{post}」到「{group}」。", Language.EN: "✅ Sent '{post}' to {group}."},
})  # fmt: skip


def _confirm(event: Event, ctx: Context, invocation: Invocation) -> Outcome:
    ref = invocation.args[0].lstrip("#") if invocation.args else ""
    lang = ctx.playbook.community.language
    if not (ref.isascii() and ref.isdigit()):  # not `²` or `⑤`, which int() refuses
        return Outcome((reply(event, TEXTS.say("usage", lang), handler="calendar"),))
    if len(ref) > len(str(MAX_ID)) - 1:  # no post has such a number, nor could the store look
        # one up (its ids are 64-bit)
        return Outcome(
            (reply(event, TEXTS.say("nothing", lang, ref=ref[:30]), handler="calendar"),)
        )
    return Outcome((CalendarConfirm(ref=int(ref)).action(
        carrier=event.carrier, group=event.group, member=event.sender.user_id,
        target=event.event_id, handler="calendar"),))  # fmt: skip


class Refusal(StrEnum):
    """Why `/confirm` sends nothing."""

    NOTHING = "nothing"  # no reminded post by that number here (or it was sent already)
    GONE = "gone"  # its post, content or group is no longer there


@dataclass(frozen=True)
class Waiting:
    """A reminded post staff may send: its recorded firing, post, content and group."""

    record: PostRecord
    post: ScheduledPost
    content: PostContent
    group: Group


def decide_confirm(
    community_id: int, record: PostRecord | None, post: ScheduledPost | None,
    content: PostContent | None, group: Group | None,
) -> Refusal | Waiting:  # fmt: skip
    """Whether the firing `record` (asked for in `community_id`) may be sent, given its post
    in the playbook, the content it chose and its group as they are now."""
    if record is None or record.community_id != community_id or record.status != "reminded":
        return Refusal.NOTHING
    if post is None or content is None or group is None:
        return Refusal.GONE
    return Waiting(record, post, content, group)


def _answer(ctx: EffectContext, text: str) -> Action:
    """A reply to the command the effect was asked for."""
    if ctx.trigger is None:
        raise EffectError(f"{CONFIRM_EFFECT} answers a command; it cannot run as scheduled work")
    return replace(ctx.trigger, kind=ActionKind.REPLY, text=text, effect=None, extra={},
                   key=None, request=None)  # fmt: skip


def confirm(scope: StoreBase, request: CalendarConfirm, ctx: EffectContext,
            root: Path) -> list[Action]:  # fmt: skip
    """Send a reminded post to its group and mark it confirmed (once)."""
    lang, ref, posts = ctx.playbook.community.language, request.ref, SqlPosts.on(scope)
    record = posts.post_record(ref)
    post = None if record is None else find_post(ctx.playbook, record.post_id)
    content = None if post is None or record is None else content_of(post, record.item_id, root)
    if isinstance(content, TooLong):  # its file grew since the reminder
        return [_answer(ctx, too_long_text(record.post_id if record else "", content, lang))]
    group = None if record is None else CommunityQueries.on(scope).get_group(record.group_id)
    waiting = decide_confirm(ctx.group.community_id, record, post, content, group)
    if isinstance(waiting, Refusal):
        return [_answer(ctx, TEXTS.say(waiting.value, lang, ref=ref))]
    if posts.confirm_post(ctx.group.community_id, ref, ctx.now) is None:
        return [_answer(ctx, TEXTS.say("nothing", lang, ref=ref))]  # confirmed meanwhile
    post, content, group = waiting.post, waiting.content, waiting.group
    send = Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                  text=content.text, handler="calendar", key=f"calendar:post:{ref}",
                  reason=f"scheduled post {post.id}, confirmed by staff",
                  extra=content.extra(post, ref, lang))  # fmt: skip
    return [send, _answer(ctx, TEXTS.say("sent", lang, post=post.id, group=group.name))]


def confirm_effect(root: Path) -> Effect[CalendarConfirm]:
    """The `calendar.confirm` effect, reading content libraries under `root`."""

    def run(scope: StoreBase, request: CalendarConfirm, ctx: EffectContext) -> Sequence[Action]:
        return confirm(scope, request, ctx, root)

    return run


def register(registry: Registry, commands: CommandBook, content_root: Path) -> None:
    """Add `/confirm` (staff with the `post` permission)."""
    registry.add_effect(CalendarConfirm, confirm_effect(content_root))
    commands.add(Command("confirm", ("确认发送",), {
        Language.ZH_CN: "确认发送一条定时内容（如 /confirm 12）",
        Language.EN: "send a scheduled post staff were reminded of (e.g. /confirm 12)",
    }, _confirm, permission=Permission.POST))  # fmt: skip
