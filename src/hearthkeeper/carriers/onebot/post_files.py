"""A scheduled post's file in a QQ group, as OneBot v11 calls. Pure: no I/O.

| kind | how | the text |
|---|---|---|
| picture | an `image` segment, a message of its own | its own message, after |
| voice | a `record` segment, a message of its own | its own message, after |
| video | a `video` segment, a message of its own | its own message, after |
| file | `upload_group_file` (a group file: v11 has no file segment) | its own message, after |

QQ shows a voice or video message alone (v11 implementations send a `record` or `video`
segment as a message of its own). A picture could share its message with the text, but then a
kill while it went leaves the text's fate unknown (`files.py`): it goes alone too.

How the bytes reach the implementation (`[carriers.onebot] file_transfer`):

- `base64` (the default): the file travels in the call itself, `base64://…` in the segment's
  `file` and in `upload_group_file`'s `file`. It works wherever the implementation runs (in
  Docker, on another machine), and is what v11 defines for segments; NapCat and LLOneBot take
  it for group files too. The call is 4/3 of the file, held in memory on both sides while it
  travels: hence the limits below (NapCat's WebSocket takes messages up to 100 MiB).
- `path`: the file's absolute path (`file:///…` in segments, the bare path for
  `upload_group_file`, which is all go-cqhttp and Lagrange.OneBot read there). Only for an
  implementation on the same machine that sees the content folder at the same path.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, Literal

from hearthkeeper.carriers.assets import Asset
from hearthkeeper.carriers.onebot.calls import Call, send
from hearthkeeper.carriers.onebot.segments import Segment

Transfer = Literal["base64", "path"]
TRANSFERS: tuple[Transfer, ...] = ("base64", "path")

MIB = 1024 * 1024
# The most bytes sent per kind: in base64, the call is 4/3 of this. A video QQ takes is at most
# 100 MB (NapCat's documentation: larger goes as a group file); a group file may be far larger,
# but not through one WebSocket message.
LIMITS = {"picture": 10 * MIB, "voice": 10 * MIB, "video": 50 * MIB, "file": 50 * MIB}
SEGMENTS = {"picture": "image", "voice": "record", "video": "video"}


def limit_of(asset: Asset) -> int:
    """The most bytes of the asset's kind the bot sends."""
    return LIMITS.get(asset.kind, LIMITS["file"])


def _reference(asset: Asset, data: bytes, transfer: Transfer, *, uri: bool) -> str:
    if transfer == "path":
        path = str(asset.path.resolve())
        return "file://" + path if uri else path  # file:///home/…: v11's own examples
    return "base64://" + base64.b64encode(data).decode("ascii")


def media_segment(asset: Asset, data: bytes, transfer: Transfer) -> Segment:
    """The `image`, `record` or `video` segment carrying the file (not for a `file`)."""
    return {"type": SEGMENTS[asset.kind],
            "data": {"file": _reference(asset, data, transfer, uri=True)}}  # fmt: skip


def upload_call(group: int, asset: Asset, data: bytes, transfer: Transfer) -> Call:
    """`upload_group_file`: the file among the group's files, under its own name."""
    params = {"group_id": group, "file": _reference(asset, data, transfer, uri=False),
              "name": asset.name}  # fmt: skip
    return Call("upload_group_file", params, sends=True, uploads=True)


def file_call(group: int, asset: Asset, data: bytes, transfer: Transfer) -> Call:
    """The call that puts the file in the group: a picture, voice or video message alone;
    any other file uploaded."""
    if asset.kind not in SEGMENTS:
        return upload_call(group, asset, data, transfer)
    return send(group, [media_segment(asset, data, transfer)], uploads=True)


def refusal(answer: Mapping[str, Any]) -> str:
    """What staff read of an implementation refusing the file: its retcode and words."""
    said = answer.get("wording") or answer.get("message") or answer.get("msg") or ""
    detail = f": {str(said)[:200]}" if said else ""
    return f"the OneBot implementation refused it (retcode {answer.get('retcode')}{detail})"
