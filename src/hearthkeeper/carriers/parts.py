"""A text longer than one message of a platform, sent in parts, and which parts went.

`cut` splits a text at line breaks (a paragraph's end first: the last break before the
limit) into parts the platform takes whole; nothing is left out. `SentParts` remembers the
parts of an outbox item sent so far, in the process and with the item in the store
(`outbox.progress`), so a retry after a part failed, a restart between, sends only the
parts not sent yet. Telegram (`telegram/carrier.py`) and QQ (`onebot/carrier.py`) send long
texts so. QQ also keeps a part as `OUT` while its call is out (`going`): a process killed
before the answer leaves that mark, and the next one knows the part may have arrived."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from hearthkeeper.carriers.assets import Remembered
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.store import Store
from hearthkeeper.store.errors import unavailable

log = logging.getLogger(__name__)

# Kept after the ids of the parts sent while the next part's call is out, its answer not back.
OUT = "?"


def cut(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """`text` in parts of at most `limit` (as `length` counts), cut at the last line break
    before the limit where there is one, else at the limit: nothing is left out."""
    parts: list[str] = []
    while length(text) > limit:
        end = min(limit, len(text))
        while length(text[:end]) > limit:  # a measure counting some characters twice
            end -= 1
        at = text.rfind("\n", 0, end)
        at = end if at <= 0 else at
        parts.append(text[:at].rstrip("\n"))
        text = text[at:].lstrip("\n")
    return [*parts, text] if text or not parts else parts


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
