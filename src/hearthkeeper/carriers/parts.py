"""A text longer than one message of a platform, sent in parts: which parts went.

`cutting.cut` splits the text into parts the platform takes whole; nothing is left out.
`SentParts` remembers the parts of an outbox item sent so far, in the process and with the
item in the store (`outbox.progress`), so a retry after a part failed, a restart between,
sends only the parts not sent yet. Telegram (`telegram/carrier.py`) and QQ
(`onebot/carrier.py`), which take no idempotency key, and Matrix (`matrix/carrier.py`), whose
transaction ids a homeserver may forget (a bot signing in by password is a new device at each
start), send long texts so; the web chat writes all the parts in one transaction, each under
its own key (`cutting.part_key`). QQ also keeps a part as `OUT` while its call is out
(`going`): a process killed before the answer leaves that mark, and the next one knows the
part may have arrived. A post's file goes before its text and is kept first (QQ: its message
id or a mark; Matrix: `file:` and its event id; Telegram: `file:` and its message id), so a
retry does not send it again.

Each part is kept as its message id and where it ended in the text it was cut from, with a
fingerprint of that text (`entry`: `ID@END#PRINT`), so the rest is what was not sent however
the text is cut when it is resumed: an upgrade that cuts otherwise, a changed `max_text`. A
part kept by a version before positions (its id alone) is counted, as then: the parts after it
are those of a fresh cut (`resume`). A text whose fingerprint differs (the carrier renders it
otherwise since: a Markdown post read by a changed reader) is not resumed: the position would
point into another text, so its rest could repeat or skip words."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from hearthkeeper.carriers.assets import Remembered
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.store import Store
from hearthkeeper.store.errors import unavailable

log = logging.getLogger(__name__)

# Kept after the ids of the parts sent while the next part's call is out, its answer not back.
OUT = "?"
AT, PRINT = "@", "#"  # in an entry, before where the part ended and before the fingerprint


@dataclass(frozen=True)
class Went:
    """One entry of what went: a message id ("" when its answer had none) or a mark (`OUT`, a
    post's file marks); where the part ended in its text and that text's fingerprint (both
    None: kept by a version before positions, or a mark)."""

    id: str
    end: str | None = None
    of: str | None = None


def entry(message_id: str, end: str, of: str) -> str:
    """A part that went, as kept: its message id, where it ended (`end`, as its cutter reads it
    back) in the text whose fingerprint is `of`."""
    return f"{message_id}{AT}{end}{PRINT}{of}"


def read(kept: str) -> Went:
    """An entry as kept (`entry`, or an id or mark alone)."""
    message_id, at, where = kept.rpartition(AT)
    end, hashed, of = where.partition(PRINT)
    if not at or not hashed:
        return Went(kept)
    return Went(message_id, end, of)


def ids(kept: Sequence[str]) -> list[str]:
    """The message ids (and marks) of `kept`, without their positions."""
    return [read(k).id for k in kept]


def offset(position: str, carrier: str) -> int:
    """A position kept as a character offset in the text (`CarrierError` when it is none)."""
    if not position.isdigit():
        raise CarrierError(f"{carrier}: {position!r} is no position in a text", retry=False)
    return int(position)


def fingerprint(text: str) -> str:
    """A short digest of the text a part's position points into."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def resume(kept: Sequence[str], of: str, carrier: str) -> str | int:
    """Where the rest of a text whose parts `kept` went begins: the position its last part
    recorded (a str, for the cutter), or, kept without positions, how many parts went (an int:
    the rest is a fresh cut's after as many; 0 when none went). A retry that would not be exact
    is refused for good: the text (fingerprint `of`) is not the one the position points into."""
    if not kept:
        return 0
    last = read(kept[-1])
    if last.end is None:
        return len(kept)
    if last.of != of:
        raise CarrierError(
            f"{carrier}: {len(kept)} part(s) of this text went, but it is rendered otherwise "
            "since (the server was upgraded meanwhile): where they ended cannot be found "
            "again, so the rest is not sent (it could repeat or leave out words); post the "
            "rest by hand",
            retry=False,
        )
    return last.end


class SentParts:
    """The parts of long texts sent so far (their message ids), by outbox key: remembered by
    the process, and kept with the outbox item when there is a store."""

    def __init__(self, carrier: str, store: Store | None) -> None:
        self.carrier = carrier
        self.store = store
        self._known = Remembered[list[str]]()

    async def sent(self, key: str) -> list[str]:
        """The message ids of `key`'s parts sent before (after a restart too); a retryable
        `CarrierError` while the store that knows is unavailable (sending them all again
        could repeat them)."""
        known = self._known.get(key)
        if known or self.store is None:
            return known or []
        try:
            return await asyncio.to_thread(self.store.outbox_progress, key)
        except Exception as exc:
            if not unavailable(exc):
                raise
            raise CarrierError(
                f"{self.carrier}: the parts of {key} sent before are unknown while "
                f"the database is unavailable ({exc})",
                retry=True,
            ) from exc

    async def going(self, key: str, sent_ids: list[str]) -> None:
        """The next part of `key` is about to go: kept as `OUT` after `sent_ids` until `add`
        records what came back (or that it did not go)."""
        await self.add(key, [*sent_ids, OUT])

    async def add(self, key: str, sent_ids: list[str]) -> None:
        """Keep the parts of `key`'s text sent so far. A store that cannot be reached now is
        not a failure of the send: the process still remembers them."""
        self._known.add(key, sent_ids)
        if self.store is None:
            return
        try:
            await asyncio.to_thread(self.store.record_progress, key, sent_ids)
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("%s: the parts of %s sent could not be recorded: %s", self.carrier, key,
                        exc)  # fmt: skip
