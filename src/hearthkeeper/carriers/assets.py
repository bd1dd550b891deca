"""A scheduled post's file (a content library item's `asset:`), as carriers send it.

The calendar's SEND action names the item's file (`extra["asset"]`) and its kind
(`extra["content_kind"]`: picture, video, voice, file). A carrier that sends files reads it
here, bounded by the carrier's own size limit. A picture is checked as every carrier checks
one (`picture_check.py`); one too big to show as a picture (bytes or pixels) is still a file
members can open, and a carrier that sends files sends it as one (`as_picture`). One it
cannot send at all (gone, unreadable, over the carrier's limit, no picture it takes) is
posted as text, and staff are told once, naming the file and why in the community's
language, in the console inbox (`unsent_alert`, keyed by the outbox key: a retry or a
restart adds no second alert).
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from hearthkeeper.capabilities.texts import Phrasebook
from hearthkeeper.carriers.picture_check import PictureFacts, PictureRefused, check_picture
from hearthkeeper.carriers.sizes import over
from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, NewStaffAlert, Store

V = TypeVar("V")

FILE_KINDS = frozenset({"picture", "video", "voice", "file"})

_TEXTS = {
    Language.ZH_CN: "📎 定时内容「{post}」的文件 {file} 没有发出（{reason}），「{group}」只收到了文字。"
    "请在内容文件夹里换一个文件。",
    Language.EN: "📎 Scheduled post '{post}': the file {file} was not sent ({reason}); {group} "
    "got its text only. Replace the file in the content folder.",
}  # fmt: skip
_REASONS = Phrasebook({
    "over": {Language.EN: "{size}, over this carrier's {limit}",
             Language.ZH_CN: "文件 {size}，超过了这个平台的上限 {limit}"},
    "gone": {Language.EN: "the file is gone", Language.ZH_CN: "文件不见了"},
    "unreadable": {Language.EN: "cannot read it: {why}", Language.ZH_CN: "读不了这个文件：{why}"},
    "empty": {Language.EN: "the file is empty", Language.ZH_CN: "文件是空的"},
})  # fmt: skip


class AssetRefused(Exception):
    """A file a carrier will not send; `reason` says why, for staff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Asset:
    """The file a SEND action asks to post, and its content kind."""

    path: Path
    kind: str

    @property
    def name(self) -> str:
        """The file's name, as staff see it in the content folder."""
        return self.path.name

    @property
    def mime(self) -> str:
        """Its Content-Type guessed from its name (a carrier that checks content says better)."""
        return mimetypes.guess_type(self.path.name)[0] or "application/octet-stream"

    def read(self, limit: int, language: Language = Language.EN) -> bytes:
        """The file's bytes; AssetRefused, saying why in `language`, when it is gone,
        unreadable or over `limit` bytes (checked before reading it)."""
        try:
            size = self.path.stat().st_size
            if size > limit:
                raise _over(size, limit, language)
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise AssetRefused(_REASONS.say("gone", language)) from None
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise AssetRefused(_REASONS.say("unreadable", language, why=why)) from None
        if len(data) > limit:  # it grew between the two looks
            raise _over(len(data), limit, language)
        if not data:
            raise AssetRefused(_REASONS.say("empty", language))
        return data


def asset_of(action: Action) -> Asset | None:
    """The file a scheduled post's SEND carries, if any."""
    if action.kind is not ActionKind.SEND:
        return None
    path, kind = action.extra.get("asset"), action.extra.get("content_kind")
    if not isinstance(path, str) or not path or kind not in FILE_KINDS:
        return None
    return Asset(Path(path), str(kind))


def as_picture(data: bytes, limit: int, language: Language = Language.EN) -> PictureFacts | None:
    """What a scheduled post's picture is when a carrier may show it as a picture (the check
    every carrier makes, `check_picture`, at most `limit` bytes); None when it is one too big
    for that (bytes or pixels), which a carrier that sends files sends as a file; AssetRefused
    (why, in `language`) when it is no PNG, JPEG, GIF or WebP picture."""
    try:
        return check_picture(data, limit, language)
    except PictureRefused as refused:
        if refused.oversized:
            return None
        raise AssetRefused(refused.message) from None


def alert_language(action: Action) -> Language:
    """The language the calendar put on a scheduled post (the community's), else English:
    what staff read about its file in."""
    said = action.extra.get("language")
    return Language(said) if said in set(Language) else Language.EN


def unsent_alert(tx: Store, action: Action, key: str, group: Group, asset: Asset, reason: str,
                 at: datetime, language: Language | None = None) -> None:  # fmt: skip
    """Tell staff (the console inbox) that `asset` was not sent with the post performed under
    outbox `key`: once, however often that action is performed again. In `language`, else
    the one the calendar put on the action (the community's), else English."""
    post = str(action.extra.get("post_id") or "")
    if language is None:
        language = alert_language(action)
    text = _TEXTS.get(language, _TEXTS[Language.EN]).format(
        post=post, file=asset.name, reason=reason, group=group.name
    )
    alert = NewStaffAlert(f"{key}:asset", group.community_id, group.id, None, None, "calendar",
                          text, f"scheduled post {post}: file {asset.name} not sent", at)  # fmt: skip
    tx.add_staff_alerts([alert])


def tell_staff(store: Store, carrier: str, carrier_group_id: str, action: Action, key: str,
               asset: Asset, reason: str, at: datetime) -> None:  # fmt: skip
    """`unsent_alert` for the group a carrier calls `carrier_group_id` (nothing when the
    store does not know it); store work: call it off the event loop."""
    group = store.group_for_carrier(carrier, carrier_group_id)
    if group is not None:
        with store.transaction() as tx:
            unsent_alert(tx, action, key, group, asset, reason, at)


def _over(size: int, limit: int, language: Language) -> AssetRefused:
    said, most = over(size, limit)
    return AssetRefused(_REASONS.say("over", language, size=said, limit=most))


class Remembered(Generic[V]):
    """What this process remembers of the files it sent, by key (an outbox key, or a file's
    bytes): bounded, past `limit` keys it starts afresh, so at worst a file goes once more."""

    def __init__(self, limit: int = 1000) -> None:
        self._limit = limit
        self._known: dict[str, V] = {}
        self._busy: dict[str, tuple[asyncio.Lock, int]] = {}  # key -> its lock, how many use it

    @contextlib.asynccontextmanager
    async def one_at_a_time(self, key: str) -> AsyncIterator[None]:
        """Work under `key` one at a time: two posts of the same file performed aside at once
        (`engine/aside.py`) upload it once, the second going by what the first remembered."""
        lock, users = self._busy.get(key, (asyncio.Lock(), 0))
        self._busy[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._busy[key]
            if users <= 1:
                del self._busy[key]
            else:
                self._busy[key] = (lock, users - 1)

    def get(self, key: str) -> V | None:
        """What was remembered under `key`, if anything."""
        return self._known.get(key)

    def add(self, key: str, value: V) -> None:
        """Remember `value` under `key`."""
        if len(self._known) >= self._limit:
            self._known.clear()
        self._known[key] = value

    def forget(self, key: str) -> None:
        """`key`'s value no longer holds (the platform no longer takes it)."""
        self._known.pop(key, None)
