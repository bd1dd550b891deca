"""Sending a scheduled post with its file to a QQ group (the calls: `post_files.py`).

The file is read within its kind's limit (a picture checked as every carrier checks one,
`picture_check.py`; one too big to show as a picture goes as a group file, as on Matrix and
Telegram), then put in the group before the text, in a message of its own (a picture too: in
the text's message, a picture out at a kill left the text's fate unknown, so the restart could
neither send it again nor know it had gone, and the whole post failed). A file the group does not get — refused here, or by the implementation — leaves the text
to go alone, and the caller tells staff once, naming the file. When the implementation refuses
the file, the text alone is sent first: if that is refused too, the group (not the file) is
the trouble, and it fails as any message does, with no alert about the file.

A text longer than a QQ message goes in parts after the file, in order (`segments.messages`).
What went is kept with the outbox item as a long text's parts are (`carriers/parts.py`): the
file's message id once QQ has it (`NOFILE` when it did not go), then each text part's; each
call marked `OUT` until its answer comes. A retry after the text failed sends the text's parts
not sent yet alone, after a restart too. A process
killed with a call out leaves the mark, and the next one does not make that call again (QQ may
have it: the group cannot get it twice): killed while the file went, the text goes alone and
staff are told to look in QQ for the file (as when its answer is lost with the connection);
killed while the text went, the post fails saying so, as any message does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hearthkeeper.carriers.assets import Asset, AssetRefused, alert_language, as_picture
from hearthkeeper.carriers.onebot.calls import Call, failure, group_of, send
from hearthkeeper.carriers.onebot.link import Unanswered
from hearthkeeper.carriers.onebot.post_files import Transfer, file_call, limit_of, refusal
from hearthkeeper.carriers.onebot.segments import message_parts, shown
from hearthkeeper.carriers.parts import OUT, SentParts, entry, fingerprint, ids, offset, resume
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.carrier import CarrierError

# The implementation's whole answer (`CarrierError` when the call was not written, `Unanswered`
# when no answer came), and a call's `data` (`CarrierError` when refused).
Attempt = Callable[[Call], Awaitable[Mapping[str, Any]]]
Perform = Callable[[Call], Awaitable[dict[str, Any]]]

PATH_ONLY = ("go-cqhttp and Lagrange.OneBot take a group file by its path only: with the "
             'implementation on this machine, set file_transfer = "path" in [carriers.onebot]')  # fmt: skip


UNANSWERED = ("no answer from the OneBot implementation in time, so it may be in the group or "
              "not: look in QQ")  # fmt: skip
# Kept for a file whose answer never came (lost, or the server stopped meanwhile): it may be in
# the group, so it is not sent again, and staff are told until the text has gone.
MAYBE = "~"
# Kept in the file's place when it did not go, once a part of the text has: the parts follow.
NOFILE = "-"


@dataclass(frozen=True)
class Posted:
    """What became of a post with a file: the id of the message holding its text (else of the
    file's), and why the file was not sent (None: it was)."""

    receipt: str | None
    unsent: str | None = None


async def post_with_file(attempt: Attempt, perform: Perform, action: Action, key: str,
                         asset: Asset, transfer: Transfer, parts: SentParts, limit: int,
                         gap: float = 0.0) -> Posted:  # fmt: skip
    """Send `action`'s text (in messages of at most `limit` characters, `gap` seconds after the
    file and apart) with `asset` once per `key`, what went kept in `parts`."""
    group = group_of(action)
    text = _Text(perform, action, limit, parts, key, gap)
    went = await parts.sent(key)
    if went == [OUT]:  # killed as the file went: not the text
        went = [MAYBE]
        await parts.add(key, went)
    if went[-1:] == [OUT]:
        raise CarrierError(
            "qq: the server stopped while this post was being sent and QQ's answer never came; "
            "it may have arrived, so it is not sent again (the group cannot get it twice)",
            retry=False,
        )
    if went:  # the file went (or did not: NOFILE) before its text failed: the text's rest
        unsent = UNANSWERED if went == [MAYBE] else None
        # recorded by the text's first message whose id came back, else by the file's
        return Posted(await text.say(went) or first_known(went[:1]), unsent)
    try:
        data = await asyncio.to_thread(asset.read, limit_of(asset), alert_language(action))
        if asset.kind == "picture":
            facts = await asyncio.to_thread(
                as_picture, data, limit_of(asset), alert_language(action)
            )
            if facts is None:  # too big to show as a picture: members get it as a group file
                asset = Asset(asset.path, "file")
    except AssetRefused as exc:
        return Posted(await text.say([NOFILE]), exc.reason)
    # encoding 50 MiB as base64 takes a while: not on the event loop
    call = await asyncio.to_thread(file_call, group, asset, data, transfer)
    await parts.going(key, [])
    try:
        answer = await attempt(call)
    except Unanswered:
        await parts.add(key, [MAYBE])  # it may be in the group: not again
        return Posted(await text.say([MAYBE], paced=True), UNANSWERED)
    except CarrierError:
        await parts.add(key, [])  # not written: it did not go
        raise
    if failure(answer, call.action) is not None:
        await parts.add(key, [])
        reason = refusal(answer)
        if call.action == "upload_group_file" and transfer == "base64":
            reason += f"; {PATH_ONLY}"
        return Posted(await text.say([NOFILE]), reason)
    data_of = answer.get("data")
    found = data_of.get("message_id") if isinstance(data_of, Mapping) else None
    receipt = None if found is None else str(found)
    await parts.add(key, [receipt or ""])
    return Posted(await text.say([receipt or ""], paced=True) or receipt)


@dataclass(frozen=True)
class _Text:
    """A post's text, sent after its file."""

    perform: Perform
    action: Action
    limit: int
    parts: SentParts
    key: str
    gap: float

    async def say(self, went: list[str], *, paced: bool = False) -> str | None:
        """Send the text's messages not sent yet, in order, `gap` seconds apart (and after the
        file, `paced`: it went just now), after what `went` of the post (the file's place
        first, then the text's parts sent before, `carriers/parts.py`): the rest of the text
        from where the last of them ended. The first message id of the text that came back
        (None: none did, or there is no text)."""
        if not self.action.text:
            return None
        group, parts, key = group_of(self.action), self.parts, self.key
        said = went[1:]
        of = fingerprint(shown(self.action))
        at = resume(said, of, "qq")
        if isinstance(at, int):
            todo = message_parts(self.action, self.limit)[at:]
        else:
            todo = message_parts(self.action, self.limit, offset(at, "qq"))
        for n, (message, end) in enumerate(todo):
            if n or paced:
                await asyncio.sleep(self.gap)
            await parts.going(key, [went[0], *said])
            try:
                data = await self.perform(send(group, message))
            except CarrierError as exc:
                if not isinstance(exc.__cause__, Unanswered):  # refused: it did not go
                    # nothing went at all: the retry tries the file again (and says why not)
                    gone = [went[0], *said] if said or went[0] != NOFILE else []
                    await parts.add(key, gone)
                raise
            found = data.get("message_id")
            said.append(entry("" if found is None else str(found), str(end), of))
            await parts.add(key, [went[0], *said])
        return first_known(ids(said))


def first_known(kept: list[str]) -> str | None:
    """The first message id that came back among a post's parts (ids as `carriers/parts.ids`
    reads them): an answer without one leaves "" in its place, and a mark (`OUT`, `MAYBE`,
    `NOFILE`) is no id; None when none came back."""
    return next((i for i in kept if i not in ("", OUT, MAYBE, NOFILE)), None)
