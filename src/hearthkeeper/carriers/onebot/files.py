"""Sending a scheduled post with its file to a QQ group (the calls: `post_files.py`).

The file is read within its kind's limit (a picture checked as every carrier checks one,
`picture_check.py`; one too big to show as a picture goes as a group file, as on Matrix and
Telegram), then put in the group: a picture in the text's own message, anything else before the
text. A file the group does not get — refused here, or by the implementation — leaves the text
to go alone, and the caller tells staff once, naming the file. When the implementation refuses
the file, the text alone is sent first: if that is refused too, the group (not the file) is
the trouble, and it fails as any message does, with no alert about the file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hearthkeeper.carriers.assets import Asset, AssetRefused, alert_language, as_picture
from hearthkeeper.carriers.onebot.calls import Call, failure, group_of, not_again, send
from hearthkeeper.carriers.onebot.link import Unanswered
from hearthkeeper.carriers.onebot.post_files import (
    SentFiles,
    Transfer,
    file_call,
    limit_of,
    refusal,
)
from hearthkeeper.carriers.onebot.segments import Segment, outgoing
from hearthkeeper.engine.actions import Action

# The implementation's whole answer (`CarrierError` when the call was not written, `Unanswered`
# when no answer came), and a call's `data` (`CarrierError` when refused).
Attempt = Callable[[Call], Awaitable[Mapping[str, Any]]]
Perform = Callable[[Call], Awaitable[dict[str, Any]]]

PATH_ONLY = ("go-cqhttp and Lagrange.OneBot take a group file by its path only: with the "
             'implementation on this machine, set file_transfer = "path" in [carriers.onebot]')  # fmt: skip


@dataclass(frozen=True)
class Posted:
    """What became of a post with a file: the id of the message holding its text (else of the
    file's), and why the file was not sent (None: it was)."""

    receipt: str | None
    unsent: str | None = None


async def post_with_file(attempt: Attempt, perform: Perform, action: Action, key: str,
                         asset: Asset, transfer: Transfer, sent: SentFiles) -> Posted:  # fmt: skip
    """Send `action`'s text with `asset` once per `key` in this process."""
    group = group_of(action)
    words = outgoing(action) if action.text else []
    if key in sent:  # the file went before its text failed: the text alone
        return Posted(await _say(perform, group, words))
    try:
        data = await asyncio.to_thread(asset.read, limit_of(asset), alert_language(action))
        if asset.kind == "picture":
            facts = await asyncio.to_thread(
                as_picture, data, limit_of(asset), alert_language(action)
            )
            if facts is None:  # too big to show as a picture: members get it as a group file
                asset = Asset(asset.path, "file")
    except AssetRefused as exc:
        return Posted(await _say(perform, group, words), exc.reason)
    # encoding 50 MiB as base64 takes a while: not on the event loop
    call = await asyncio.to_thread(file_call, group, asset, data, transfer, words)
    try:
        answer = await attempt(call)
    except Unanswered as exc:
        if asset.kind == "picture":  # the text went with it, or not: never twice
            raise not_again(exc) from exc
        sent.add(key)
        reason = ("no answer from the OneBot implementation in time, so it may be in the group "
                  "or not: look in QQ")  # fmt: skip
        return Posted(await _say(perform, group, words), reason)
    if failure(answer, call.action) is not None:
        reason = refusal(answer)
        if call.action == "upload_group_file" and transfer == "base64":
            reason += f"; {PATH_ONLY}"
        return Posted(await _say(perform, group, words), reason)
    sent.add(key)
    data_of = answer.get("data")
    found = data_of.get("message_id") if isinstance(data_of, Mapping) else None
    receipt = None if found is None else str(found)
    if asset.kind == "picture" or not words:
        return Posted(receipt)
    return Posted(await _say(perform, group, words) or receipt)


async def _say(perform: Perform, group: int, words: list[Segment]) -> str | None:
    """Send the text alone; its message id (None: there is no text)."""
    if not words:
        return None
    data = await perform(send(group, words))
    found = data.get("message_id")
    return None if found is None else str(found)
