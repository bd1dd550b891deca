"""Attribution in the engine: a member whose join carries `code:<slug>` arrived by that
channel. The handler asks for an effect; the effect records the arrival once per join event
(the table is unique on it) and releases the seat the live code held for them.

A join that does not carry the link's token on a carrier where a live code's newcomer may
come that way (Matrix: someone who opened the room's matrix.to link rather than asking the
join page for the bot's invitation) gets no attribution, but still takes the oldest seat held
in the room: without it each newcomer would count twice (member and held seat) until the seat
expired, and rooms would look full, and new ones be opened, at half their size."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hearthkeeper.capabilities.livecodes.decide import slug_of
from hearthkeeper.capabilities.livecodes.records import UNTAGGED
from hearthkeeper.capabilities.livecodes.repository import SqlLiveCodes
from hearthkeeper.engine.actions import Action
from hearthkeeper.engine.effects import EffectContext, Request
from hearthkeeper.engine.events import Event, Join
from hearthkeeper.engine.handler import Context, Outcome
from hearthkeeper.engine.registry import Registry, Stage
from hearthkeeper.store.scope import StoreBase

log = logging.getLogger(__name__)
STAGE = Stage.MECHANISMS + 10  # after every other handler of a join (they stop nothing here)


class LiveCodeArrival(Request, effect="livecodes.arrival"):
    """Record that the sender joined by the live code `slug`."""

    slug: str


class ArrivalByCode:
    """A join whose link token is `code:<slug>`."""

    name = "livecodes"

    def check(self, event: Event, ctx: Context) -> bool:
        return isinstance(event, Join) and slug_of(event.source) is not None

    def handle(self, event: Event, ctx: Context) -> Outcome:
        assert isinstance(event, Join)
        slug = slug_of(event.source)
        assert slug is not None
        request = LiveCodeArrival(slug=slug)
        return Outcome((request.action(carrier=event.carrier, group=event.group,
                                       member=event.sender.user_id, target=event.event_id,
                                       handler=self.name, reason="arrival by live code"),))  # fmt: skip


class LiveCodeSeatTaken(Request, effect="livecodes.seat_taken"):
    """Someone joined a room without a link token: release a held seat there."""


class SeatTakenUntagged:
    """A join without a live code's token on a carrier where newcomers may come so."""

    name = "livecodes"

    def check(self, event: Event, ctx: Context) -> bool:
        return (
            isinstance(event, Join) and event.carrier in UNTAGGED and slug_of(event.source) is None
        )

    def handle(self, event: Event, ctx: Context) -> Outcome:
        request = LiveCodeSeatTaken()
        why = "joined a room a live code sends newcomers to"
        return Outcome((request.action(carrier=event.carrier, group=event.group,
                                       member=event.sender.user_id, target=event.event_id,
                                       handler=self.name, reason=why),))  # fmt: skip


def take_seat(scope: StoreBase, request: LiveCodeSeatTaken, ctx: EffectContext) -> Sequence[Action]:
    """Release the oldest seat held in the group (none held: nothing to do)."""
    SqlLiveCodes.on(scope).take_seat(ctx.group.id, ctx.now)
    return []


def arrive(scope: StoreBase, request: LiveCodeArrival, ctx: EffectContext) -> Sequence[Action]:
    """Count the arrival for its channel (a channel of another community, a retired or an
    unknown one is logged and not counted)."""
    repo = SqlLiveCodes.on(scope)
    channel = repo.channel(request.slug)
    where = f"group {ctx.group.id}"
    if channel is None or channel.community_id != ctx.group.community_id:
        log.info("a join in %s came by the unknown live code %r; not counted", where, request.slug)
        return []
    if channel.retired:
        log.info("a join in %s came by the retired live code %r; not counted", where, request.slug)
        return []
    if ctx.member is None or ctx.event_id is None:
        return []
    repo.arrive(channel.id, ctx.group.id, ctx.member.id, ctx.event_id, ctx.now)
    return []


def register(registry: Registry) -> None:
    """Add the handler and its effect."""
    registry.add(ArrivalByCode(), STAGE)
    registry.add_effect(LiveCodeArrival, arrive)
    registry.add(SeatTakenUntagged(), STAGE)
    registry.add_effect(LiveCodeSeatTaken, take_seat)
