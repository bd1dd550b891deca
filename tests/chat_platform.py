"""A fake carrier whose chats behave as a platform's do where the outbound queue's pacing
matters: what members read in each chat, in order; a text longer than a message sent in parts
(performed aside, its parts sent kept with the outbox item as the real carriers keep them,
`carriers/parts.py`); flood control answering each message with a 429 (Telegram's
`retry_after`) while a chat is flooded or over its messages a minute."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import replace
from datetime import datetime, timedelta

from hearthkeeper.carriers.parts import SentParts
from hearthkeeper.clock import FrozenClock
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.carrier import CarrierError, RateLimit
from hearthkeeper.store import Store
from hearthkeeper.testing import FakeCarrier
from hearthkeeper.testing.fake_carrier import Performed

NAME = "chats"


class Chats(FakeCarrier):
    """`seen[chat]`: the messages members read there, in order; `refused`: (chat, message)
    each answered with flood control's 429. A text longer than `max_text` goes as its lines,
    one message each. `per_minute`: the platform's own limit of messages a minute in a chat
    (Telegram's 20 in a group), beyond which it answers 429. `aside`: a long text is a slow
    action, performed aside (Telegram, QQ); else in the queue's batch (Matrix)."""

    slow_at_once = 2

    def __init__(self, store: Store, clock: FrozenClock, *, max_text: int = 20,
                 per_group: RateLimit | None = None, per_minute: int | None = None,
                 aside: bool = True) -> None:  # fmt: skip
        super().__init__(NAME, per_group=per_group)
        self.capabilities = replace(self.capabilities, max_text=max_text)
        self.clock = clock
        self.per_minute = per_minute
        self.aside = aside
        self.seen: defaultdict[str, list[str]] = defaultdict(list)
        self.refused: list[tuple[str, str]] = []
        self._flooded: dict[str, tuple[datetime, timedelta]] = {}
        self._sent_at: defaultdict[str, deque[datetime]] = defaultdict(deque)
        self._parts = SentParts(NAME, store)
        self._failing: dict[str, CarrierError] = {}  # a message's text → its error, once

    def flood(self, chat: str, seconds: float, *, lengthened_by: float = 0) -> None:
        """Refuse every message to `chat` for `seconds` with a 429 asking to wait the rest;
        each message refused meanwhile makes the flood `lengthened_by` seconds longer (as
        Telegram answers a bot that keeps sending)."""
        until = self.clock.now() + timedelta(seconds=seconds)
        self._flooded[chat] = (until, timedelta(seconds=lengthened_by))

    def restart(self) -> None:
        """The server's process is gone (killed): what the carrier remembered of the parts it
        sent goes with it; the platform's chats stay as members read them."""
        self._parts = SentParts(NAME, self._parts.store)

    def fail_once(self, text: str, error: CarrierError) -> None:
        """The next message saying `text` fails with `error` (it does not go)."""
        self._failing[text] = error

    def slow(self, action: Action) -> bool:
        return self.aside and len(action.text or "") > self.capabilities.max_text

    def messages(self, action: Action) -> int:
        return len(self._cut(action.text or ""))

    def _cut(self, text: str) -> list[str]:
        return text.split("\n") if len(text) > self.capabilities.max_text else [text]

    async def perform(self, action: Action, key: str) -> str | None:
        chat = action.group or f"@{action.member}"
        parts = self._cut(action.text or "")
        if len(parts) == 1:
            receipt = self._say(chat, parts[0])
        else:
            kept = await self._parts.sent(key)
            for part in parts[len(kept) :]:
                kept = [*kept, self._say(chat, part)]
                await self._parts.add(key, kept)
            receipt = kept[0]
        self.performed.append(Performed(action, key))
        return receipt

    def _say(self, chat: str, text: str) -> str:
        failure = self._failing.pop(text, None)
        if failure is not None:
            raise failure
        now = self.clock.now()
        flooded = self._flooded.get(chat)
        if flooded is not None and now < flooded[0]:
            until, lengthened_by = flooded[0] + flooded[1], flooded[1]
            self._flooded[chat] = (until, lengthened_by)
            self._refuse(chat, text, until - now)
        sent = self._sent_at[chat]
        while sent and sent[0] <= now - timedelta(minutes=1):
            sent.popleft()
        if self.per_minute is not None and len(sent) >= self.per_minute:
            self._refuse(chat, text, sent[0] + timedelta(minutes=1) - now)
        sent.append(now)
        self.seen[chat].append(text)
        return f"{chat}#{len(self.seen[chat])}"

    def _refuse(self, chat: str, text: str, wait: timedelta) -> None:
        self.refused.append((chat, text))
        seconds = max(1, int(wait.total_seconds() + 0.999))
        raise CarrierError(f"{chat}: flood control, retry after {seconds}s", after=seconds,
                           limited=True)  # fmt: skip
