"""A text longer than one message of a platform, sent in parts: which parts went.

`cutting.cut` splits the text into parts the platform takes whole; nothing is left out.
`SentParts` remembers the parts of an outbox item sent so far, in the process and with the
item in the store (`outbox.progress`), so a retry after a part failed, a restart between,
sends only the parts not sent yet. Telegram (`telegram/carrier.py`) and QQ
(`onebot/carrier.py`), which take no idempotency key, send long texts so (Matrix and the web
chat key each part instead: `cutting.part_key`). QQ also keeps a part as `OUT` while its
call is out (`going`): a process killed before the answer leaves that mark, and the next one
knows the part may have arrived."""

from __future__ import annotations

import asyncio
import logging

from hearthkeeper.carriers.assets import Remembered
from hearthkeeper.engine.carrier import CarrierError
from hearthkeeper.store import Store
from hearthkeeper.store.errors import unavailable

log = logging.getLogger(__name__)

# Kept after the ids of the parts sent while the next part's call is out, its answer not back.
OUT = "?"


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
