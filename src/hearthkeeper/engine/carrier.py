"""The `Carrier` protocol: how a chat platform plugs into the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hearthkeeper.engine.actions import Action, ActionKind
from hearthkeeper.engine.events import Event
from hearthkeeper.playbook.positioning import Language


@dataclass(frozen=True, kw_only=True)
class RateLimit:
    """At most `count` actions per `seconds`."""

    count: int
    seconds: float


@dataclass(frozen=True, kw_only=True)
class Capabilities:
    """What a carrier can do and how fast; the engine plans around these, never around names."""

    can: frozenset[ActionKind]
    per_group: RateLimit | None = None  # e.g. Telegram: 20 messages/min per group
    per_group_burst: RateLimit | None = None  # a second, shorter window: Telegram's 1/s per chat
    overall: RateLimit | None = None  # e.g. Telegram: 30 messages/s per bot
    idempotent: bool = False  # performs the same idempotency key at most once (Matrix txn ids)
    # characters of one message (Telegram: UTF-16 units): a longer bot text goes in parts, cut
    # by `carriers/cutting.py` at the best place before this
    max_text: int = 4000
    # lets an approved applicant in only where there is room, itself (the web chat seats them
    # with the room checked); False: the queue checks first (`engine/no_room.py`)
    seats_applicants: bool = False
    # letting an approved applicant in invites them: they are in once they accept (Matrix);
    # False: they are in once it is done (a join request approved, a web chat seat)
    admits_by_invitation: bool = False
    # shows a REPLY or SEND to the one member it names and nobody else (the web chat): an
    # action with `actions.IN_GROUP` is performed as it is; False: its in-group text is said
    private_replies: bool = False


class CarrierError(Exception):
    """The carrier refused or failed an action. `retry` says whether trying again can help,
    `after` in how many seconds; `limited`, that the platform's rate limit answered (Telegram's
    429): the action waits `after` seconds, not counted as a failed attempt (within a bound,
    `outbound.MAX_RATE_WAITS`)."""

    def __init__(self, message: str, *, retry: bool = True, after: float | None = None,
                 lacks: Mapping[Language, str] | None = None,
                 limited: bool = False) -> None:  # fmt: skip
        super().__init__(message)
        self.retry = retry
        self.after = after
        self.limited = limited
        # the right the bot lacks on the platform, in staff's words (both languages), where the
        # carrier knows it: what staff are told when closing a group fails (`not_closed.py`)
        self.lacks = lacks


class Carrier(Protocol):
    """A chat platform. Four methods; the engine does everything else."""

    name: str
    capabilities: Capabilities

    async def connect(self) -> None:
        """Log in and start receiving."""

    def events(self) -> AsyncIterator[Event]:
        """Events as they arrive, until disconnected."""
        ...

    async def perform(self, action: Action, key: str) -> str | None:
        """Do one outbound action; `key` is stable across retries. Returns the carrier's id of
        what it created (a sent message), if any. Raises `CarrierError` on failure."""
        ...

    async def disconnect(self) -> None:
        """Stop receiving and release connections."""


@runtime_checkable
class Acknowledging(Protocol):
    """A carrier that wants to know when the events it handed out are recorded (committed),
    e.g. to move a saved read position past them only then (Matrix). Optional."""

    def handled(self, events: Sequence[Event]) -> None:
        """Called on the event loop after the engine committed `events` (duplicates too)."""


@runtime_checkable
class LinkAdmitting(Protocol):
    """A carrier that, when it cannot let an approved applicant in directly, gives them an
    invite link instead (Telegram, when their join request is gone): they are in only once
    they use it. Optional; staff's note on an approval that waited for room says so."""

    def let_in_link(self, key: str) -> str | None:
        """The link given for the approval performed under outbox key `key`, if one was."""


# What performing one of a batch came to: the carrier's id of what it created (or None), a
# `CarrierError`, or another exception — after which the batch's later actions were not tried.
Outcome = str | BaseException | None


@runtime_checkable
class PerformsTogether(Protocol):
    """A carrier that performs a run of actions in one go, e.g. in one database transaction
    (the web chat). Optional; the outbound queue hands it the consecutive performable actions
    of a claimed batch, in order, when the carrier is also idempotent."""

    async def perform_together(self, jobs: Sequence[tuple[Action, str]]) -> list[Outcome]:
        """Perform `jobs` (action, outbox key) in order; one outcome each, in order. The list
        ends early at an outcome that is neither a receipt nor a `CarrierError`: the actions
        after it were not tried. Never raises for one action's failure."""
        ...


@runtime_checkable
class SlowActions(Protocol):
    """A carrier some of whose actions can take long (a file uploaded: QQ answers
    `upload_group_file` once QQ has the file; Telegram and Matrix take the file's bytes;
    Telegram's long text, its parts a second apart). Optional; the outbound queue performs those
    aside (`aside.py`), at most `slow_at_once` at a time, so replies and other groups' actions
    do not wait for them, and holds back the same group's later actions until each is done."""

    slow_at_once: int

    def slow(self, action: Action) -> bool:
        """Whether performing `action` can take long."""
        ...


@runtime_checkable
class SendsInParts(Protocol):
    """A carrier that sends a text longer than one of its messages in parts (Telegram, QQ,
    Matrix). Optional; the outbound queue counts each part against the carrier's quotas (a
    chat's messages a minute), and lets the action go once there is room for all of them."""

    def messages(self, action: Action) -> int:
        """How many messages performing `action` sends (1 for most; a long text's parts, and a
        post's file when it goes as a message of its own)."""
        ...
