"""Sending a scheduled post's file to a Matrix room: read within the homeserver's upload
limit, uploaded to its media repository once for every room it goes to (a post fired in
200 rooms is one upload, not 200), then shown by an event of its own transaction id (the
outbox key's, plus `:file`), so a homeserver that remembers the id keeps one however often it
is sent. The carrier keeps the event's id with the outbox item too (`carrier.FILE`): a retry
after the text failed does not send the file again, even to a homeserver that forgot the id
(a bot signing in by password is a new device at each start)."""

from __future__ import annotations

import asyncio
import hashlib
import io
from typing import Any

from nio import ContentRepositoryConfigResponse, ErrorResponse, UploadResponse

from hearthkeeper.carriers.assets import Asset, AssetRefused
from hearthkeeper.carriers.matrix.outgoing import carrier_error, txn_id
from hearthkeeper.carriers.matrix.post_media import (
    DEFAULT_UPLOAD_LIMIT,
    Uploads,
    media_content,
    media_info,
)
from hearthkeeper.playbook.positioning import Language


async def upload_limit(client: Any) -> int:
    """The largest upload the homeserver takes (its media config; Synapse's default when it
    does not say)."""
    config = await client.content_repository_config()
    if isinstance(config, ContentRepositoryConfigResponse) and config.upload_size:
        return int(config.upload_size)
    return DEFAULT_UPLOAD_LIMIT


async def send_file(client: Any, room: str, key: str, asset: Asset, limit: int,
                    uploads: Uploads, language: Language = Language.EN) -> str:  # fmt: skip
    """Upload `asset` (once per content and type in this process, whichever room or key it is
    sent under) and show it in `room`; the event id.
    AssetRefused (why, in `language`) when the file cannot be sent at all; CarrierError when
    the homeserver failed for a while."""
    data = await asyncio.to_thread(asset.read, limit, language)
    msgtype, info = await asyncio.to_thread(media_info, asset, data, language)
    digest = await asyncio.to_thread(_digest, data, str(info["mimetype"]))
    async with uploads.one_at_a_time(digest):  # the same file to two rooms at once: one upload
        url = uploads.get(digest)
        if url is None:
            uploaded, _ = await client.upload(io.BytesIO(data), content_type=info["mimetype"],
                                              filename=asset.name, filesize=len(data))  # fmt: skip
            if not isinstance(uploaded, UploadResponse):
                if getattr(uploaded, "status_code", None) == "M_TOO_LARGE":
                    raise AssetRefused("the homeserver refused it as too large")
                raise carrier_error(uploaded, f"matrix: uploading {asset.name}")
            url = str(uploaded.content_uri)
            uploads.add(digest, url)
    sent = await client.room_send(room, "m.room.message", media_content(asset, url, msgtype, info),
                                  tx_id=txn_id(key + ":file"))  # fmt: skip
    if isinstance(sent, ErrorResponse):
        raise carrier_error(sent, f"matrix: sending {asset.name} to {room}")
    return str(sent.event_id)


def _digest(data: bytes, mime: str) -> str:
    """What an upload is known by: its bytes and Content-Type."""
    return f"{hashlib.sha256(data).hexdigest()}:{mime}"
