"""The capabilities Hearthkeeper runs, in the order they register. Adding a capability is its
own package plus one line here.

Stages decide the order in which handlers are consulted (lower first; within a stage the first
handler whose check passes handles, so this list's order only matters within a stage):
GATE 0 blacklist · 1 planning a group's calendar (posts, live sessions, anniversary) the first
time this process sees the group · 2 muted or removed members' messages, then a struck or
muted member's `/appeal`, then a member's `/report` · MODERATION 10 · 19 a paid community's
joiner the door never saw, removed at once · CEREMONY 20-21 welcome, rules · 22 such a
joiner's trial or the way to pay ·
MECHANISMS 30 commands · 31 check-ins · 32 sign-ups · 33 polls · 35 FAQ answers, experts and
the question queue · 36 points for sharing · 37 planning the daily level round on joins ·
39 scheduling the welcome-week digest on joins · 45 crisis watch (reads every member's
message, never stops the rest).
"""

from __future__ import annotations

from hearthkeeper.capabilities import (
    activities,
    admission,
    alerts,
    appeals,
    billing,
    calendar,
    ceremony,
    checkin,
    commands,
    crisis,
    faq,
    gate,
    grid,
    health,
    livecodes,
    moderation,
    points,
    polls,
    referrals,
    reports,
    roles,
    signups,
)
from hearthkeeper.capabilities.base import Capability

CAPABILITIES: tuple[Capability, ...] = (
    gate.CAPABILITY,
    admission.CAPABILITY,
    moderation.CAPABILITY,
    appeals.CAPABILITY,
    reports.CAPABILITY,
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
    livecodes.CAPABILITY,
    billing.CAPABILITY,
    referrals.CAPABILITY,
    alerts.CAPABILITY,
    crisis.CAPABILITY,
    activities.CAPABILITY,
    grid.CAPABILITY,
)
