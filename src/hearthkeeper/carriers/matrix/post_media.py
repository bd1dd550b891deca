"""A scheduled post's file in a Matrix room: the `m.room.message` that shows it, once it is
in the homeserver's media repository (`mxc://…`). Pure.

A picture goes as `m.image` with its Content-Type, size, width and height (read by Pillow,
which also refuses what is not a PNG, JPEG, GIF or WebP picture); a video as `m.video`, voice
as `m.audio` marked as a voice message, anything else as `m.file`. Its body is the file's
name; the post's text follows as its own message, which every client shows (a caption in the
media event's body is shown as a file name by clients older than Matrix 1.10).
"""

from __future__ import annotations

from typing import Any

from hearthkeeper.carriers.assets import Asset, picture_facts

MSGTYPES = {"picture": "m.image", "video": "m.video", "voice": "m.audio", "file": "m.file"}
# What a homeserver takes when it does not say (Synapse's default `max_upload_size`).
DEFAULT_UPLOAD_LIMIT = 50 * 1024 * 1024


def media_info(asset: Asset, data: bytes) -> dict[str, Any]:
    """The event's `info`: Content-Type and size, and a picture's width and height
    (`AssetRefused` for a picture Pillow does not take)."""
    if asset.kind == "picture":
        mime, width, height = picture_facts(data)
        return {"mimetype": mime, "size": len(data), "w": width, "h": height}
    return {"mimetype": asset.mime, "size": len(data)}


def media_content(asset: Asset, url: str, info: dict[str, Any]) -> dict[str, Any]:
    """The `m.room.message` content showing the uploaded file at `url`."""
    content: dict[str, Any] = {
        "msgtype": MSGTYPES.get(asset.kind, "m.file"), "body": asset.name,
        "filename": asset.name, "url": url, "info": info,
        "m.mentions": {"user_ids": []},
    }  # fmt: skip
    if asset.kind == "voice":
        content["org.matrix.msc3245.voice"] = {}  # clients show a voice message, not a file
    return content


class Uploads:
    """The `mxc://` address each outbox key's file was uploaded to by this process, so a post
    performed again (its text refused for a moment) does not upload it again. Bounded."""

    LIMIT = 1000

    def __init__(self) -> None:
        self._urls: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        """The address `key`'s file went to, if this process uploaded it."""
        return self._urls.get(key)

    def add(self, key: str, url: str) -> None:
        """Remember where `key`'s file went."""
        if len(self._urls) >= self.LIMIT:
            self._urls.clear()
        self._urls[key] = url
