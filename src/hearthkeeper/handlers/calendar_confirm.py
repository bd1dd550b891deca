"""`/confirm <ref>`: staff send a scheduled post that was offered to them (`remind` mode) in one
step. The post goes to the group it was planned for, once: the second confirm finds nothing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext, LegacyEffect
from hearthkeeper.engine.events import Event
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry
from hearthkeeper.handlers.calendar_content import content_of
from hearthkeeper.handlers.commands import Command, CommandBook, Invocation, answer, reply
from hearthkeeper.handlers.texts import Phrasebook
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Store

CONFIRM_EFFECT = "calendar.confirm"

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
    if not ref.isdigit():
        text = TEXTS.say("usage", ctx.playbook.community.language)
        return Outcome((reply(event, text, handler="calendar"),))
    return Outcome((Action(kind=ActionKind.EFFECT, carrier=event.carrier, group=event.group,
                           member=event.sender.user_id, target=event.event_id,
                           effect=CONFIRM_EFFECT, extra={"ref": int(ref)}, handler="calendar"),))  # fmt: skip


def confirm(store: Store, action: Action, ctx: EffectContext, root: Path) -> list[Action]:
    """Send a reminded post to its group and mark it confirmed (once)."""
    lang, ref = ctx.playbook.community.language, int(action.extra["ref"])
    record = store.post_record(ref)
    if (
        record is None
        or record.community_id != ctx.group.community_id
        or record.status != "reminded"
    ):
        return [answer(action, TEXTS.say("nothing", lang, ref=ref))]
    post = next((p for p in ctx.playbook.calendar.posts if p.id == record.post_id), None)
    content = None if post is None else content_of(post, record.item_id, root)
    group = store.get_group(record.group_id)
    if post is None or content is None or group is None:
        return [answer(action, TEXTS.say("gone", lang, ref=ref))]
    if store.confirm_post(ctx.group.community_id, ref, ctx.now) is None:
        return [answer(action, TEXTS.say("nothing", lang, ref=ref))]  # confirmed meanwhile
    send = Action(kind=ActionKind.SEND, carrier=group.carrier, group=group.carrier_group_id,
                  text=content.text, handler="calendar", key=f"calendar:post:{ref}",
                  reason=f"scheduled post {post.id}, confirmed by staff",
                  extra=content.extra(post, ref))  # fmt: skip
    return [send, answer(action, TEXTS.say("sent", lang, post=post.id, group=group.name))]


def _confirm_effect(root: Path) -> LegacyEffect:
    def run(store: Store, action: Action, ctx: EffectContext) -> Sequence[Action]:
        return confirm(store, action, ctx, root)

    return run


def register(registry: Registry, playbook: Playbook, commands: CommandBook,
             content_root: Path) -> None:  # fmt: skip
    """Add `/confirm` (staff with the `post` permission)."""
    registry.add_effect(CONFIRM_EFFECT, _confirm_effect(content_root))
    commands.add(Command("confirm", ("确认发送",), {
        Language.ZH_CN: "确认发送一条定时内容（如 /confirm 12）",
        Language.EN: "send a scheduled post staff were reminded of (e.g. /confirm 12)",
    }, _confirm, permission=Permission.POST))  # fmt: skip
