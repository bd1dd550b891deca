"""What a scheduled post says when it fires: its inline text or the next library item, the
staff reminder of a post in `remind` mode, and the alert when a library is running out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthkeeper.capabilities.calendar.coverage import coverage
from hearthkeeper.capabilities.calendar.library import (
    ContentItem,
    ContentLibrary,
    load_library,
    next_item,
    too_long,
    with_tags,
)
from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.effects import EffectContext
from hearthkeeper.playbook.output import MAX_POST, Order, ScheduledPost
from hearthkeeper.playbook.positioning import Language

TEXTS = Phrasebook({
    "remind": {
        Language.ZH_CN: "📅 定时内容「{post}」该发到「{group}」了：\n{text}\n确认发送：/confirm {ref}",
        Language.EN: "📅 Scheduled post '{post}' is due in {group}:\n{text}\nTo send it: /confirm {ref}",
    },
    "running_out": {
        Language.ZH_CN: "📚 定时内容「{post}」只剩 {remaining} 条，{days} 天后用完（{when}）。请在 {folder} 里补充内容。",
        Language.EN: "📚 Scheduled post '{post}' has {remaining} item(s) left and runs out in {days} day(s) ({when}). Add items to {folder}.",
    },
    "too_long": {
        Language.ZH_CN: "📚 定时内容「{post}」这次该发 {file}，但它有 {length} 个字，超过每条最多的 {most} 字，所以这次没有发出。请缩短它或拆成几条；改好后下次会照常发出。",
        Language.EN: "📚 Scheduled post '{post}' was to post {file}, but it is {length} characters, over the {most} a post may have, so nothing was sent. Shorten it or split it into several items; it goes out at the next firing after that.",
    },
    "ran_out": {
        Language.ZH_CN: "📚 定时内容「{post}」没有可发的内容了，这次没有发出。请在 {folder} 里补充内容。",
        Language.EN: "📚 Scheduled post '{post}' had nothing left to post, so nothing was sent. Add items to {folder}.",
    },
})  # fmt: skip


@dataclass(frozen=True)
class PostContent:
    """What one firing posts: the text, its kind, and the library item it came from."""

    text: str
    kind: str
    item_id: str | None = None
    asset: str | None = None
    url: str | None = None

    def extra(
        self, post: ScheduledPost, ref: int, language: Language | None = None
    ) -> dict[str, object]:
        """What the SEND action carries for carriers and analytics (`language`: the
        community's, in which a carrier tells staff when it could not send the file)."""
        extra: dict[str, object] = {"post_id": post.id, "post_ref": ref,
                                    "content_kind": self.kind, "item_id": self.item_id,
                                    "format": "markdown"}  # fmt: skip
        if self.asset is not None:
            extra["asset"] = self.asset
            if language is not None:
                extra["language"] = language.value
        if self.url is not None:
            extra["url"] = self.url
        return extra


@dataclass(frozen=True)
class TooLong:
    """A library item picked to post that is longer than a post may be: it is held (not
    posted, not counted as used) and staff are told which file it is."""

    file: str  # the folder and the item's file (`#n`: the n-th item of a YAML list)
    length: int


def library_of(post: ScheduledPost, root: Path) -> ContentLibrary | None:
    """The post's content folder, loaded now (so new items count at once); None: inline text."""
    return None if post.library is None else load_library(root / post.library)


def items_of(post: ScheduledPost, library: ContentLibrary) -> tuple[ContentItem, ...]:
    """The library items this post may use (its tags, when given)."""
    return tuple(with_tags(library.items, post.body.tags))


def from_item(item: ContentItem) -> PostContent:
    """A library item as posted content."""
    asset = None if item.asset is None else str(item.asset)
    return PostContent(item.posted, item.kind.value, item.id, asset, item.url)


def _checked(post: ScheduledPost, item: ContentItem) -> PostContent | TooLong:
    length = too_long(item)
    if length is not None:
        return TooLong(f"{post.library or ''}/{item.id}", length)
    return from_item(item)


def choose(post: ScheduledPost, library: ContentLibrary | None,
           posted: list[str]) -> PostContent | TooLong | None:  # fmt: skip
    """What this firing posts; None when the library has nothing left (or is missing),
    `TooLong` when the item whose turn it is is longer than a post may be."""
    if library is None:
        return PostContent(post.body.text or "", post.body.kind.value)
    item = next_item(items_of(post, library), posted, post.body.order)
    return None if item is None else _checked(post, item)


def content_of(post: ScheduledPost, item_id: str | None,
               root: Path) -> PostContent | TooLong | None:  # fmt: skip
    """The content a recorded firing chose, again (for staff confirming a reminded post);
    None for a post that has become a poll since."""
    if post.poll is not None:
        return None
    library = library_of(post, root)
    if library is None:
        return choose(post, None, [])
    item = next((i for i in library.items if i.id == item_id), None)
    return None if item is None else _checked(post, item)


def remind(ctx: EffectContext, post: ScheduledPost, content: PostContent, ref: int) -> Action:
    """The staff reminder of a post in `remind` mode, with its one-step confirm command."""
    lang = ctx.playbook.community.language
    text = TEXTS.say("remind", lang, post=post.id, group=ctx.group.name, text=content.text, ref=ref)
    return Action(kind=ActionKind.ALERT_STAFF, carrier=ctx.group.carrier,
                  group=ctx.group.carrier_group_id, text=text, handler="calendar",
                  reason=f"scheduled post {post.id} waits for staff", key=f"calendar:remind:{ref}",
                  extra=content.extra(post, ref))  # fmt: skip


def _alert_key(ctx: EffectContext, post: ScheduledPost, what: str = "exhausted") -> str:
    # Once per post and community day, however many groups fire it: the outbox key is unique.
    day = ctx.now.astimezone(ZoneInfo(ctx.playbook.community.timezone)).date().isoformat()
    return f"calendar:{what}:{ctx.group.community_id}:{post.id}:{day}"


def _alert(ctx: EffectContext, post: ScheduledPost, text: str, reason: str,
           what: str = "exhausted") -> Action:  # fmt: skip
    return Action(kind=ActionKind.ALERT_STAFF, carrier=ctx.group.carrier,
                  group=ctx.group.carrier_group_id, text=text, handler="calendar",
                  reason=reason, key=_alert_key(ctx, post, what),
                  extra={"post_id": post.id})  # fmt: skip


def too_long_text(post_id: str, held: TooLong, language: Language) -> str:
    """What staff are told of an item too long to post."""
    return TEXTS.say("too_long", language, post=post_id, file=held.file,
                     length=f"{held.length:,}", most=f"{MAX_POST:,}")  # fmt: skip


def held_too_long(ctx: EffectContext, post: ScheduledPost, held: TooLong) -> Action:
    """Tell staff a firing's item is too long to post, so nothing was sent."""
    text = too_long_text(post.id, held, ctx.playbook.community.language)
    return _alert(ctx, post, text, f"scheduled post {post.id}: {held.file} is too long to post",
                  "too_long")  # fmt: skip


def ran_out(ctx: EffectContext, post: ScheduledPost) -> Action:
    """Tell staff a firing found nothing to post."""
    text = TEXTS.say("ran_out", ctx.playbook.community.language, post=post.id,
                     folder=post.library or "")  # fmt: skip
    return _alert(ctx, post, text, f"scheduled post {post.id} ran out of content")


def running_out(ctx: EffectContext, post: ScheduledPost, library: ContentLibrary,
                posted: list[str], at: datetime) -> Action | None:  # fmt: skip
    """An alert when the items left cover less than `calendar.exhaustion_alert` after `at`."""
    if post.body.order is Order.ROTATION and items_of(post, library):
        return None
    zone = ZoneInfo(ctx.playbook.community.timezone)
    after = at + timedelta(seconds=1)  # the firing at `at` has its item already
    cover = coverage(items_of(post, library), posted, post.body.order, post.schedule, zone,
                     after)  # fmt: skip
    if cover.runs_out is None or not cover.alert_due(
        ctx.now, ctx.playbook.calendar.exhaustion_alert
    ):
        return None
    when = cover.runs_out.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    text = TEXTS.say("running_out", ctx.playbook.community.language, post=post.id,
                     remaining=cover.remaining, days=max(cover.days or 0, 0), when=when,
                     folder=post.library or "")  # fmt: skip
    return _alert(ctx, post, text, f"scheduled post {post.id} is running out of content")
