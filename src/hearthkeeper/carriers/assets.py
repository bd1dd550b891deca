"""A scheduled post's file (a content library item's `asset:`), as carriers send it.

The calendar's SEND action names the item's file (`extra["asset"]`) and its kind
(`extra["content_kind"]`: picture, video, voice, file). A carrier that sends files reads it
here, bounded by the carrier's own size limit; one it cannot send (gone, unreadable, too
large, not a picture it takes) is posted as text, and staff are told once, naming the file,
in the console inbox (`unsent_alert`, keyed by the outbox key: a retry or a restart adds no
second alert).
"""

from __future__ import annotations

import io
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.playbook.positioning import Language
from hearthkeeper.store import Group, NewStaffAlert, Store

FILE_KINDS = frozenset({"picture", "video", "voice", "file"})
MAX_SIDE = 8000  # pixels: as the web chat takes members' pictures
PICTURES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}

_TEXTS = {
    Language.ZH_CN: "📎 定时内容「{post}」的文件 {file} 没有发出（{reason}），「{group}」只收到了文字。"
    "请在内容文件夹里换一个文件。",
    Language.EN: "📎 Scheduled post '{post}': the file {file} was not sent ({reason}); {group} "
    "got its text only. Replace the file in the content folder.",
}  # fmt: skip


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

    def read(self, limit: int) -> bytes:
        """The file's bytes; AssetRefused when it is gone, unreadable or over `limit` bytes
        (checked before reading it)."""
        try:
            size = self.path.stat().st_size
            if size > limit:
                raise AssetRefused(f"{_mib(size)}, over this carrier's {_mib(limit)}")
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise AssetRefused("the file is gone") from None
        except OSError as exc:
            raise AssetRefused(f"cannot read it: {exc.strerror or exc}") from None
        if len(data) > limit:  # it grew between the two looks
            raise AssetRefused(f"{_mib(len(data))}, over this carrier's {_mib(limit)}")
        if not data:
            raise AssetRefused("the file is empty")
        return data


def asset_of(action: Action) -> Asset | None:
    """The file a scheduled post's SEND carries, if any."""
    if action.kind is not ActionKind.SEND:
        return None
    path, kind = action.extra.get("asset"), action.extra.get("content_kind")
    if not isinstance(path, str) or not path or kind not in FILE_KINDS:
        return None
    return Asset(Path(path), str(kind))


def picture_facts(data: bytes) -> tuple[str, int, int]:
    """A picture's Content-Type, width and height, read from its header by Pillow; AssetRefused
    when it is not a PNG, JPEG, GIF or WebP picture, or over `MAX_SIDE` pixels a side."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            found, (width, height) = image.format, image.size
            if found not in PICTURES:
                raise AssetRefused(f"not a PNG, JPEG, GIF or WebP picture ({found or 'unknown'})")
            if width > MAX_SIDE or height > MAX_SIDE:
                raise AssetRefused(f"picture too big: {width}×{height} pixels (at most {MAX_SIDE})")
            image.verify()
    except AssetRefused:
        raise
    except Image.DecompressionBombError:
        raise AssetRefused(f"picture too big (at most {MAX_SIDE} pixels a side)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise AssetRefused("not a picture (PNG, JPEG, GIF or WebP)") from None
    return PICTURES[found], width, height


def unsent_alert(tx: Store, action: Action, key: str, group: Group, asset: Asset, reason: str,
                 at: datetime, language: Language | None = None) -> None:  # fmt: skip
    """Tell staff (the console inbox) that `asset` was not sent with the post performed under
    outbox `key`: once, however often that action is performed again. In `language`, else
    the one the calendar put on the action (the community's), else English."""
    post = str(action.extra.get("post_id") or "")
    if language is None:
        said = action.extra.get("language")
        language = Language(said) if said in set(Language) else Language.EN
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


def _mib(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
