"""The capabilities Hearthkeeper runs, in the order they register (stages decide the order in
which handlers are consulted; this order only matters within a stage). Adding a capability is
its own package plus one line here."""

from __future__ import annotations

from hearthkeeper.capabilities import (
    calendar,
    ceremony,
    checkin,
    commands,
    faq,
    gate,
    health,
    moderation,
    points,
    polls,
    roles,
    signups,
)
from hearthkeeper.capabilities.base import Capability

CAPABILITIES: tuple[Capability, ...] = (
    gate.CAPABILITY,
    moderation.CAPABILITY,
    ceremony.CAPABILITY,
    commands.CAPABILITY,
    checkin.CAPABILITY,
    signups.CAPABILITY,
    polls.CAPABILITY,
    faq.CAPABILITY,
    points.CAPABILITY,
    roles.CAPABILITY,
    calendar.CAPABILITY,
    health.CAPABILITY,
)
