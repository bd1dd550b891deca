"""A scheduled post's file in a Matrix room: the `m.room.message` that shows it, once it is
in the homeserver's media repository (`mxc://…`). Pure.

A picture goes as `m.image` with its Content-Type, size, width and height when it passes the
check every carrier makes (`picture_check.py`: a PNG, JPEG, GIF or WebP picture of at most
8000 pixels a side and, unless a JPEG, 24 megapixels); one too big for that goes as `m.file`,
which members open or download; what is no such picture is refused. A video goes as
`m.video`, voice as `m.audio` marked as a voice message, anything else as `m.file`. Its body
is the file's name; the post's text follows as its own message, which every client shows (a
caption in the media event's body is shown as a file name by clients older than Matrix 1.10).
"""

from __future__ import annotations

from typing import Any

from hearthkeeper.carriers.assets import Asset, Remembered, as_picture
from hearthkeeper.playbook.positioning import Language

MSGTYPES = {"picture": "m.image", "video": "m.video", "voice": "m.audio", "file": "m.file"}
# What a homeserver takes when it does not say (Synapse's default `max_upload_size`).
DEFAULT_UPLOAD_LIMIT = 50 * 1024 * 1024


def media_info(asset: Asset, data: bytes,
               language: Language = Language.EN) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """The event's `msgtype` and `info`: Content-Type and size, and a picture's width and
    height (`AssetRefused`, why in `language`, for what is no picture we take)."""
    if asset.kind == "picture":
        facts = as_picture(data, len(data), language)
        if facts is None:  # too big to show as a picture: a file members open
            return "m.file", {"mimetype": asset.mime, "size": len(data)}
        return "m.image", {"mimetype": facts.mime, "size": len(data), "w": facts.width,
                           "h": facts.height}  # fmt: skip
    return MSGTYPES.get(asset.kind, "m.file"), {"mimetype": asset.mime, "size": len(data)}


def media_content(asset: Asset, url: str, msgtype: str, info: dict[str, Any]) -> dict[str, Any]:
    """The `m.room.message` content showing the uploaded file at `url`."""
    content: dict[str, Any] = {
        "msgtype": msgtype, "body": asset.name, "filename": asset.name, "url": url,
        "info": info, "m.mentions": {"user_ids": []},
    }  # fmt: skip
    if asset.kind == "voice":
        content["org.matrix.msc3245.voice"] = {}  # clients show a voice message, not a file
    return content


# The `mxc://` address each file (by its bytes and Content-Type) was uploaded to by this
# process, so the same file posted in many rooms, or performed again after its text was
# refused for a moment, is uploaded once.
Uploads = Remembered[str]
