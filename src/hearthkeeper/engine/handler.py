"""Handlers: a check plus an action. They read a `Context` and return `Action`s; they do nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.events import Event
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.structure import Permission
from hearthkeeper.store import Group
from hearthkeeper.store.records import IMPORTED
from hearthkeeper.store.scope import StoreBase


@dataclass(frozen=True, kw_only=True)
class GroupView:
    """The group an event happened in."""

    id: int
    name: str
    carrier: str
    carrier_group_id: str
    capacity: int | None
    community_id: int
    community_slug: str
    closed: bool = False  # closed by an operator (`hearth groups close`)

    @property
    def imported(self) -> bool:
        """Registered by an import (`import:csv` …): history only, no chat to act on."""
        return self.carrier.startswith(IMPORTED)


def group_view(group: Group, community_slug: str) -> GroupView:
    """The view handlers get of a stored group."""
    return GroupView(id=group.id, name=group.name, carrier=group.carrier,
                     carrier_group_id=group.carrier_group_id, capacity=group.capacity,
                     community_id=group.community_id, community_slug=community_slug,
                     closed=group.closed)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class MemberView:
    """The member who caused the event, with what the playbook says about them."""

    id: int
    user_id: str
    display_name: str
    role: str | None = None
    level: int | None = None
    joined_at: datetime | None = None
    permissions: frozenset[Permission] = frozenset()
    tags: frozenset[str] = frozenset()
    has_posted: bool = False  # posted in this group before this event
    # a Join: the member was in the community before and left (or was removed): returning
    returning: bool = False

    @property
    def is_staff(self) -> bool:
        """Staff hold a role from the playbook's `structure.roles`."""
        return self.role is not None

    def may(self, permission: Permission) -> bool:
        """Whether the member's role grants `permission`."""
        return permission in self.permissions


@dataclass(frozen=True)
class Hold:
    """What holds a member back in one group now: a mute (until when), or a ban or kick (the
    latest one's time; a member who joined again since is no longer held by it)."""

    muted_until: datetime | None = None
    removed_at: datetime | None = None


class StateView(Protocol):
    """What handlers may ask about the community's state (read-only)."""

    def live_strikes(self, community_id: int, member_id: int, now: datetime) -> int:
        """Unexpired, unpardoned strikes of a member in a community."""
        ...

    def strikes_held(self, community_id: int, member_id: int, now: datetime) -> int:
        """The member's live strikes as held in memory (read when the batch began, and those
        given since, by this batch too), without reading the store or waiting for another
        worker as `live_strikes` does; 0 when none are held: the store has them all then."""
        ...

    def is_blacklisted(self, community_id: int, member_id: int) -> bool:
        """Whether the member is refused in this community (or in all communities)."""
        ...

    def hold(self, community_id: int, group_id: int, member_id: int,
             now: datetime) -> Hold | None:  # fmt: skip
        """The mute, ban or kick in force on the member in the group at `now`, if any."""
        ...

    def member_count(self, group_id: int) -> int:
        """Members in the group now."""
        ...

    def moderation_examples(self, community_id: int) -> Sequence[tuple[str, bool]]:
        """The operator's own decisions in the community as (text, is_spam), oldest first:
        pardons are ham, staff deletions and bans spam. It only grows; a handler may learn
        just what is past the length it saw last."""
        ...


@dataclass(frozen=True, kw_only=True)
class Context:
    """Everything a handler may look at to decide."""

    playbook: Playbook
    group: GroupView
    member: MemberView
    now: datetime
    state: StateView
    # The transaction the event is recorded in, to read (never write) what a capability keeps
    # in its own tables, such as the poll open in the group; None where there is none.
    reads: StoreBase | None = None
    # An earlier stage flagged this message for staff without removing it (moderation's
    # alert-only kinds): later handlers still count it, but leave answering it to staff.
    flagged: bool = False


@dataclass(frozen=True)
class Outcome:
    """A handler's decision: actions to take, whether later handlers still run, and whether
    they should know the message is flagged for staff (`Context.flagged`)."""

    actions: tuple[Action, ...] = ()
    stop: bool = False
    flagged: bool = False


NOTHING = Outcome()


class Handler(Protocol):
    """A check plus an action. `check` is cheap; `handle` runs only when it passes."""

    name: str

    def check(self, event: Event, ctx: Context) -> bool:
        """Whether this handler is concerned with the event."""
        ...

    def handle(self, event: Event, ctx: Context) -> Outcome:
        """Decide what to do."""
        ...


@runtime_checkable
class Stateful(Protocol):
    """A handler that keeps state in memory across events (groups whose calendar it planned,
    level windows): `forget` drops it, because a batch that rolled back may have left it
    saying what the store does not. The registry calls it on every such handler."""

    def forget(self) -> None:
        """Drop what this handler remembers; it reads the store again as it needs to."""
        ...
